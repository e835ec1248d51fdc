Feature: The job lifecycle
  A job moves through eight states. Only the documented moves are possible; any other
  request is refused with a conflict that names the state the job is in.

  @L0-LC-001 @L0-LC-002
  Scenario: A job goes from available to active to completed
    Given a job of type "lifecycle.run" in queue "{{queue}}" saved as "job"
    And the response field "$.job.state" is "available"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs[0].state" is "active"
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}"}
      """
    Then the response field "$.state" is "completed"
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.state" is "completed"
    And the response field "$.job.completed_at" is a timestamp

  @L0-LC-001 @L0-LC-002
  Scenario: A failed job goes from retryable back to available and runs again
    Given a job saved as "job" is pushed with:
      """
      {"type": "lifecycle.run", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 3, "initial_interval": "PT0.1S", "jitter": false}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "flaky"}}
      """
    Then the response field "$.state" is "retryable"
    When within 5 seconds GET "/ojs/v1/jobs/{{job}}" has field "$.job.state" equal to "available"
    And within 5 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs[0].id" equals the saved "job"
    And the response field "$.jobs[0].state" is "active"
    And the response field "$.jobs[0].attempt" is 2

  @L0-LC-001 @L0-LC-002
  Scenario: A job whose last attempt fails is discarded with a completion time
    Given a job saved as "job" is pushed with:
      """
      {"type": "lifecycle.run", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 1}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "fatal"}}
      """
    Then the response status is 200
    And the response field "$.state" is "discarded"
    And the response field "$.attempt" is 1
    And the response field "$.max_attempts" is 1
    And the response field "$.completed_at" is a timestamp
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.state" is "discarded"
    And the response field "$.job.completed_at" is a timestamp

  @L0-LC-001 @L0-LC-002
  Scenario: A job pushed for the future is scheduled and becomes available when due
    Given a job saved as "job" is pushed with:
      """
      {"type": "lifecycle.run", "args": [], "options": {"queue": "{{queue}}", "scheduled_at": "{{now+1s}}"}}
      """
    And the response field "$.job.state" is "scheduled"
    When within 5 seconds GET "/ojs/v1/jobs/{{job}}" has field "$.job.state" equal to "available"
    Then the response field "$.job.enqueued_at" is a timestamp

  @L0-LC-001 @L0-LC-002
  Scenario: A pending job waits until it is activated
    Given a job saved as "job" is pushed with:
      """
      {"type": "lifecycle.run", "args": [], "options": {"queue": "{{queue}}", "pending": true}}
      """
    And the response field "$.job.state" is "pending"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs" is []
    When I POST "/ojs/v1/jobs/{{job}}/activate"
    Then the response status is 200
    And the response field "$.job.state" is "available"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs[0].id" equals the saved "job"

  @L0-LC-002 @L0-LC-003
  Scenario: Activating a job that is not pending is a conflict
    Given a job of type "lifecycle.run" in queue "{{queue}}" saved as "job"
    When I POST "/ojs/v1/jobs/{{job}}/activate"
    Then the response is an OJS error "conflict" with status 409
    And the response field "$.error.details.current_state" is "available"

  @L0-LC-002 @L0-LC-003
  Scenario: An available job cannot be acknowledged
    Given a job of type "lifecycle.run" in queue "{{queue}}" saved as "job"
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}"}
      """
    Then the response is an OJS error "conflict" with status 409
    And the response field "$.error.details.current_state" is "available"
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.state" is "available"

  @L0-LC-002 @L0-LC-003
  Scenario: An available job cannot be failed
    Given a job of type "lifecycle.run" in queue "{{queue}}" saved as "job"
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "boom"}}
      """
    Then the response is an OJS error "conflict" with status 409
    And the response field "$.error.details.current_state" is "available"

  @L0-LC-002 @L0-LC-003
  Scenario: A scheduled job cannot be acknowledged
    Given a job saved as "job" is pushed with:
      """
      {"type": "lifecycle.run", "args": [], "options": {"queue": "{{queue}}", "scheduled_at": "{{now+1h}}"}}
      """
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}"}
      """
    Then the response is an OJS error "conflict" with status 409
    And the response field "$.error.details.current_state" is "scheduled"

  @L0-LC-002 @L0-LC-003
  Scenario: A completed job can be neither acknowledged again nor failed
    Given a job of type "lifecycle.run" in queue "{{queue}}" saved as "job"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}"}
      """
    And the response status is 200
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}"}
      """
    Then the response is an OJS error "conflict" with status 409
    And the response field "$.error.details.current_state" is "completed"
    And the response field "$.error.retryable" is false
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "late"}}
      """
    Then the response is an OJS error "conflict" with status 409
    And the response field "$.error.details.current_state" is "completed"
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.state" is "completed"

  @L0-LC-002 @L0-LC-003
  Scenario: A completed job is never delivered again
    Given a job of type "lifecycle.run" in queue "{{queue}}" saved as "job"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}"}
      """
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs" is []

  @L0-LC-002 @L0-LC-003
  Scenario: A discarded job can be neither acknowledged nor failed
    Given a job saved as "job" is pushed with:
      """
      {"type": "lifecycle.run", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 1}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "fatal"}}
      """
    And the response field "$.state" is "discarded"
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}"}
      """
    Then the response is an OJS error "conflict" with status 409
    And the response field "$.error.details.current_state" is "discarded"
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "again"}}
      """
    Then the response is an OJS error "conflict" with status 409
    And the response field "$.error.details.current_state" is "discarded"

  @L0-LC-002 @L0-LC-003
  Scenario: A retryable job cannot be acknowledged before it runs again
    Given a job saved as "job" is pushed with:
      """
      {"type": "lifecycle.run", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 3, "initial_interval": "PT1M", "jitter": false}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "flaky"}}
      """
    And the response field "$.state" is "retryable"
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}"}
      """
    Then the response is an OJS error "conflict" with status 409
    And the response field "$.error.details.current_state" is "retryable"

  @L0-LC-003
  Scenario: Looking up an unknown job is not found
    When I GET "/ojs/v1/jobs/01900000-0000-7000-8000-000000000000"
    Then the response is an OJS error "not_found" with status 404
