Feature: Worker heartbeat
  A worker that is busy with jobs beats regularly. Each beat keeps its jobs reserved for
  longer, and the answer tells the worker whether to keep going, stop fetching (quiet) or
  shut down (terminate).

  @L1-HB-001
  Scenario: A heartbeat for an active job tells the worker to keep running
    Given a job of type "hb.demo" in queue "{{queue}}" saved as "job"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    When I POST "/ojs/v1/workers/heartbeat" with:
      """
      {"worker_id": "{{worker}}", "active_jobs": ["{{job}}"]}
      """
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.state" is "running"
    And the response field "$.jobs_extended" contains "{{job}}"

  @L1-HB-001
  Scenario: A heartbeat from an idle worker is accepted
    When I POST "/ojs/v1/workers/heartbeat" with:
      """
      {"worker_id": "{{worker}}", "active_jobs": []}
      """
    Then the response status is 200
    And the response field "$.state" is "running"

  @L1-HB-001
  Scenario: A heartbeat may name its single job with job_id
    Given a job of type "hb.demo" in queue "{{queue}}" saved as "job"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    When I POST "/ojs/v1/workers/heartbeat" with:
      """
      {"worker_id": "{{worker}}", "job_id": "{{job}}"}
      """
    Then the response status is 200
    And the response field "$.state" is "running"
    And the response field "$.jobs_extended" contains "{{job}}"

  @L1-HB-001
  Scenario: Unknown and finished jobs in a heartbeat are skipped, not errors
    Given a job of type "hb.demo" in queue "{{queue}}" saved as "job"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}"}
      """
    When I POST "/ojs/v1/workers/heartbeat" with:
      """
      {"worker_id": "{{worker}}", "active_jobs": ["{{job}}", "01900000-0000-7000-8000-000000000000"]}
      """
    Then the response status is 200
    And the response field "$.state" is "running"
    And the response field "$.jobs_extended" is []

  @L1-HB-001
  Scenario: A heartbeat without a worker id is rejected
    When I POST "/ojs/v1/workers/heartbeat" with:
      """
      {"active_jobs": []}
      """
    Then the response is an OJS error "invalid_request" with status 400

  @L1-HB-001 @L1-VT-001
  Scenario: Heartbeats keep a job reserved past its original deadline
    Given a job of type "hb.demo" in queue "{{queue}}" saved as "job"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}", "visibility_timeout_ms": 1000}
      """
    And I wait 400 milliseconds
    When I POST "/ojs/v1/workers/heartbeat" with:
      """
      {"worker_id": "{{worker}}", "active_jobs": ["{{job}}"], "visibility_timeout_ms": 4000}
      """
    Then the response status is 200
    When I wait 2000 milliseconds
    And I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.state" is "active"
    And the response field "$.job.attempt" is 1
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}"}
      """
    Then the response status is 200
    And the response field "$.state" is "completed"

  @L1-HB-002
  Scenario Outline: The server can tell a busy worker to go quiet or to terminate
    Given a job saved as "job" is pushed with:
      """
      {"type": "hb.demo", "args": [], "options": {"queue": "{{queue}}", "metadata": {"test_directive": "<directive>"}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    When I POST "/ojs/v1/workers/heartbeat" with:
      """
      {"worker_id": "{{worker}}", "active_jobs": ["{{job}}"]}
      """
    Then the response status is 200
    And the response field "$.state" is "<directive>"
    And the response field "$.directive" is "<directive>"
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}"}
      """
    Then the response status is 200

    Examples:
      | directive |
      | quiet     |
      | terminate |
