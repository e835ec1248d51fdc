Feature: Queue statistics
  GET /ojs/v1/queues/{name}/stats reports live counts per state for one queue inside a
  "queue" object, the total number of jobs it holds, and how many jobs completed recently
  (throughput.completed_last_minute). A queue nobody has used reports zeros.

  @L4-STATS-001
  Scenario: Counts follow a job from available through active to completed
    Given a job of type "stats.job" in queue "{{queue}}" saved as "a"
    And a job of type "stats.job" in queue "{{queue}}" saved as "b"
    And a job of type "stats.job" in queue "{{queue}}" saved as "c"
    When I GET "/ojs/v1/queues/{{queue}}/stats"
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.queue.name" is "{{queue}}"
    And the response field "$.queue.available" is 3
    And the response field "$.queue.active" is 0
    And the response field "$.queue.completed" is 0
    And the response field "$.queue.total" is 3
    And the response field "$.queue.paused" is false
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    And I save the response field "$.jobs[0].id" as "running"
    And I GET "/ojs/v1/queues/{{queue}}/stats"
    Then the response field "$.queue.available" is 2
    And the response field "$.queue.active" is 1
    And the response field "$.queue.completed" is 0
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{running}}"}
      """
    And I GET "/ojs/v1/queues/{{queue}}/stats"
    Then the response field "$.queue.available" is 2
    And the response field "$.queue.active" is 0
    And the response field "$.queue.completed" is 1
    And the response field "$.queue.total" is 3

  @L4-STATS-001
  Scenario: Scheduled, retryable and discarded jobs are counted separately
    Given a job saved as "later" is pushed with:
      """
      {"type": "stats.job", "args": [], "options": {"queue": "{{queue}}", "scheduled_at": "2099-12-31T23:59:59Z"}}
      """
    And a job saved as "flaky" is pushed with:
      """
      {"type": "stats.job", "args": ["flaky"],
       "options": {"queue": "{{queue}}", "retry": {"max_attempts": 5, "initial_interval": "PT1M", "jitter": false}}}
      """
    And a job saved as "doomed" is pushed with:
      """
      {"type": "stats.job", "args": ["doomed"], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 1}}}
      """
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 2 items
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{flaky}}", "error": {"code": "timeout", "message": "upstream slow"}}
      """
    Then the response field "$.state" is "retryable"
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{doomed}}", "error": {"code": "fatal", "message": "cannot work"}}
      """
    Then the response field "$.state" is "discarded"
    When I GET "/ojs/v1/queues/{{queue}}/stats"
    Then the response field "$.queue.scheduled" is 1
    And the response field "$.queue.retryable" is 1
    And the response field "$.queue.discarded" is 1
    And the response field "$.queue.available" is 0
    And the response field "$.queue.active" is 0
    And the response field "$.queue.completed" is 0

  @L4-STATS-001
  Scenario: Recent completions are reported as a throughput figure
    Given a job of type "stats.job" in queue "{{queue}}" saved as "a"
    And a job of type "stats.job" in queue "{{queue}}" saved as "b"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 2}
      """
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{a}}"}
      """
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{b}}"}
      """
    And I GET "/ojs/v1/queues/{{queue}}/stats"
    Then the response field "$.queue.completed" is 2
    And the response field "$.queue.throughput.completed_last_minute" is 2

  @L4-STATS-001
  Scenario: A queue that was never used reports zeros
    When I GET "/ojs/v1/queues/{{unused}}/stats"
    Then the response status is 200
    And the response field "$.queue.name" is "{{unused}}"
    And the response field "$.queue.available" is 0
    And the response field "$.queue.active" is 0
    And the response field "$.queue.completed" is 0
    And the response field "$.queue.paused" is false

  @L4-STATS-001
  Scenario: Stats count only their own queue
    Given a job of type "stats.job" in queue "{{queue}}" saved as "mine"
    And a job of type "stats.job" in queue "{{other}}" saved as "theirs"
    When I GET "/ojs/v1/queues/{{queue}}/stats"
    Then the response field "$.queue.available" is 1
