Feature: Dead letter queue
  A job whose policy says so is kept in the dead letter queue once it is discarded. An
  operator can list those jobs, look at their errors, run one again or delete it.

  @L1-DLQ-001 @L1-DLQ-002
  Scenario: A job that exhausts its attempts with a dead-letter policy is listed there
    Given a job saved as "job" is pushed with:
      """
      {"type": "dlq.demo", "args": ["payload"], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 1, "on_exhaustion": "dead_letter"}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "poison message"}}
      """
    And the response field "$.state" is "discarded"
    When I GET "/ojs/v1/dead-letter?queue={{queue}}"
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.jobs" has 1 item
    And the response field "$.jobs[0].id" equals the saved "job"
    And the response field "$.jobs[0].state" is "discarded"
    And the response field "$.jobs[0].type" is "dlq.demo"
    And the response field "$.jobs[0].args" is ["payload"]
    And the response field "$.jobs[0].errors" has 1 item
    And the response field "$.jobs[0].errors[0].message" is "poison message"
    And the response field "$.pagination.total" is at least 1

  @L1-DLQ-001
  Scenario: A non-retryable failure under a dead-letter policy also lands there
    Given a job saved as "job" is pushed with:
      """
      {"type": "dlq.demo", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 5, "on_exhaustion": "dead_letter"}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "bad data", "retryable": false}}
      """
    When I GET "/ojs/v1/dead-letter?queue={{queue}}"
    Then the response field "$.jobs" has 1 item
    And the response field "$.jobs[0].id" equals the saved "job"

  @L1-DLQ-001
  Scenario: A plainly discarded job stays out of the dead letter queue
    Given a job saved as "job" is pushed with:
      """
      {"type": "dlq.demo", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 1}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "dropped"}}
      """
    And the response field "$.state" is "discarded"
    When I GET "/ojs/v1/dead-letter?queue={{queue}}"
    Then the response field "$.jobs" is []
    When I POST "/ojs/v1/dead-letter/{{job}}/retry"
    Then the response is an OJS error "not_found" with status 404

  @L1-DLQ-002
  Scenario: Retrying a dead job makes it available again as a fresh first attempt
    Given a job saved as "job" is pushed with:
      """
      {"type": "dlq.demo", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 1, "on_exhaustion": "dead_letter"}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "fixed later"}}
      """
    When I POST "/ojs/v1/dead-letter/{{job}}/retry" with:
      """
      {}
      """
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.job.id" equals the saved "job"
    And the response field "$.job.state" is "available"
    And the response field "$.job.attempt" is 0
    When I GET "/ojs/v1/dead-letter?queue={{queue}}"
    Then the response field "$.jobs" is []
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs[0].id" equals the saved "job"
    And the response field "$.jobs[0].attempt" is 1
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}"}
      """
    Then the response field "$.state" is "completed"

  @L1-DLQ-002
  Scenario: Deleting a dead job removes it from the dead letter queue
    Given a job saved as "job" is pushed with:
      """
      {"type": "dlq.demo", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 1, "on_exhaustion": "dead_letter"}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "give up"}}
      """
    When I DELETE "/ojs/v1/dead-letter/{{job}}"
    Then the response status is 200
    And the response field "$.deleted" is true
    And the response field "$.job_id" equals the saved "job"
    When I GET "/ojs/v1/dead-letter?queue={{queue}}"
    Then the response field "$.jobs" is []
    When I DELETE "/ojs/v1/dead-letter/{{job}}"
    Then the response is an OJS error "not_found" with status 404

  @L1-DLQ-002
  Scenario: Retrying an id that is not in the dead letter queue is not found
    When I POST "/ojs/v1/dead-letter/01900000-0000-7000-8000-000000000000/retry"
    Then the response is an OJS error "not_found" with status 404
