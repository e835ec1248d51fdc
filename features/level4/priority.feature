Feature: Priority within a queue
  Inside one queue, a job with a higher priority is handed out before a job with a lower
  one; jobs of equal priority leave in the order they were pushed. Priorities are
  integers from -100 to 100 (default 0), and the names HIGH, NORMAL and LOW are accepted
  as 10, 0 and -10 (the core specification's mapping).

  @L4-PRI-002
  Scenario: Higher priority is fetched first regardless of push order
    Given a job saved as "low" is pushed with:
      """
      {"type": "pri.job", "args": ["low"], "options": {"queue": "{{queue}}", "priority": -10}}
      """
    And a job saved as "normal" is pushed with:
      """
      {"type": "pri.job", "args": ["normal"], "options": {"queue": "{{queue}}", "priority": 0}}
      """
    And a job saved as "high" is pushed with:
      """
      {"type": "pri.job", "args": ["high"], "options": {"queue": "{{queue}}", "priority": 10}}
      """
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 3 items
    And the response field "$.jobs[0].id" equals the saved "high"
    And the response field "$.jobs[1].id" equals the saved "normal"
    And the response field "$.jobs[2].id" equals the saved "low"

  @L4-PRI-002
  Scenario: One-at-a-time fetches also follow priority
    Given a job saved as "first-pushed" is pushed with:
      """
      {"type": "pri.job", "args": [], "options": {"queue": "{{queue}}", "priority": 1}}
      """
    And a job saved as "urgent" is pushed with:
      """
      {"type": "pri.job", "args": [], "options": {"queue": "{{queue}}", "priority": 50}}
      """
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    Then the response field "$.jobs[0].id" equals the saved "urgent"
    And the response field "$.jobs[0].priority" is 50
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    Then the response field "$.jobs[0].id" equals the saved "first-pushed"

  @L4-PRI-001 @L4-PRI-002
  Scenario: Equal priorities keep push order, behind higher and ahead of lower ones
    Given a job saved as "n1" is pushed with:
      """
      {"type": "pri.job", "args": [1], "options": {"queue": "{{queue}}", "priority": 5}}
      """
    And a job saved as "bg" is pushed with:
      """
      {"type": "pri.job", "args": [0], "options": {"queue": "{{queue}}"}}
      """
    And a job saved as "n2" is pushed with:
      """
      {"type": "pri.job", "args": [2], "options": {"queue": "{{queue}}", "priority": 5}}
      """
    And a job saved as "top" is pushed with:
      """
      {"type": "pri.job", "args": [9], "options": {"queue": "{{queue}}", "priority": 100}}
      """
    And a job saved as "n3" is pushed with:
      """
      {"type": "pri.job", "args": [3], "options": {"queue": "{{queue}}", "priority": 5}}
      """
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 5 items
    And the response field "$.jobs[0].id" equals the saved "top"
    And the response field "$.jobs[1].id" equals the saved "n1"
    And the response field "$.jobs[2].id" equals the saved "n2"
    And the response field "$.jobs[3].id" equals the saved "n3"
    And the response field "$.jobs[4].id" equals the saved "bg"

  @L4-PRI-001 @L4-PRI-003
  Scenario Outline: Named priority levels are accepted and stored as numbers
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "pri.job", "args": [], "options": {"queue": "{{queue}}", "priority": "<name>"}}
      """
    Then the response status is 201
    And the response field "$.job.priority" is <value>

    Examples:
      | name   | value |
      | HIGH   | 10    |
      | NORMAL | 0     |
      | LOW    | -10   |

  @L4-PRI-001 @L4-PRI-003
  Scenario: Named levels order HIGH before NORMAL before LOW
    Given a job saved as "low" is pushed with:
      """
      {"type": "pri.job", "args": [], "options": {"queue": "{{queue}}", "priority": "LOW"}}
      """
    And a job saved as "high" is pushed with:
      """
      {"type": "pri.job", "args": [], "options": {"queue": "{{queue}}", "priority": "HIGH"}}
      """
    And a job saved as "normal" is pushed with:
      """
      {"type": "pri.job", "args": [], "options": {"queue": "{{queue}}", "priority": "NORMAL"}}
      """
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs[0].id" equals the saved "high"
    And the response field "$.jobs[1].id" equals the saved "normal"
    And the response field "$.jobs[2].id" equals the saved "low"

  @L4-PRI-002
  Scenario: Priority defaults to 0
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "pri.job", "args": [], "options": {"queue": "{{queue}}"}}
      """
    Then the response status is 201
    And the response field "$.job.priority" is 0

  @L4-PRI-002
  Scenario Outline: Priorities at the edges of the range are accepted
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "pri.job", "args": [], "options": {"queue": "{{queue}}", "priority": <priority>}}
      """
    Then the response status is 201
    And the response field "$.job.priority" is <priority>

    Examples:
      | priority |
      | 100      |
      | -100     |

  @L4-PRI-002
  Scenario Outline: Priorities outside -100..100 or of the wrong kind are refused
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "pri.job", "args": [], "options": {"queue": "{{queue}}", "priority": <priority>}}
      """
    Then the response is an OJS error "invalid_request" with status 400
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items

    Examples:
      | priority |
      | 101      |
      | -101     |
      | 999999   |
      | 2.5      |
      | "URGENT" |
      | true     |
