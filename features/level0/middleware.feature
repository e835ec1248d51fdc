Feature: What client and worker middleware rely on
  Enqueue and execution middleware run inside client and worker libraries, not in the
  server. What the server owes them is to carry their data faithfully: metadata added
  before the push must reach the worker unchanged, and what execution middleware reports
  (errors, results) must be recorded on the job.

  @L0-MW-001
  Scenario: Metadata added before the push reaches the worker unchanged
    Given a job saved as "job" is pushed with:
      """
      {"type": "mw.trace", "args": [], "meta": {"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "tenant_id": "acme", "attrs": {"retries": [1, 2]}}, "options": {"queue": "{{queue}}"}}
      """
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs[0].id" equals the saved "job"
    And the response field "$.jobs[0].meta" is {"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "tenant_id": "acme", "attrs": {"retries": [1, 2]}}

  @L0-MW-001
  Scenario: Metadata given as an option is merged into the job's meta
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "mw.trace", "args": [], "meta": {"trace_id": "t-1"}, "options": {"queue": "{{queue}}", "metadata": {"tenant_id": "acme"}}}
      """
    Then the response status is 201
    And the response field "$.job.meta.trace_id" is "t-1"
    And the response field "$.job.meta.tenant_id" is "acme"

  @L0-MW-002
  Scenario: An error reported by execution middleware is recorded on the job
    Given a job of type "mw.exec" in queue "{{queue}}" saved as "job"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "middleware_timeout", "type": "middleware.timeout", "message": "handler exceeded 5s", "details": {"middleware": "timeout", "limit_ms": 5000}}}
      """
    Then the response status is 200
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.error.type" is "middleware.timeout"
    And the response field "$.job.error.details" is {"middleware": "timeout", "limit_ms": 5000}
    And the response field "$.job.errors[0].message" is "handler exceeded 5s"

  @L0-MW-002
  Scenario: A result shaped by execution middleware is stored on acknowledgement
    Given a job of type "mw.exec" in queue "{{queue}}" saved as "job"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}", "result": {"value": 42, "middleware": {"duration_ms": 5, "span_id": "00f067aa0ba902b7"}}}
      """
    Then the response status is 200
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.result" is {"value": 42, "middleware": {"duration_ms": 5, "span_id": "00f067aa0ba902b7"}}
