Feature: Error history
  Every failure is kept on the job, oldest first, with the attempt it ended, so an operator
  can see how a job failed over time; the latest one is also the job's current error.

  @L0-OPS-004 @L1-RET-001
  Scenario: Each failure adds an entry to the job's error history
    Given a job saved as "job" is pushed with:
      """
      {"type": "history.demo", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 3, "initial_interval": "PT0.1S", "jitter": false}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "db_locked", "type": "db.locked", "message": "database is locked"}}
      """
    And within 3 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "disk_full", "type": "disk.full", "message": "no space left"}}
      """
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.errors" has 2 items
    And the response field "$.job.errors[0].code" is "db_locked"
    And the response field "$.job.errors[0].type" is "db.locked"
    And the response field "$.job.errors[0].message" is "database is locked"
    And the response field "$.job.errors[0].attempt" is 1
    And the response field "$.job.errors[0].occurred_at" is a timestamp
    And the response field "$.job.errors[1].code" is "disk_full"
    And the response field "$.job.errors[1].attempt" is 2
    And the response field "$.job.errors[1].occurred_at" is a timestamp
    And the response field "$.job.error.message" is "no space left"

  @L0-OPS-004
  Scenario: An error without a type takes its code as the type
    Given a job of type "history.demo" in queue "{{queue}}" saved as "job"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "boom"}}
      """
    And I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.errors[0].type" is "handler_error"
    And the response field "$.job.error.type" is "handler_error"

  @L0-OPS-003 @L1-RET-001
  Scenario: A job that succeeds after failing no longer shows a current error
    Given a job saved as "job" is pushed with:
      """
      {"type": "history.demo", "args": [], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 3, "initial_interval": "PT0.1S", "jitter": false}}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{job}}", "error": {"code": "handler_error", "message": "flaky"}}
      """
    And within 3 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{job}}", "result": {"ok": true}}
      """
    Then the response field "$.state" is "completed"
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.state" is "completed"
    And the response field "$.job.error" does not exist
    And the response field "$.job.attempt" is 2
