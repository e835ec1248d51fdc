@ext-batch-ack
Feature: Batch acknowledgement (extension)
  A worker that finished several jobs can acknowledge them in one request. Each entry is
  answered on its own, in request order, so one bad id does not spoil the others.

  @L0-OPS-003
  Scenario: The manifest declares the batch acknowledgement extension
    When I GET "/ojs/manifest"
    Then the response status is 200
    And the response field "$.extensions.experimental[*].name" contains "batch-ack"

  @L0-OPS-003
  Scenario: Several jobs are acknowledged in one request with a result per entry
    Given a job of type "batch-ack.demo" in queue "{{queue}}" saved as "first"
    And a job of type "batch-ack.demo" in queue "{{queue}}" saved as "second"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 2, "worker_id": "{{worker}}"}
      """
    And the response field "$.jobs" has 2 items
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"acks": [{"job_id": "{{first}}", "result": {"n": 1}}, {"job_id": "01900000-0000-7000-8000-000000000000"}, {"job_id": "{{second}}"}, {"job_id": "{{first}}"}]}
      """
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.acknowledged" is 2
    And the response field "$.results" has 4 items
    And the response field "$.results[0].job_id" equals the saved "first"
    And the response field "$.results[0].acknowledged" is true
    And the response field "$.results[0].state" is "completed"
    And the response field "$.results[1].acknowledged" is false
    And the response field "$.results[1].error.code" is "not_found"
    And the response field "$.results[2].job_id" equals the saved "second"
    And the response field "$.results[2].acknowledged" is true
    And the response field "$.results[3].acknowledged" is false
    And the response field "$.results[3].error.code" is "conflict"
    When I GET "/ojs/v1/jobs/{{first}}"
    Then the response field "$.job.state" is "completed"
    And the response field "$.job.result" is {"n": 1}
    When I GET "/ojs/v1/jobs/{{second}}"
    Then the response field "$.job.state" is "completed"
