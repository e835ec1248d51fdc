Feature: Delayed jobs (scheduled_at and delay_until)
  A producer can ask for a job to run no earlier than a given moment, either as an
  absolute RFC 3339 time or relative to now ("+PT2S"). Until that moment the job sits
  in the scheduled state and no worker can receive it; once due it becomes available
  within about a second. A moment that has already passed simply means "run now".

  @L2-DEL-001
  Scenario: An absolute future scheduled_at is kept exactly as sent
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "report.later", "args": [1],
       "options": {"queue": "{{queue}}", "scheduled_at": "2099-12-31T23:59:59Z"}}
      """
    Then the response status is 201
    And the response field "$.job.state" is "scheduled"
    And the response field "$.job.scheduled_at" is "2099-12-31T23:59:59Z"
    And the response field "$.job.started_at" does not exist
    And I save the response field "$.job.id" as "job"
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response status is 200
    And the response field "$.job.state" is "scheduled"
    And the response field "$.job.scheduled_at" is "2099-12-31T23:59:59Z"

  @L2-DEL-001
  Scenario: delay_until is accepted as another name for scheduled_at
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "report.later", "args": [],
       "options": {"queue": "{{queue}}", "delay_until": "2099-12-31T23:59:59Z"}}
      """
    Then the response status is 201
    And the response field "$.job.state" is "scheduled"
    And the response field "$.job.scheduled_at" is "2099-12-31T23:59:59Z"

  @L2-DEL-001
  Scenario: scheduled_at wins when both scheduled_at and delay_until are given
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "report.later", "args": [],
       "options": {"queue": "{{queue}}", "scheduled_at": "2099-12-31T23:59:59Z",
                   "delay_until": "2020-01-01T00:00:00Z"}}
      """
    Then the response status is 201
    And the response field "$.job.state" is "scheduled"
    And the response field "$.job.scheduled_at" is "2099-12-31T23:59:59Z"

  @L2-DEL-001 @L2-DEL-002
  Scenario: A job scheduled far in the future is never handed to a worker early
    Given a job saved as "job" is pushed with:
      """
      {"type": "report.later", "args": [],
       "options": {"queue": "{{queue}}", "scheduled_at": "2099-12-31T23:59:59Z"}}
      """
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response status is 200
    And the response field "$.jobs" has 0 items

  @L2-DEL-001 @L2-DEL-002 @L2-DEL-003
  Scenario: An absolute scheduled_at two seconds ahead is held back, then delivered promptly
    Given a job saved as "job" is pushed with:
      """
      {"type": "report.later", "args": ["absolute"],
       "options": {"queue": "{{queue}}", "scheduled_at": "{{now+2s}}"}}
      """
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.state" is "scheduled"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response status is 200
    And the response field "$.jobs" has 0 items
    # Still too early more than a second later.
    When I wait 1200 milliseconds
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items
    When within 3 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 1 items
    And the response field "$.jobs[0].id" equals the saved "job"
    And the response field "$.jobs[0].state" is "active"
    And the response field "$.jobs[0].attempt" is 1
    And the response field "$.jobs[0].args" is ["absolute"]

  @L2-DEL-001 @L2-DEL-002 @L2-DEL-003
  Scenario: A relative delay "+PT2S" is resolved to an absolute time and honoured
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "report.later", "args": ["relative"],
       "options": {"queue": "{{queue}}", "delay_until": "+PT2S"}}
      """
    Then the response status is 201
    And the response field "$.job.state" is "scheduled"
    And the response field "$.job.scheduled_at" is a timestamp
    And I save the response field "$.job.id" as "job"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items
    When within 4 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs[0].id" equals the saved "job"

  @L2-DEL-001 @L2-DEL-003
  Scenario: A relative scheduled_at moves the job to available without any fetch
    Given a job saved as "job" is pushed with:
      """
      {"type": "report.later", "args": [],
       "options": {"queue": "{{queue}}", "scheduled_at": "+PT1S"}}
      """
    When within 3 seconds GET "/ojs/v1/jobs/{{job}}" has field "$.job.state" equal to "available"
    Then the response field "$.job.enqueued_at" is a timestamp

  @L2-DEL-001
  Scenario Outline: A scheduled time in the past means the job is available at once
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "report.now", "args": [],
       "options": {"queue": "{{queue}}", "<field>": "<when>"}}
      """
    Then the response status is 201
    And the response field "$.job.state" is "available"
    And the response field "$.job.enqueued_at" is a timestamp
    And I save the response field "$.job.id" as "job"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    Then the response field "$.jobs[0].id" equals the saved "job"

    Examples:
      | field        | when                 |
      | scheduled_at | 2020-01-01T00:00:00Z |
      | delay_until  | 2020-01-01T00:00:00Z |
      | scheduled_at | {{now-2s}}           |

  @L2-DEL-001
  Scenario: A scheduled job can be cancelled before it is due
    Given a job saved as "job" is pushed with:
      """
      {"type": "report.later", "args": [],
       "options": {"queue": "{{queue}}", "scheduled_at": "+PT1S"}}
      """
    When I DELETE "/ojs/v1/jobs/{{job}}"
    Then the response status is 200
    And the response field "$.job.state" is "cancelled"
    When I wait 1500 milliseconds
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items

  @L2-DEL-001
  Scenario: A malformed scheduled_at is refused
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "report.later", "args": [],
       "options": {"queue": "{{queue}}", "scheduled_at": "next tuesday"}}
      """
    Then the response is an OJS error "invalid_request" with status 400
