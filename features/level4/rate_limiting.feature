Feature: Rate limiting a queue
  A push may set a rate limit for its queue through options.rate_limit:
  max_per_second caps how many jobs the queue hands out per second, and concurrency caps
  how many of its jobs may be active at once. A fetch that hits a limit simply gets no
  job from that queue (an empty list, not an error).

  @L4-RATE-001
  Scenario: max_per_second of 1 spaces deliveries about a second apart
    Given a job saved as "a" is pushed with:
      """
      {"type": "rl.job", "args": [1], "options": {"queue": "{{queue}}", "rate_limit": {"max_per_second": 1}}}
      """
    And a job saved as "b" is pushed with:
      """
      {"type": "rl.job", "args": [2], "options": {"queue": "{{queue}}", "rate_limit": {"max_per_second": 1}}}
      """
    And a job saved as "c" is pushed with:
      """
      {"type": "rl.job", "args": [3], "options": {"queue": "{{queue}}", "rate_limit": {"max_per_second": 1}}}
      """
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    Then the response field "$.jobs" has 1 items
    And the response field "$.jobs[0].id" equals the saved "a"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    Then the response status is 200
    And the response field "$.jobs" has 0 items
    When I wait 1100 milliseconds
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    Then the response field "$.jobs" has 1 items
    And the response field "$.jobs[0].id" equals the saved "b"

  @L4-RATE-001
  Scenario: max_per_second also caps a single fetch asking for many jobs
    When I POST "/ojs/v1/jobs/batch" with:
      """
      {"jobs": [
        {"type": "rl.job", "args": [1], "options": {"queue": "{{queue}}", "rate_limit": {"max_per_second": 2}}},
        {"type": "rl.job", "args": [2], "options": {"queue": "{{queue}}", "rate_limit": {"max_per_second": 2}}},
        {"type": "rl.job", "args": [3], "options": {"queue": "{{queue}}", "rate_limit": {"max_per_second": 2}}},
        {"type": "rl.job", "args": [4], "options": {"queue": "{{queue}}", "rate_limit": {"max_per_second": 2}}}
      ]}
      """
    Then the response status is 201
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 2 items
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items
    When within 3 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 2 items

  @L4-RATE-001
  Scenario: A rate-limited queue does not hold back the other queues of a fetch
    Given a job saved as "limited-1" is pushed with:
      """
      {"type": "rl.job", "args": [], "options": {"queue": "{{queue}}", "rate_limit": {"max_per_second": 1}}}
      """
    And a job saved as "limited-2" is pushed with:
      """
      {"type": "rl.job", "args": [], "options": {"queue": "{{queue}}", "rate_limit": {"max_per_second": 1}}}
      """
    And a job of type "rl.job" in queue "{{other}}" saved as "free"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    Then the response field "$.jobs[0].id" equals the saved "limited-1"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}", "{{other}}"]}
      """
    Then the response field "$.jobs" has 1 items
    And the response field "$.jobs[0].id" equals the saved "free"

  @L4-RATE-001
  Scenario: A concurrency limit caps how many jobs of the queue are active at once
    When I POST "/ojs/v1/jobs/batch" with:
      """
      {"jobs": [
        {"type": "rl.job", "args": [1], "options": {"queue": "{{queue}}", "rate_limit": {"concurrency": 2}}},
        {"type": "rl.job", "args": [2], "options": {"queue": "{{queue}}", "rate_limit": {"concurrency": 2}}},
        {"type": "rl.job", "args": [3], "options": {"queue": "{{queue}}", "rate_limit": {"concurrency": 2}}},
        {"type": "rl.job", "args": [4], "options": {"queue": "{{queue}}", "rate_limit": {"concurrency": 2}}},
        {"type": "rl.job", "args": [5], "options": {"queue": "{{queue}}", "rate_limit": {"concurrency": 2}}}
      ]}
      """
    Then the response status is 201
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 5}
      """
    Then the response field "$.jobs" has 2 items
    And the response field "$.jobs[0].args" is [1]
    And the response field "$.jobs[1].args" is [2]
    And I save the response field "$.jobs[0].id" as "first"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 5}
      """
    Then the response field "$.jobs" has 0 items
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{first}}"}
      """
    Then the response status is 200
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 5}
      """
    Then the response field "$.jobs" has 1 items
    And the response field "$.jobs[0].args" is [3]

  @L4-RATE-001
  Scenario: A failed job frees its concurrency slot too
    Given a job saved as "a" is pushed with:
      """
      {"type": "rl.job", "args": [1], "options": {"queue": "{{queue}}", "rate_limit": {"concurrency": 1}}}
      """
    And a job saved as "b" is pushed with:
      """
      {"type": "rl.job", "args": [2], "options": {"queue": "{{queue}}", "rate_limit": {"concurrency": 1}}}
      """
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 5}
      """
    Then the response field "$.jobs" has 1 items
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{a}}", "error": {"code": "bad", "message": "nope", "retryable": false}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 5}
      """
    Then the response field "$.jobs" has 1 items
    And the response field "$.jobs[0].id" equals the saved "b"
