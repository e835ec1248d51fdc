Feature: Reporting the outcome of a job
  A worker finishes a job with ACK (success, with an optional result) or with FAIL/NACK
  (a structured error). The answers are flat objects naming the job and its new state.

  Background:
    Given a job of type "invoice.render" in queue "{{queue}}" saved as "job"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And the response field "$.jobs[0].id" equals the saved "job"

  @L0-OPS-003 @L0-LC-002
  Scenario: Acknowledging an active job completes it and stores the result
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}", "worker_id": "{{worker}}", "result": {"pages": 3, "url": "s3://bucket/inv.pdf"}}
      """
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.acknowledged" is true
    And the response field "$.id" equals the saved "job"
    And the response field "$.job_id" equals the saved "job"
    And the response field "$.state" is "completed"
    And the response field "$.completed_at" is a timestamp
    And the response field "$.job.state" is "completed"
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.state" is "completed"
    And the response field "$.job.completed_at" is a timestamp
    And the response field "$.job.result" is {"pages": 3, "url": "s3://bucket/inv.pdf"}

  @L0-OPS-003
  Scenario: An acknowledgement without a job id is rejected
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"worker_id": "{{worker}}"}
      """
    Then the response is an OJS error "invalid_request" with status 400

  @L0-OPS-003
  Scenario: Acknowledging an unknown job is not found
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "01900000-0000-7000-8000-000000000000"}
      """
    Then the response is an OJS error "not_found" with status 404

  @L0-OPS-004 @L0-LC-002
  Scenario: A failure with attempts left makes the job retryable and says when it retries
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "worker_id": "{{worker}}", "error": {"code": "handler_error", "message": "template missing"}}
      """
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.id" equals the saved "job"
    And the response field "$.job_id" equals the saved "job"
    And the response field "$.state" is "retryable"
    And the response field "$.attempt" is 1
    And the response field "$.max_attempts" is 3
    And the response field "$.next_attempt_at" is a timestamp
    And the response field "$.retry_delay_ms" is at least 0
    And the response field "$.job.state" is "retryable"
    And the response field "$.job.error.message" is "template missing"

  @L0-OPS-004
  Scenario: A failure reported as a bare string is still recorded
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": "connection timeout"}
      """
    Then the response status is 200
    And the response field "$.state" is "retryable"
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.error.message" contains "connection timeout"

  @L0-OPS-004
  Scenario: A failure reported without any error object is still a failure
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}"}
      """
    Then the response status is 200
    And the response field "$.state" is "retryable"
    And the response field "$.attempt" is 1

  @L0-OPS-004
  Scenario: A failure without a job id is rejected
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"error": {"code": "handler_error", "message": "boom"}}
      """
    Then the response is an OJS error "invalid_request" with status 400

  @L0-OPS-004
  Scenario: Failing an unknown job is not found
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "01900000-0000-7000-8000-000000000000", "error": {"code": "handler_error", "message": "boom"}}
      """
    Then the response is an OJS error "not_found" with status 404

  @L0-OPS-004 @L0-WF-001
  Scenario: The structured error of a failure is kept on the job
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "smtp_unavailable", "type": "smtp.unavailable", "message": "connection refused", "details": {"host": "mx1", "port": 25}}}
      """
    Then the response status is 200
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.error.code" is "smtp_unavailable"
    And the response field "$.job.error.type" is "smtp.unavailable"
    And the response field "$.job.error.message" is "connection refused"
    And the response field "$.job.error.details" is {"host": "mx1", "port": 25}
