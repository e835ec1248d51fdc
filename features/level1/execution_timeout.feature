Feature: Execution timeout
  A job may say how long one attempt may run (timeout_ms). The server enforces it: an
  attempt that runs longer counts as a failed attempt with a timeout error, and the retry
  policy decides what happens next.

  @L1-RET-001 @L0-LC-002
  Scenario: An attempt that overruns its timeout fails and waits for a retry
    Given a job saved as "job" is pushed with:
      """
      {"type": "timeout.demo", "args": [], "options": {"queue": "{{queue}}", "timeout_ms": 500, "retry": {"max_attempts": 3, "initial_interval": "PT1M", "jitter": false}}}
      """
    And the response field "$.job.timeout_ms" is 500
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}", "visibility_timeout_ms": 60000}
      """
    When within 5 seconds GET "/ojs/v1/jobs/{{job}}" has field "$.job.state" equal to "retryable"
    Then the response field "$.job.error.type" is "timeout"
    And the response field "$.job.errors" has 1 item
    And the response field "$.job.errors[0].attempt" is 1
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}"}
      """
    Then the response is an OJS error "conflict" with status 409

  @L1-RET-001 @L0-LC-002
  Scenario: An attempt that overruns its timeout on the last attempt discards the job
    Given a job saved as "job" is pushed with:
      """
      {"type": "timeout.demo", "args": [], "options": {"queue": "{{queue}}", "timeout_ms": 500, "retry": {"max_attempts": 1}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}", "visibility_timeout_ms": 60000}
      """
    When within 5 seconds GET "/ojs/v1/jobs/{{job}}" has field "$.job.state" equal to "discarded"
    Then the response field "$.job.error.type" is "timeout"

  @L1-RET-001 @L1-HB-001
  Scenario: Heartbeats do not stretch the execution timeout
    Given a job saved as "job" is pushed with:
      """
      {"type": "timeout.demo", "args": [], "options": {"queue": "{{queue}}", "timeout_ms": 1000, "retry": {"max_attempts": 1}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}", "visibility_timeout_ms": 60000}
      """
    And I wait 500 milliseconds
    And I POST "/ojs/v1/workers/heartbeat" with:
      """
      {"worker_id": "{{worker}}", "active_jobs": ["{{job}}"], "visibility_timeout_ms": 60000}
      """
    And the response field "$.state" is "running"
    When within 5 seconds GET "/ojs/v1/jobs/{{job}}" has field "$.job.state" equal to "discarded"
    Then the response field "$.job.error.type" is "timeout"
