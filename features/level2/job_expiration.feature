Feature: Job expiration (expires_at)
  A job may carry a deadline after which it is no longer worth running. A job whose
  deadline has passed is never handed to a worker; it ends in the discarded state so
  that it stays visible, and since it never ran it has no completed_at. A job whose
  deadline is still ahead runs like any other.

  @L2-TTL-001
  Scenario: An absolute expires_at is echoed exactly and the job runs normally
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "flash.sale", "args": ["still-valid"],
       "options": {"queue": "{{queue}}", "expires_at": "2099-12-31T23:59:59Z"}}
      """
    Then the response status is 201
    And the response field "$.job.state" is "available"
    And the response field "$.job.expires_at" is "2099-12-31T23:59:59Z"
    And I save the response field "$.job.id" as "job"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    Then the response field "$.jobs[0].id" equals the saved "job"
    And the response field "$.jobs[0].expires_at" is "2099-12-31T23:59:59Z"
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}", "result": {"sent": true}}
      """
    Then the response status is 200
    And the response field "$.state" is "completed"

  @L2-TTL-001
  Scenario: A relative expires_at is resolved to an absolute timestamp
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "flash.sale", "args": [],
       "options": {"queue": "{{queue}}", "expires_at": "+PT1H"}}
      """
    Then the response status is 201
    And the response field "$.job.state" is "available"
    And the response field "$.job.expires_at" is a timestamp

  @L2-TTL-001 @L2-TTL-002
  Scenario: A job whose absolute deadline passes while it waits is never delivered
    Given a job saved as "job" is pushed with:
      """
      {"type": "flash.sale", "args": ["too-late"],
       "options": {"queue": "{{queue}}", "expires_at": "{{now+500ms}}"}}
      """
    When I wait 1000 milliseconds
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response status is 200
    And the response field "$.jobs" has 0 items
    When within 2 seconds GET "/ojs/v1/jobs/{{job}}" has field "$.job.state" equal to "discarded"
    Then the response field "$.job.completed_at" does not exist
    And the response field "$.job.started_at" does not exist
    And the response field "$.job.attempt" is 0
    And within 2 seconds the event "job.expired" is recorded for the saved "job"

  @L2-TTL-001 @L2-TTL-002
  Scenario: A job with a relative deadline of one second expires unseen
    Given a job saved as "job" is pushed with:
      """
      {"type": "flash.sale", "args": [],
       "options": {"queue": "{{queue}}", "expires_at": "+PT1S"}}
      """
    When I wait 1500 milliseconds
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items
    When within 2 seconds GET "/ojs/v1/jobs/{{job}}" has field "$.job.state" equal to "discarded"
    Then the response field "$.job.completed_at" does not exist

  @L2-TTL-002
  Scenario: An expired job is skipped while a fresh job behind it is delivered
    Given a job saved as "stale" is pushed with:
      """
      {"type": "flash.sale", "args": ["stale"],
       "options": {"queue": "{{queue}}", "expires_at": "{{now+300ms}}"}}
      """
    And a job saved as "fresh" is pushed with:
      """
      {"type": "flash.sale", "args": ["fresh"], "options": {"queue": "{{queue}}"}}
      """
    When I wait 800 milliseconds
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 1 items
    And the response field "$.jobs[0].id" equals the saved "fresh"
    When within 2 seconds GET "/ojs/v1/jobs/{{stale}}" has field "$.job.state" equal to "discarded"
    Then the response field "$.job.completed_at" does not exist

  @L2-TTL-002
  Scenario: A scheduled job whose deadline passes before it is due is discarded, not run
    Given a job saved as "job" is pushed with:
      """
      {"type": "flash.sale", "args": [],
       "options": {"queue": "{{queue}}", "scheduled_at": "{{now+1s}}", "expires_at": "{{now+500ms}}"}}
      """
    When I wait 1500 milliseconds
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items
    When within 2 seconds GET "/ojs/v1/jobs/{{job}}" has field "$.job.state" equal to "discarded"
    Then the response field "$.job.completed_at" does not exist

  @L2-TTL-001
  Scenario: A malformed expires_at is refused
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "flash.sale", "args": [],
       "options": {"queue": "{{queue}}", "expires_at": "soon-ish"}}
      """
    Then the response is an OJS error "invalid_request" with status 400
