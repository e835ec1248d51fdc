Feature: Visibility timeout
  A fetched job is reserved for its worker for a limited time. If the worker neither
  finishes nor fails it in time (it crashed, say), the server takes the job back and hands
  it to the next worker, unless it has no attempts left.

  @L1-VT-001
  Scenario: A reserved job is hidden from other workers until its deadline
    Given a job of type "vt.demo" in queue "{{queue}}" saved as "job"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}", "visibility_timeout_ms": 5000}
      """
    When I wait 1000 milliseconds
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{other_worker}}"}
      """
    Then the response field "$.jobs" is []
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.state" is "active"

  @L1-VT-001 @L1-VT-002
  Scenario: A job whose reservation runs out goes back to the queue
    Given a job of type "vt.demo" in queue "{{queue}}" saved as "job"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}", "visibility_timeout_ms": 500}
      """
    When within 5 seconds GET "/ojs/v1/jobs/{{job}}" has field "$.job.state" equal to "available"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{other_worker}}"}
      """
    Then the response field "$.jobs[0].id" equals the saved "job"
    And the response field "$.jobs[0].attempt" is 2
    And the response field "$.jobs[0].worker_id" is "{{other_worker}}"

  @L1-VT-001 @L1-VT-002
  Scenario: A per-job visibility timeout applies when the fetch names none
    Given a job saved as "job" is pushed with:
      """
      {"type": "vt.demo", "args": [], "options": {"queue": "{{queue}}", "visibility_timeout_ms": 500}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    When within 5 seconds GET "/ojs/v1/jobs/{{job}}" has field "$.job.state" equal to "available"
    Then the response field "$.job.attempt" is 1
    And the response field "$.job.worker_id" does not exist

  @L1-VT-002
  Scenario: A job whose reservation runs out on its last attempt is discarded
    Given a job saved as "job" is pushed with:
      """
      {"type": "vt.demo", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 1}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}", "visibility_timeout_ms": 500}
      """
    When within 5 seconds GET "/ojs/v1/jobs/{{job}}" has field "$.job.state" equal to "discarded"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{other_worker}}"}
      """
    Then the response field "$.jobs" is []

  @L1-VT-002 @L0-LC-003
  Scenario: A late acknowledgement after the job was taken back is a conflict
    Given a job of type "vt.demo" in queue "{{queue}}" saved as "job"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}", "visibility_timeout_ms": 500}
      """
    When within 5 seconds GET "/ojs/v1/jobs/{{job}}" has field "$.job.state" equal to "available"
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}", "worker_id": "{{worker}}"}
      """
    Then the response is an OJS error "conflict" with status 409
    And the response field "$.error.details.current_state" is "available"
