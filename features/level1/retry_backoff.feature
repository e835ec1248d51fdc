Feature: Retry policies and backoff
  A job's retry policy decides how long to wait after each failed attempt. The delay the
  server chose is reported on the failure answer and on the job (retry_delay_ms), so the
  numbers below are read, not waited for; only the first waits are real.

  @L1-RET-001 @L1-RET-002
  Scenario: Exponential backoff doubles the delay after each failure
    Given a job saved as "job" is pushed with:
      """
      {"type": "retry-test.exponential", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 4, "initial_interval": "PT1S", "backoff_coefficient": 2.0, "max_interval": "PT1M", "jitter": false}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "first failure"}}
      """
    Then the response field "$.state" is "retryable"
    And the response field "$.retry_delay_ms" is 1000
    And the response field "$.job.retry_delay_ms" is 1000
    When within 4 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs[0].attempt" is 2
    And the response field "$.jobs[0].retry_delay_ms" is 1000
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "second failure"}}
      """
    Then the response field "$.retry_delay_ms" is 2000
    And the response field "$.attempt" is 2

  @L1-RET-001 @L1-RET-002
  Scenario: Linear backoff grows the delay by the initial interval each time
    Given a job saved as "job" is pushed with:
      """
      {"type": "retry-test.linear", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 4, "initial_interval": "PT1S", "backoff_strategy": "linear", "max_interval": "PT1M", "jitter": false}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "failure 1"}}
      """
    Then the response field "$.retry_delay_ms" is 1000
    When within 4 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "failure 2"}}
      """
    Then the response field "$.retry_delay_ms" is 2000
    When within 5 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "failure 3"}}
      """
    Then the response field "$.retry_delay_ms" is 3000
    And the response field "$.attempt" is 3
    And the response field "$.state" is "retryable"

  @L1-RET-001 @L1-RET-002
  Scenario: A coefficient of 1 keeps the delay constant
    Given a job saved as "job" is pushed with:
      """
      {"type": "retry-test.constant", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 4, "initial_interval": "PT1S", "backoff_coefficient": 1.0, "jitter": false}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "failure 1"}}
      """
    Then the response field "$.retry_delay_ms" is 1000
    When within 4 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "failure 2"}}
      """
    Then the response field "$.retry_delay_ms" is 1000

  @L1-RET-001
  Scenario: The constant strategy ignores the coefficient
    Given a job saved as "job" is pushed with:
      """
      {"type": "retry-test.constant", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 4, "initial_interval": "PT1S", "backoff_coefficient": 3.0, "backoff_strategy": "constant", "jitter": false}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "failure 1"}}
      """
    Then the response field "$.retry_delay_ms" is 1000
    When within 4 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "failure 2"}}
      """
    Then the response field "$.retry_delay_ms" is 1000

  @L1-RET-001
  Scenario: Polynomial backoff raises the attempt number to the coefficient
    Given a job saved as "job" is pushed with:
      """
      {"type": "retry-test.polynomial", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 4, "initial_interval": "PT1S", "backoff_coefficient": 2.0, "backoff_strategy": "polynomial", "max_interval": "PT1M", "jitter": false}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "failure 1"}}
      """
    Then the response field "$.retry_delay_ms" is 1000
    When within 4 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "failure 2"}}
      """
    Then the response field "$.retry_delay_ms" is 4000

  @L1-RET-002
  Scenario: The maximum interval caps a fast-growing delay
    Given a job saved as "job" is pushed with:
      """
      {"type": "retry-test.capped", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 5, "initial_interval": "PT1S", "backoff_coefficient": 10.0, "max_interval": "PT2S", "jitter": false}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "failure 1"}}
      """
    Then the response field "$.retry_delay_ms" is 1000
    When within 4 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "failure 2"}}
      """
    Then the response field "$.retry_delay_ms" is 2000
    When within 5 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "failure 3"}}
      """
    Then the response field "$.retry_delay_ms" is 2000

  @L1-RET-002
  Scenario: Jitter spreads the delay between half and one and a half times the base
    Given a job saved as "job" is pushed with:
      """
      {"type": "retry-test.jitter", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 3, "initial_interval": "PT2S", "backoff_coefficient": 1.0, "max_interval": "PT1M", "jitter": true}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "failure 1"}}
      """
    Then the response field "$.state" is "retryable"
    And the response field "$.retry_delay_ms" is between 1000 and 3000

  @L1-RET-002
  Scenario: A jittered delay still respects the maximum interval
    Given a job saved as "job" is pushed with:
      """
      {"type": "retry-test.jitter", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 3, "initial_interval": "PT2S", "backoff_coefficient": 1.0, "max_interval": "PT2S", "jitter": true}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "failure 1"}}
      """
    Then the response field "$.retry_delay_ms" is between 1000 and 2000

  @L1-RET-002
  Scenario: A partial policy is completed field by field with the defaults
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "retry-test.merge", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 5}}}
      """
    Then the response status is 201
    And the response field "$.job.max_attempts" is 5
    And the response field "$.job.retry.max_attempts" is 5
    And the response field "$.job.retry.initial_interval" is "PT1S"
    And the response field "$.job.retry.backoff_coefficient" is 2
    And the response field "$.job.retry.max_interval" is "PT5M"
    And the response field "$.job.retry.jitter" is true

  @L1-RET-002
  Scenario: A policy that only changes the interval keeps the default attempts and jitter
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "retry-test.merge", "args": [], "options": {"queue": "{{queue}}", "retry": {"initial_interval": "PT0.5S"}}}
      """
    Then the response status is 201
    And the response field "$.job.max_attempts" is 3
    And the response field "$.job.retry.initial_interval" is "PT0.5S"
    And the response field "$.job.retry.jitter" is true

  @L1-RET-002
  Scenario: Without a policy the default one-second jittered delay applies
    Given a job of type "retry-test.default" in queue "{{queue}}" saved as "job"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "failure 1"}}
      """
    Then the response field "$.state" is "retryable"
    And the response field "$.retry_delay_ms" is between 500 and 1500

  @L1-RET-001 @L1-DLQ-001
  Scenario: A job is retried until its attempts run out and is then discarded
    Given a job saved as "job" is pushed with:
      """
      {"type": "retry-test.exhaust", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 3, "initial_interval": "PT0.1S", "jitter": false}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "failure 1"}}
      """
    Then the response field "$.state" is "retryable"
    When within 3 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs[0].attempt" is 2
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "failure 2"}}
      """
    Then the response field "$.state" is "retryable"
    When within 3 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs[0].attempt" is 3
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "failure 3"}}
      """
    Then the response field "$.state" is "discarded"
    And the response field "$.attempt" is 3
    And the response field "$.max_attempts" is 3
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.state" is "discarded"
    And the response field "$.job.errors" has 3 items

  @L1-RET-002
  Scenario: A negative max_attempts is a validation error naming the field
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "retry-test.invalid", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": -1}}}
      """
    Then the response is an OJS error "validation_error" with status 422
    And the response field "$.error.type" is "validation_error"
    And the response field "$.error.message" contains "max_attempts"

  @L1-RET-002
  Scenario: A backoff coefficient below 1 is a validation error naming the field
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "retry-test.invalid", "args": [], "options": {"queue": "{{queue}}", "retry": {"backoff_coefficient": 0.5}}}
      """
    Then the response is an OJS error "validation_error" with status 422
    And the response field "$.error.type" is "validation_error"
    And the response field "$.error.message" contains "backoff_coefficient"

  @L1-RET-002
  Scenario Outline: An interval that is not a positive ISO 8601 duration is rejected
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "retry-test.invalid", "args": [], "options": {"queue": "{{queue}}", "retry": {"initial_interval": "<interval>"}}}
      """
    Then the response is an OJS error "invalid_request" with status 400

    Examples:
      | interval   |
      | one second |
      | PT0S       |
      | 5s         |

  @L1-RET-001
  Scenario: The retry policy may also be given as retry_policy
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "retry-test.alias", "args": [], "options": {"queue": "{{queue}}", "retry_policy": {"max_attempts": 7, "jitter": false}}}
      """
    Then the response status is 201
    And the response field "$.job.max_attempts" is 7
    And the response field "$.job.retry.max_attempts" is 7
    And the response field "$.job.retry.jitter" is false
