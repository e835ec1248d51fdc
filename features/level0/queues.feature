Feature: Queues
  Every server has a queue called "default" that takes jobs pushed without a queue, and
  it can list the queues it knows.

  @L0-Q-001
  Scenario: A job pushed without a queue goes to the default queue
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "queue.default-check", "args": []}
      """
    Then the response status is 201
    And the response field "$.job.queue" is "default"
    And I save the response field "$.job.id" as "job"
    When I DELETE "/ojs/v1/jobs/{{job}}"
    Then the response status is 200

  @L0-WF-001
  Scenario: A queue that has received a job is listed
    Given a job of type "queue.list-check" in queue "{{queue}}" saved as "job"
    When I GET "/ojs/v1/queues?limit=1000"
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.queues[*].name" contains "{{queue}}"

  @L0-Q-001 @serial @reset
  Scenario: The default queue serves its jobs and is listed among the queues
    When I POST "/ojs/v1/admin/reset"
    Then the response status is 200
    And the response field "$.reset" is true
    Given a job saved as "job" is pushed with:
      """
      {"type": "queue.default-check", "args": ["d"]}
      """
    When I GET "/ojs/v1/queues"
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.queues[*].name" contains "default"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["default"], "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs" has 1 item
    And the response field "$.jobs[0].id" equals the saved "job"
    And the response field "$.jobs[0].queue" is "default"
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}"}
      """
    Then the response status is 200

  @L0-WF-001 @serial @reset
  Scenario: Resetting the server forgets every job
    Given a job of type "queue.reset-check" in queue "{{queue}}" saved as "job"
    When I POST "/ojs/v1/admin/reset"
    Then the response status is 200
    And the response has the OJS headers
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response is an OJS error "not_found" with status 404
