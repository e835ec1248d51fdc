Feature: Errors that must not be retried
  Some failures will never succeed on a retry. A policy can list them (exactly, or by a
  prefix ending in ".*"), and a worker can say so itself; such a failure ends the job at
  once. A worker can also hand a job back untouched with requeue.

  Background:
    Given a job saved as "job" is pushed with:
      """
      {"type": "non-retryable.demo", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 5, "initial_interval": "PT1M", "jitter": false, "non_retryable_errors": ["validation.failed", "auth.*"]}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And the response field "$.jobs[0].id" equals the saved "job"

  @L1-RET-003
  Scenario: An error type listed exactly discards the job on its first failure
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "validation.failed", "type": "validation.failed", "message": "email is malformed"}}
      """
    Then the response status is 200
    And the response field "$.state" is "discarded"
    And the response field "$.attempt" is 1
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.state" is "discarded"
    And the response field "$.job.completed_at" is a timestamp

  @L1-RET-003
  Scenario: An error type under a listed prefix discards the job
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "auth_failed", "type": "auth.token_expired", "message": "token expired"}}
      """
    Then the response field "$.state" is "discarded"

  @L1-RET-003
  Scenario: An error class in the details is matched like the type
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "bad input", "details": {"error_class": "validation.failed"}}}
      """
    Then the response field "$.state" is "discarded"

  @L1-RET-003
  Scenario: A prefix only matches whole namespace segments
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "authz_denied", "type": "authz.denied", "message": "not allowed"}}
      """
    Then the response field "$.state" is "retryable"

  @L1-RET-003
  Scenario: An error that is not listed is retried
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "network_timeout", "type": "network.timeout", "message": "upstream timed out"}}
      """
    Then the response field "$.state" is "retryable"
    And the response field "$.attempt" is 1

  @L1-RET-003
  Scenario: A worker can mark its own failure as not retryable
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "record deleted", "retryable": false}}
      """
    Then the response field "$.state" is "discarded"
    And the response field "$.attempt" is 1

  @L1-RET-001
  Scenario: Requeue hands the job straight back without using up a retry delay
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "requeue": true, "error": {"code": "shutting_down", "message": "worker is stopping"}}
      """
    Then the response status is 200
    And the response field "$.state" is "available"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{other_worker}}"}
      """
    Then the response field "$.jobs[0].id" equals the saved "job"
    And the response field "$.jobs[0].attempt" is 2

  @L1-RET-001
  Scenario: Requeue wins over an error marked as not retryable
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "requeue": true, "error": {"code": "handler_error", "message": "stop", "retryable": false}}
      """
    Then the response field "$.state" is "available"
