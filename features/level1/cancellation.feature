Feature: Cancelling jobs
  A job that has not finished can be cancelled; it is then never delivered again. A job
  that already ended cannot be cancelled, and the refusal says which state it is in.

  @L1-CAN-001 @L1-CAN-002 @L0-LC-002
  Scenario: An available job is cancelled and never delivered
    Given a job of type "cancel.demo" in queue "{{queue}}" saved as "job"
    When I DELETE "/ojs/v1/jobs/{{job}}"
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.job.id" equals the saved "job"
    And the response field "$.job.state" is "cancelled"
    And the response field "$.job.cancelled_at" is a timestamp
    And the response field "$.job.completed_at" does not exist
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs" is []
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.state" is "cancelled"
    And the response field "$.job.completed_at" does not exist

  @L1-CAN-002 @L0-LC-001 @L0-LC-002
  Scenario: A scheduled job is cancelled before it is due
    Given a job saved as "job" is pushed with:
      """
      {"type": "cancel.demo", "args": [], "options": {"queue": "{{queue}}", "scheduled_at": "{{now+1h}}"}}
      """
    And the response field "$.job.state" is "scheduled"
    When I DELETE "/ojs/v1/jobs/{{job}}"
    Then the response status is 200
    And the response field "$.job.state" is "cancelled"

  @L1-CAN-002 @L0-LC-001 @L0-LC-002
  Scenario: A pending job is cancelled
    Given a job saved as "job" is pushed with:
      """
      {"type": "cancel.demo", "args": [], "options": {"queue": "{{queue}}", "pending": true}}
      """
    And the response field "$.job.state" is "pending"
    When I DELETE "/ojs/v1/jobs/{{job}}"
    Then the response status is 200
    And the response field "$.job.state" is "cancelled"
    When I POST "/ojs/v1/jobs/{{job}}/activate"
    Then the response is an OJS error "conflict" with status 409

  @L1-CAN-002 @L0-LC-001 @L0-LC-002
  Scenario: A retryable job is cancelled and not retried
    Given a job saved as "job" is pushed with:
      """
      {"type": "cancel.demo", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 3, "initial_interval": "PT0.5S", "jitter": false}}}
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
    When I DELETE "/ojs/v1/jobs/{{job}}"
    Then the response status is 200
    And the response field "$.job.state" is "cancelled"
    When I wait 1000 milliseconds
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs" is []

  @L1-CAN-001 @L0-LC-002 @L0-LC-003
  Scenario: An active job is cancelled at once and its worker can no longer finish it
    Given a job of type "cancel.demo" in queue "{{queue}}" saved as "job"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    When I DELETE "/ojs/v1/jobs/{{job}}"
    Then the response status is 200
    And the response field "$.job.state" is "cancelled"
    And the response field "$.job.cancelled_at" is a timestamp
    And the response field "$.job.completed_at" does not exist
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}", "worker_id": "{{worker}}"}
      """
    Then the response is an OJS error "conflict" with status 409
    And the response field "$.error.details.current_state" is "cancelled"
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "worker_id": "{{worker}}", "error": {"code": "handler_error", "message": "late"}}
      """
    Then the response is an OJS error "conflict" with status 409

  @L0-LC-003 @L1-CAN-001
  Scenario: A completed job cannot be cancelled
    Given a job of type "cancel.demo" in queue "{{queue}}" saved as "job"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}"}
      """
    When I DELETE "/ojs/v1/jobs/{{job}}"
    Then the response is an OJS error "conflict" with status 409
    And the response field "$.error.details.current_state" is "completed"
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.state" is "completed"

  @L0-LC-003 @L1-CAN-001
  Scenario: A cancelled job cannot be cancelled again
    Given a job of type "cancel.demo" in queue "{{queue}}" saved as "job"
    And I DELETE "/ojs/v1/jobs/{{job}}"
    When I DELETE "/ojs/v1/jobs/{{job}}"
    Then the response is an OJS error "conflict" with status 409
    And the response field "$.error.details.current_state" is "cancelled"

  @L0-LC-003 @L1-CAN-001
  Scenario: A discarded job cannot be cancelled
    Given a job saved as "job" is pushed with:
      """
      {"type": "cancel.demo", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 1}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "fatal"}}
      """
    When I DELETE "/ojs/v1/jobs/{{job}}"
    Then the response is an OJS error "conflict" with status 409
    And the response field "$.error.details.current_state" is "discarded"

  @L1-CAN-001
  Scenario: Cancelling an unknown job is not found
    When I DELETE "/ojs/v1/jobs/01900000-0000-7000-8000-000000000000"
    Then the response is an OJS error "not_found" with status 404
