Feature: Cron jobs fire and respect their overlap policy
  These scenarios use six-field expressions (the first field is seconds) so that a
  schedule fires within a couple of seconds. Each scenario writes into its own queue
  and unregisters its cron job at the end.

  The overlap policy decides what happens when an occurrence is due while the previous
  instance is still running: skip it (the default), allow a second instance, cancel the
  previous instance, or enqueue the new one to run later.

  @L2-CRON-001
  Scenario: A seconds-granularity cron job enqueues jobs that workers can fetch
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "*/1 * * * * *", "overlap_policy": "allow",
       "job_template": {"type": "heartbeat.ping", "args": ["tick"],
                        "options": {"queue": "{{queue}}"}}}
      """
    Then the response status is 201
    When within 4 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs[0].type" is "heartbeat.ping"
    And the response field "$.jobs[0].args" is ["tick"]
    And the response field "$.jobs[0].queue" is "{{queue}}"
    And the response field "$.jobs[0].state" is "active"
    And the response field "$.jobs[0].meta.cron_name" is "{{cron}}"
    When I save the response field "$.jobs[0].meta.cron_name" as "cron"
    Then within 2 seconds the event "cron.triggered" is recorded for the saved "cron"
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200

  @L2-CRON-001
  Scenario: last_run_at and run_count advance as the schedule fires
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "*/2 * * * * *", "overlap_policy": "allow",
       "job_template": {"type": "heartbeat.ping", "args": [],
                        "options": {"queue": "{{queue}}"}}}
      """
    Then the response status is 201
    When within 5 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    And I save the response field "$.jobs[0].id" as "first"
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{first}}"}
      """
    Then the response status is 200
    When I GET "/ojs/v1/cron/{{cron}}"
    Then the response field "$.cron.last_run_at" is a timestamp
    And the response field "$.cron.run_count" is at least 1
    And the response field "$.cron.next_run_at" is a timestamp
    When within 5 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs[0].id" is not "{{first}}"
    When I GET "/ojs/v1/cron/{{cron}}"
    Then the response field "$.cron.run_count" is at least 2
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200

  @L2-CRON-001
  Scenario: A job template can carry job options such as priority and tags
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "*/1 * * * * *", "overlap_policy": "allow",
       "job_template": {"type": "heartbeat.ping", "args": [],
                        "options": {"queue": "{{queue}}", "priority": 7, "tags": ["from-cron"]}}}
      """
    Then the response status is 201
    When within 4 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs[0].priority" is 7
    And the response field "$.jobs[0].tags" contains "from-cron"
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200

  @L2-CRON-001
  Scenario: A cron job registered in the flat specification shape also fires
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "cron": "*/1 * * * * *", "overlap_policy": "allow",
       "type": "heartbeat.ping", "args": ["flat"], "options": {"queue": "{{queue}}"}}
      """
    Then the response status is 201
    When within 4 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs[0].args" is ["flat"]
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200

  @L2-CRON-001
  Scenario: Deleting a cron job stops it from firing
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "*/1 * * * * *", "overlap_policy": "allow",
       "job_template": {"type": "heartbeat.ping", "args": [], "options": {"queue": "{{queue}}"}}}
      """
    Then the response status is 201
    When within 4 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    And I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200
    And the response field "$.cron.name" is "{{cron}}"
    # An occurrence that was already being enqueued when the DELETE arrived is drained here.
    When I wait 1200 milliseconds
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 100}
      """
    And I wait 2500 milliseconds
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 100}
      """
    Then the response status is 200
    And the response field "$.jobs" has 0 items

  @L2-CRON-003
  Scenario: By default a new occurrence is skipped while the previous one is still running
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "*/1 * * * * *",
       "job_template": {"type": "long.report", "args": [], "options": {"queue": "{{queue}}"}}}
      """
    Then the response status is 201
    And the response field "$.cron.overlap_policy" is "skip"
    When within 4 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "count": 10, "visibility_timeout_ms": 60000}
      """
    And I save the response field "$.jobs[0].id" as "running"
    # Three more occurrences fall due while the first instance is still active.
    And I wait 3000 milliseconds
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items
    When I GET "/ojs/v1/jobs/{{running}}"
    Then the response field "$.job.state" is "active"
    When I GET "/ojs/v1/cron/{{cron}}"
    And I save the response field "$.cron.name" as "cron"
    Then within 2 seconds the event "cron.skipped" is recorded for the saved "cron"
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200

  @L2-CRON-003
  Scenario: With overlap_policy skip, firing resumes once the running instance finishes
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "*/1 * * * * *", "overlap_policy": "skip",
       "job_template": {"type": "long.report", "args": [], "options": {"queue": "{{queue}}"}}}
      """
    Then the response status is 201
    And the response field "$.cron.overlap_policy" is "skip"
    When within 4 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "count": 10, "visibility_timeout_ms": 60000}
      """
    And I save the response field "$.jobs[0].id" as "running"
    And I wait 2500 milliseconds
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{running}}"}
      """
    Then the response status is 200
    When within 4 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 1 items
    And the response field "$.jobs[0].id" is not "{{running}}"
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200

  @L2-CRON-001
  Scenario: With overlap_policy allow, a second instance starts while the first still runs
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "*/1 * * * * *", "overlap_policy": "allow",
       "job_template": {"type": "stateless.check", "args": [], "options": {"queue": "{{queue}}"}}}
      """
    Then the response status is 201
    And the response field "$.cron.overlap_policy" is "allow"
    When within 4 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "count": 1, "visibility_timeout_ms": 60000}
      """
    And I save the response field "$.jobs[0].id" as "first"
    When within 4 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "count": 1, "visibility_timeout_ms": 60000}
      """
    Then the response field "$.jobs[0].id" is not "{{first}}"
    When I GET "/ojs/v1/jobs/{{first}}"
    Then the response field "$.job.state" is "active"
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200

  @L2-CRON-001
  Scenario: With overlap_policy allow, unfetched occurrences pile up in the queue
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "*/1 * * * * *", "overlap_policy": "allow",
       "job_template": {"type": "stateless.check", "args": [], "options": {"queue": "{{queue}}"}}}
      """
    Then the response status is 201
    When within 6 seconds GET "/ojs/v1/cron/{{cron}}" has field "$.cron.run_count" at least 3
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 100}
      """
    Then the response field "$.jobs.length" is at least 3
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200

  @L2-CRON-001
  Scenario: With overlap_policy cancel_previous, the running instance is cancelled by the next one
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "*/1 * * * * *", "overlap_policy": "cancel_previous",
       "job_template": {"type": "cache.rebuild", "args": [], "options": {"queue": "{{queue}}"}}}
      """
    Then the response status is 201
    And the response field "$.cron.overlap_policy" is "cancel_previous"
    When within 4 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "count": 1, "visibility_timeout_ms": 60000}
      """
    And I save the response field "$.jobs[0].id" as "previous"
    When within 4 seconds GET "/ojs/v1/jobs/{{previous}}" has field "$.job.state" equal to "cancelled"
    Then the response field "$.job.completed_at" does not exist
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{previous}}"}
      """
    Then the response is an OJS error "conflict" with status 409
    When within 4 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "count": 1}
      """
    Then the response field "$.jobs[0].id" is not "{{previous}}"
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200

  @L2-CRON-001
  Scenario: With overlap_policy enqueue, an occurrence due during a run is queued, not lost
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "*/1 * * * * *", "overlap_policy": "enqueue",
       "job_template": {"type": "ordered.migration", "args": [], "options": {"queue": "{{queue}}"}}}
      """
    Then the response status is 201
    And the response field "$.cron.overlap_policy" is "enqueue"
    When within 4 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "count": 1, "visibility_timeout_ms": 60000}
      """
    And I save the response field "$.jobs[0].id" as "first"
    When within 5 seconds GET "/ojs/v1/cron/{{cron}}" has field "$.cron.run_count" at least 2
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{first}}"}
      """
    Then the response status is 200
    When within 3 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "count": 1}
      """
    Then the response field "$.jobs[0].id" is not "{{first}}"
    And the response field "$.jobs[0].type" is "ordered.migration"
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200

  @L2-CRON-001
  Scenario: A cron job registered as disabled has no next run and never fires
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "*/1 * * * * *", "enabled": false, "overlap_policy": "allow",
       "job_template": {"type": "heartbeat.ping", "args": [], "options": {"queue": "{{queue}}"}}}
      """
    Then the response status is 201
    And the response field "$.cron.enabled" is false
    And the response field "$.cron.next_run_at" does not exist
    When I wait 2500 milliseconds
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200
