Feature: Looking up a job
  Anyone holding a job id can read the job's full current state at any time, without
  changing it.

  @L1-INFO-001
  Scenario: Looking up a job returns its whole envelope
    Given a job saved as "job" is pushed with:
      """
      {"type": "info.demo", "args": [{"order": 17}], "meta": {"tenant_id": "acme"}, "options": {"queue": "{{queue}}", "priority": 5, "tags": ["vip"]}, "x_origin": "checkout"}
      """
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.job.id" equals the saved "job"
    And the response field "$.job.type" is "info.demo"
    And the response field "$.job.queue" is "{{queue}}"
    And the response field "$.job.args" is [{"order": 17}]
    And the response field "$.job.meta.tenant_id" is "acme"
    And the response field "$.job.state" is "available"
    And the response field "$.job.priority" is 5
    And the response field "$.job.tags" is ["vip"]
    And the response field "$.job.attempt" is 0
    And the response field "$.job.max_attempts" is 3
    And the response field "$.job.created_at" is a timestamp
    And the response field "$.job.x_origin" is "checkout"

  @L1-INFO-001
  Scenario: Looking up a job has no side effects
    Given a job of type "info.demo" in queue "{{queue}}" saved as "job"
    When I GET "/ojs/v1/jobs/{{job}}"
    And I save the response field "$.job" as "first_read"
    And I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job" equals the saved "first_read"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs[0].id" equals the saved "job"
    And the response field "$.jobs[0].attempt" is 1

  @L1-INFO-001
  Scenario: Looking up a job shows its progress through the lifecycle
    Given a job of type "info.demo" in queue "{{queue}}" saved as "job"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.state" is "active"
    And the response field "$.job.started_at" is a timestamp
    And the response field "$.job.worker_id" is "{{worker}}"
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}", "result": [1, 2, 3]}
      """
    And I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.state" is "completed"
    And the response field "$.job.result" is [1, 2, 3]

  @L1-INFO-001
  Scenario: Looking up an id that is not a job id gives a client error
    When I GET "/ojs/v1/jobs/not-a-job-id"
    Then the response status is one of 400, 404
    And the response has the OJS headers
    And the response field "$.error.code" exists
