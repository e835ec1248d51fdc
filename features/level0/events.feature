Feature: Lifecycle events
  Every step of a job's life is recorded as an event that can be read back, filtered by
  event type and by queue. Each event names the job, its type, its queue and when it
  happened; the event type tells the state the job entered.

  @L0-EVT-001 @L0-EVT-002
  Scenario: Pushing a job records a job.enqueued event
    Given a job of type "events.demo" in queue "{{queue}}" saved as "job"
    When within 2 seconds GET "/ojs/v1/events?types=job.enqueued&queues={{queue}}" has field "$.events.length" equal to 1
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.events[0].type" is "job.enqueued"
    And the response field "$.events[0].time" is a timestamp
    And the response field "$.events[0].data.job_id" equals the saved "job"
    And the response field "$.events[0].data.job_type" is "events.demo"
    And the response field "$.events[0].data.queue" is "{{queue}}"

  @L0-EVT-001 @L0-EVT-002
  Scenario: Fetching a job records a job.started event for its attempt
    Given a job of type "events.demo" in queue "{{queue}}" saved as "job"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    When within 2 seconds GET "/ojs/v1/events?types=job.started&queues={{queue}}" has field "$.events.length" equal to 1
    Then the response field "$.events[0].type" is "job.started"
    And the response field "$.events[0].time" is a timestamp
    And the response field "$.events[0].data.job_id" equals the saved "job"
    And the response field "$.events[0].data.job_type" is "events.demo"
    And the response field "$.events[0].data.queue" is "{{queue}}"
    And the response field "$.events[0].data.attempt" is 1

  @L0-EVT-001 @L0-EVT-002
  Scenario: Acknowledging a job records job.completed with the attempt and the duration
    Given a job of type "events.demo" in queue "{{queue}}" saved as "job"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}", "result": {"ok": true}}
      """
    When within 2 seconds GET "/ojs/v1/events?types=job.completed&queues={{queue}}" has field "$.events.length" equal to 1
    Then the response field "$.events[0].type" is "job.completed"
    And the response field "$.events[0].time" is a timestamp
    And the response field "$.events[0].data.job_id" equals the saved "job"
    And the response field "$.events[0].data.job_type" is "events.demo"
    And the response field "$.events[0].data.queue" is "{{queue}}"
    And the response field "$.events[0].data.attempt" is 1
    And the response field "$.events[0].data.duration_ms" is at least 0

  @L0-EVT-001 @L0-EVT-002
  Scenario: Failing a job records a job.failed event
    Given a job of type "events.demo" in queue "{{queue}}" saved as "job"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "boom"}}
      """
    When within 2 seconds GET "/ojs/v1/events?types=job.failed&queues={{queue}}" has field "$.events.length" equal to 1
    Then the response field "$.events[0].type" is "job.failed"
    And the response field "$.events[0].time" is a timestamp
    And the response field "$.events[0].data.job_id" equals the saved "job"
    And the response field "$.events[0].data.job_type" is "events.demo"
    And the response field "$.events[0].data.queue" is "{{queue}}"

  @L1-EVT-001
  Scenario: A failure that will be retried records a job.retrying event
    Given a job of type "events.demo" in queue "{{queue}}" saved as "job"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "boom"}}
      """
    And the response field "$.state" is "retryable"
    When within 2 seconds GET "/ojs/v1/events?types=job.retrying&queues={{queue}}" has field "$.events.length" equal to 1
    Then the response field "$.events[0].type" is "job.retrying"
    And the response field "$.events[0].data.job_id" equals the saved "job"
    And the response field "$.events[0].data.job_type" is "events.demo"
    And the response field "$.events[0].data.queue" is "{{queue}}"

  @L1-EVT-001
  Scenario: A failure that ends the job records no job.retrying event
    Given a job saved as "job" is pushed with:
      """
      {"type": "events.demo", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 1}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "boom"}}
      """
    When within 2 seconds GET "/ojs/v1/events?types=job.failed&queues={{queue}}" has field "$.events.length" equal to 1
    And I GET "/ojs/v1/events?types=job.retrying&queues={{queue}}"
    Then the response field "$.events" is []

  @L1-EVT-002
  Scenario: Cancelling a job records a job.cancelled event
    Given a job of type "events.demo" in queue "{{queue}}" saved as "job"
    And I DELETE "/ojs/v1/jobs/{{job}}"
    When within 2 seconds GET "/ojs/v1/events?types=job.cancelled&queues={{queue}}" has field "$.events.length" equal to 1
    Then the response field "$.events[0].type" is "job.cancelled"
    And the response field "$.events[0].time" is a timestamp
    And the response field "$.events[0].data.job_id" equals the saved "job"
    And the response field "$.events[0].data.job_type" is "events.demo"
    And the response field "$.events[0].data.queue" is "{{queue}}"

  @L0-EVT-001
  Scenario: A job's events can be read together, filtered to chosen event types
    Given a job of type "events.demo" in queue "{{queue}}" saved as "job"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}"}
      """
    When within 2 seconds GET "/ojs/v1/events?types=job.enqueued,job.started,job.completed&queues={{queue}}" has field "$.events.length" equal to 3
    Then the response field "$.events[*].type" contains "job.enqueued"
    And the response field "$.events[*].type" contains "job.started"
    And the response field "$.events[*].type" contains "job.completed"
    When I GET "/ojs/v1/events?types=job.completed&queues={{queue}}"
    Then the response field "$.events" has 1 item
    And the response field "$.events[0].type" is "job.completed"
    When I GET "/ojs/v1/events?types=job.enqueued,job.started,job.completed&queues={{queue}}&limit=2"
    Then the response field "$.events" has 2 items

  @L0-EVT-002
  Scenario: Filtering by queue leaves out other queues' events
    Given a job of type "events.demo" in queue "{{mine}}" saved as "mine_job"
    And a job of type "events.demo" in queue "{{theirs}}" saved as "their_job"
    When within 2 seconds GET "/ojs/v1/events?types=job.enqueued&queues={{mine}}" has field "$.events.length" equal to 1
    Then the response field "$.events[0].data.job_id" equals the saved "mine_job"
    And the response field "$.events[0].data.queue" is "{{mine}}"
