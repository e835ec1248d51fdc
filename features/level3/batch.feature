Feature: Batch workflows and their callbacks
  A batch is a group with callbacks. Once every member is terminal the server enqueues,
  exactly once each: on_complete always, on_success only when no member failed, and
  on_failure when at least one member failed. Each callback lands in the queue its own
  options name; here every callback gets its own queue so we can count them.

  Background:
    When I POST "/ojs/v1/workflows" with:
      """
      {"type": "batch", "name": "import-{{queue}}",
       "jobs": [
         {"type": "import.rows", "args": [1], "options": {"queue": "{{queue}}"}},
         {"type": "import.rows", "args": [2], "options": {"queue": "{{queue}}"}}
       ],
       "callbacks": {
         "on_complete": {"type": "import.cleanup", "args": ["tmp"], "options": {"queue": "{{done}}"}},
         "on_success":  {"type": "import.notify",  "args": ["ok"],  "options": {"queue": "{{ok}}"}},
         "on_failure":  {"type": "import.alert",   "args": ["ops"], "options": {"queue": "{{failed}}"}}
       }}
      """
    Then the response status is 201
    And I save the response field "$.workflow.id" as "wf"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 2 items
    And the response field "$.jobs[0].args" is [1]
    And the response field "$.jobs[1].args" is [2]
    And I save the response field "$.jobs[0].id" as "first"
    And I save the response field "$.jobs[1].id" as "second"

  @L3-BATCH-001
  Scenario: Creating a batch answers with a running workflow and its job counters
    When I GET "/ojs/v1/workflows/{{wf}}"
    Then the response status is 200
    And the response field "$.workflow.id" equals the saved "wf"
    And the response field "$.workflow.type" is "batch"
    And the response field "$.workflow.state" is "running"
    And the response field "$.workflow.jobs_total" is 2
    And the response field "$.workflow.jobs_completed" is 0

  @L3-BATCH-001
  Scenario: No callback fires while a member is still running
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{first}}"}
      """
    And I wait 500 milliseconds
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{done}}", "{{ok}}", "{{failed}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items
    When I GET "/ojs/v1/workflows/{{wf}}"
    Then the response field "$.workflow.state" is "running"
    And the response field "$.workflow.jobs_completed" is 1

  @L3-BATCH-001 @L3-BATCH-002
  Scenario: When every member succeeds, on_complete and on_success fire once and on_failure never
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{first}}", "result": {"rows": 10}}
      """
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{second}}", "result": {"rows": 20}}
      """
    And within 3 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{done}}"], "count": 10}
      """
    Then the response field "$.jobs" has 1 items
    And the response field "$.jobs[0].type" is "import.cleanup"
    And the response field "$.jobs[0].args" is ["tmp"]
    And I save the response field "$.jobs[0].id" as "cleanup"
    When within 3 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{ok}}"], "count": 10}
      """
    Then the response field "$.jobs" has 1 items
    And the response field "$.jobs[0].type" is "import.notify"
    And I save the response field "$.jobs[0].id" as "notify"
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{cleanup}}"}
      """
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{notify}}"}
      """
    And I wait 500 milliseconds
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{done}}", "{{ok}}", "{{failed}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items
    When within 3 seconds GET "/ojs/v1/workflows/{{wf}}" has field "$.workflow.state" equal to "completed"
    Then the response field "$.workflow.jobs_completed" is 2

  @L3-BATCH-001 @L3-BATCH-002
  Scenario: When a member fails, on_complete and on_failure fire once and on_success never
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{first}}"}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{second}}", "error": {"code": "bad_row", "message": "row 7 invalid", "retryable": false}}
      """
    Then the response field "$.state" is "discarded"
    When within 3 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{done}}"], "count": 10}
      """
    Then the response field "$.jobs" has 1 items
    And the response field "$.jobs[0].type" is "import.cleanup"
    And I save the response field "$.jobs[0].id" as "cleanup"
    When within 3 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{failed}}"], "count": 10}
      """
    Then the response field "$.jobs" has 1 items
    And the response field "$.jobs[0].type" is "import.alert"
    And the response field "$.jobs[0].args" is ["ops"]
    And I save the response field "$.jobs[0].id" as "alert"
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{cleanup}}"}
      """
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{alert}}"}
      """
    And I wait 500 milliseconds
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{done}}", "{{ok}}", "{{failed}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items
    When within 3 seconds GET "/ojs/v1/workflows/{{wf}}" has field "$.workflow.state" equal to "failed"
    Then the response field "$.workflow.jobs_completed" is 1

  @L3-BATCH-002
  Scenario: When every member fails, on_failure and on_complete still fire exactly once
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{first}}", "error": {"code": "bad_row", "message": "x", "retryable": false}}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{second}}", "error": {"code": "bad_row", "message": "y", "retryable": false}}
      """
    And within 3 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{failed}}"], "count": 10}
      """
    Then the response field "$.jobs" has 1 items
    When within 3 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{done}}"], "count": 10}
      """
    Then the response field "$.jobs" has 1 items
    When I wait 500 milliseconds
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{done}}", "{{ok}}", "{{failed}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items
