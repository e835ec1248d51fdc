@ext-long-poll
Feature: Long-poll fetch (extension)
  A worker may ask the server to hold a fetch open for a while when nothing is available,
  so it learns about new work at once instead of polling.

  @L0-OPS-002
  Scenario: The manifest declares the long-poll fetch extension
    When I GET "/ojs/manifest"
    Then the response status is 200
    And the response field "$.extensions.experimental[*].name" contains "fetch-long-poll"

  @L0-OPS-002
  Scenario: A long-poll fetch on an empty queue ends with no jobs when the wait is over
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}", "wait_ms": 300}
      """
    Then the response status is 200
    And the response field "$.jobs" is []

  @L0-OPS-002
  Scenario: A long-poll fetch returns a job that becomes available while it waits
    Given a job of type "long-poll.demo" in queue "{{queue}}" saved as "job"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}", "visibility_timeout_ms": 500}
      """
    And the response field "$.jobs[0].id" equals the saved "job"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{other_worker}}", "wait_ms": 5000}
      """
    Then the response status is 200
    And the response field "$.jobs[0].id" equals the saved "job"
    And the response field "$.jobs[0].attempt" is 2
