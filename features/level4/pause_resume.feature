Feature: Pausing and resuming a queue
  Pausing a queue stops deliveries from it but keeps accepting new jobs, which wait as
  available. Jobs already running are not touched. Resuming restores delivery in the
  original order. A queue can be paused before it has ever been used.

  @L4-PAUSE-001
  Scenario: A paused queue accepts jobs but delivers none
    Given a job saved as "before" is pushed with:
      """
      {"type": "pause.job", "args": [1], "options": {"queue": "{{queue}}"}}
      """
    When I POST "/ojs/v1/queues/{{queue}}/pause" with:
      """
      {}
      """
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.queue.name" is "{{queue}}"
    And the response field "$.queue.paused" is true
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "pause.job", "args": [2], "options": {"queue": "{{queue}}"}}
      """
    Then the response status is 201
    And the response field "$.job.state" is "available"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response status is 200
    And the response field "$.jobs" has 0 items
    When I GET "/ojs/v1/queues/{{queue}}/stats"
    Then the response field "$.queue.paused" is true
    And the response field "$.queue.available" is 2

  @L4-PAUSE-001 @L4-PAUSE-002
  Scenario: Resuming delivers the waiting jobs in their original order
    Given a job saved as "one" is pushed with:
      """
      {"type": "pause.job", "args": [1], "options": {"queue": "{{queue}}"}}
      """
    When I POST "/ojs/v1/queues/{{queue}}/pause" with:
      """
      {}
      """
    Then the response status is 200
    Given a job saved as "two" is pushed with:
      """
      {"type": "pause.job", "args": [2], "options": {"queue": "{{queue}}"}}
      """
    And a job saved as "three" is pushed with:
      """
      {"type": "pause.job", "args": [3], "options": {"queue": "{{queue}}"}}
      """
    When I POST "/ojs/v1/queues/{{queue}}/resume" with:
      """
      {}
      """
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.queue.name" is "{{queue}}"
    And the response field "$.queue.paused" is false
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 3 items
    And the response field "$.jobs[0].id" equals the saved "one"
    And the response field "$.jobs[1].id" equals the saved "two"
    And the response field "$.jobs[2].id" equals the saved "three"
    When I GET "/ojs/v1/queues/{{queue}}/stats"
    Then the response field "$.queue.paused" is false

  @L4-PAUSE-001
  Scenario: A paused queue is listed with status paused, and as active again after resume
    Given a job of type "pause.job" in queue "{{queue}}" saved as "job"
    When I POST "/ojs/v1/queues/{{queue}}/pause" with:
      """
      {}
      """
    And I GET "/ojs/v1/queues"
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.queues" has an item matching {"name": "{{queue}}", "status": "paused"}
    When I POST "/ojs/v1/queues/{{queue}}/resume" with:
      """
      {}
      """
    And I GET "/ojs/v1/queues"
    Then the response field "$.queues" has an item matching {"name": "{{queue}}", "status": "active"}

  @L4-PAUSE-001
  Scenario: Jobs that are already running can still be finished while the queue is paused
    Given a job of type "pause.job" in queue "{{queue}}" saved as "job"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    Then the response field "$.jobs[0].id" equals the saved "job"
    When I POST "/ojs/v1/queues/{{queue}}/pause" with:
      """
      {}
      """
    And I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.state" is "active"
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}"}
      """
    Then the response status is 200
    And the response field "$.state" is "completed"

  @L4-PAUSE-001
  Scenario: Pausing one queue does not hold back the other queues of a fetch
    Given a job of type "pause.job" in queue "{{queue}}" saved as "held"
    And a job of type "pause.job" in queue "{{other}}" saved as "free"
    When I POST "/ojs/v1/queues/{{queue}}/pause" with:
      """
      {}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}", "{{other}}"], "count": 10}
      """
    Then the response field "$.jobs" has 1 items
    And the response field "$.jobs[0].id" equals the saved "free"

  @L4-PAUSE-001 @L4-PAUSE-002
  Scenario: Queues that were never used can be paused and resumed, with or without a body
    When I POST "/ojs/v1/queues/{{fresh}}/pause"
    Then the response status is 200
    And the response field "$.queue.paused" is true
    When I POST "/ojs/v1/queues/{{fresh}}/pause" with:
      """
      {}
      """
    Then the response status is 200
    And the response field "$.queue.paused" is true
    When I POST "/ojs/v1/queues/{{fresh}}/resume"
    Then the response status is 200
    And the response field "$.queue.paused" is false
    When I POST "/ojs/v1/queues/{{fresh}}/resume" with:
      """
      {}
      """
    Then the response status is 200
    And the response field "$.queue.paused" is false

  @L4-PAUSE-001
  Scenario: A job pushed into a never-used, already paused queue waits for the resume
    When I POST "/ojs/v1/queues/{{queue}}/pause" with:
      """
      {}
      """
    Given a job of type "pause.job" in queue "{{queue}}" saved as "job"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    Then the response field "$.jobs" has 0 items
    When I POST "/ojs/v1/queues/{{queue}}/resume" with:
      """
      {}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    Then the response field "$.jobs[0].id" equals the saved "job"
