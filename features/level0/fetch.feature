Feature: Fetching jobs
  A worker asks for work from one or more queues and gets jobs it now owns: active, with
  the attempt number already counted and the time it started.

  @L0-OPS-002 @L0-LC-002
  Scenario: A fetched job is active, counted as attempt 1 and owned by the worker
    Given a job of type "report.build" in queue "{{queue}}" saved as "job"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.jobs" has 1 item
    And the response field "$.jobs[0].id" equals the saved "job"
    And the response field "$.jobs[0].state" is "active"
    And the response field "$.jobs[0].attempt" is 1
    And the response field "$.jobs[0].started_at" is a timestamp
    And the response field "$.jobs[0].worker_id" is "{{worker}}"
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.state" is "active"
    And the response field "$.job.attempt" is 1

  @L0-OPS-002
  Scenario: Fetching from an empty queue answers 200 with no jobs
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.jobs" is []

  @L0-OPS-002
  Scenario: A fetch without queues is rejected
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"worker_id": "{{worker}}"}
      """
    Then the response is an OJS error "invalid_request" with status 400

  @L0-OPS-002
  Scenario: A fetch with an empty queue list is rejected
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": [], "worker_id": "{{worker}}"}
      """
    Then the response is an OJS error "invalid_request" with status 400

  @L0-OPS-002
  Scenario: Jobs of one queue are delivered in the order they were pushed
    Given a job of type "report.build" in queue "{{queue}}" saved as "first"
    And a job of type "report.build" in queue "{{queue}}" saved as "second"
    And a job of type "report.build" in queue "{{queue}}" saved as "third"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs[0].id" equals the saved "first"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs[0].id" equals the saved "second"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs[0].id" equals the saved "third"

  @L0-OPS-002
  Scenario: A fetch returns at most count jobs, oldest first, and one job by default
    Given a job of type "report.build" in queue "{{queue}}" saved as "first"
    And a job of type "report.build" in queue "{{queue}}" saved as "second"
    And a job of type "report.build" in queue "{{queue}}" saved as "third"
    And a job of type "report.build" in queue "{{queue}}" saved as "fourth"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 2, "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs" has 2 items
    And the response field "$.jobs[0].id" equals the saved "first"
    And the response field "$.jobs[1].id" equals the saved "second"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs" has 1 item
    And the response field "$.jobs[0].id" equals the saved "third"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10, "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs" has 1 item
    And the response field "$.jobs[0].id" equals the saved "fourth"

  @L0-OPS-002
  Scenario: A multi-queue fetch drains the queues from left to right
    Given a job of type "report.build" in queue "{{low}}" saved as "low_job"
    And a job of type "report.build" in queue "{{high}}" saved as "high_job"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{high}}", "{{low}}"], "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs[0].id" equals the saved "high_job"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{high}}", "{{low}}"], "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs[0].id" equals the saved "low_job"

  @L0-OPS-002 @L0-LC-002
  Scenario: A job that was fetched is not handed to a second worker
    Given a job of type "report.build" in queue "{{queue}}" saved as "job"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs" has 1 item
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{other_worker}}"}
      """
    Then the response status is 200
    And the response field "$.jobs" is []
