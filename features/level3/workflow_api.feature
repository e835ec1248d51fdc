Feature: Reading, cancelling and validating workflows
  A workflow can be read back by id at any time. Cancelling it cancels every member job
  that has not finished yet and stops any further steps or callbacks; a workflow that has
  already finished cannot be cancelled. Malformed workflow definitions are refused.

  @L3-CHAIN-001 @L3-GROUP-002
  Scenario: Reading a workflow returns the same shape as creating it
    When I POST "/ojs/v1/workflows" with:
      """
      {"type": "group", "name": "readback",
       "jobs": [{"type": "thumb.make", "args": [64], "options": {"queue": "{{queue}}"}}]}
      """
    Then the response status is 201
    And I save the response field "$.workflow.id" as "wf"
    When I GET "/ojs/v1/workflows/{{wf}}"
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.workflow.id" equals the saved "wf"
    And the response field "$.workflow.type" is "group"
    And the response field "$.workflow.name" is "readback"
    And the response field "$.workflow.state" is "running"
    And the response field "$.workflow.jobs_total" is 1
    And the response field "$.workflow.jobs_completed" is 0

  @L3-CHAIN-001
  Scenario: Unknown workflow ids are not found
    When I GET "/ojs/v1/workflows/01900000-0000-7000-8000-000000000000"
    Then the response is an OJS error "not_found" with status 404
    When I DELETE "/ojs/v1/workflows/01900000-0000-7000-8000-000000000000"
    Then the response is an OJS error "not_found" with status 404

  @L3-CHAIN-001
  Scenario: Cancelling a chain cancels its running step and nothing further is enqueued
    When I POST "/ojs/v1/workflows" with:
      """
      {"type": "chain", "name": "to-cancel",
       "steps": [
         {"type": "video.transcode", "args": ["a.mp4"], "options": {"queue": "{{queue}}"}},
         {"type": "video.publish",   "args": ["a.mp4"], "options": {"queue": "{{queue}}"}}
       ]}
      """
    Then the response status is 201
    And I save the response field "$.workflow.id" as "wf"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    And I save the response field "$.jobs[0].id" as "transcode"
    And I DELETE "/ojs/v1/workflows/{{wf}}"
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.workflow.id" equals the saved "wf"
    And the response field "$.workflow.state" is "cancelled"
    When I GET "/ojs/v1/jobs/{{transcode}}"
    Then the response field "$.job.state" is "cancelled"
    And the response field "$.job.cancelled_at" is a timestamp
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{transcode}}", "result": {"done": true}}
      """
    Then the response is an OJS error "conflict" with status 409
    When I GET "/ojs/v1/workflows/{{wf}}"
    Then the response field "$.workflow.state" is "cancelled"
    When I wait 300 milliseconds
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items

  @L3-GROUP-002
  Scenario: Cancelling a group cancels waiting members too, leaving finished ones alone
    When I POST "/ojs/v1/workflows" with:
      """
      {"type": "group", "name": "partly-done",
       "jobs": [
         {"type": "mail.send", "args": ["a"], "options": {"queue": "{{queue}}"}},
         {"type": "mail.send", "args": ["b"], "options": {"queue": "{{queue}}"}},
         {"type": "mail.send", "args": ["c"], "options": {"queue": "{{queue}}"}}
       ]}
      """
    Then the response status is 201
    And I save the response field "$.workflow.id" as "wf"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    And I save the response field "$.jobs[0].id" as "done"
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{done}}"}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    And I save the response field "$.jobs[0].id" as "running"
    And I DELETE "/ojs/v1/workflows/{{wf}}"
    Then the response status is 200
    And the response field "$.workflow.state" is "cancelled"
    When I GET "/ojs/v1/jobs/{{running}}"
    Then the response field "$.job.state" is "cancelled"
    When I GET "/ojs/v1/jobs/{{done}}"
    Then the response field "$.job.state" is "completed"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items

  @L3-GROUP-002
  Scenario: Cancelling a workflow twice is a conflict
    When I POST "/ojs/v1/workflows" with:
      """
      {"type": "group", "jobs": [{"type": "mail.send", "args": [], "options": {"queue": "{{queue}}"}}]}
      """
    And I save the response field "$.workflow.id" as "wf"
    And I DELETE "/ojs/v1/workflows/{{wf}}"
    Then the response status is 200
    When I DELETE "/ojs/v1/workflows/{{wf}}"
    Then the response is an OJS error "conflict" with status 409

  @L3-BATCH-001
  Scenario: A cancelled batch never fires its callbacks
    When I POST "/ojs/v1/workflows" with:
      """
      {"type": "batch",
       "jobs": [{"type": "import.rows", "args": [1], "options": {"queue": "{{queue}}"}}],
       "callbacks": {"on_complete": {"type": "import.cleanup", "args": [], "options": {"queue": "{{done}}"}},
                     "on_failure":  {"type": "import.alert",   "args": [], "options": {"queue": "{{done}}"}}}}
      """
    And I save the response field "$.workflow.id" as "wf"
    And I DELETE "/ojs/v1/workflows/{{wf}}"
    Then the response status is 200
    When I wait 500 milliseconds
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}", "{{done}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items

  @L3-CHAIN-001
  Scenario: A workflow that has completed cannot be cancelled
    When I POST "/ojs/v1/workflows" with:
      """
      {"type": "chain", "steps": [{"type": "solo.step", "args": [], "options": {"queue": "{{queue}}"}}]}
      """
    And I save the response field "$.workflow.id" as "wf"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    And I save the response field "$.jobs[0].id" as "step"
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{step}}"}
      """
    And I GET "/ojs/v1/workflows/{{wf}}"
    Then the response field "$.workflow.state" is "completed"
    When I DELETE "/ojs/v1/workflows/{{wf}}"
    Then the response is an OJS error "conflict" with status 409

  @L3-CHAIN-001 @L3-GROUP-001 @L3-BATCH-001
  Scenario Outline: Malformed workflow definitions are refused
    When I POST "/ojs/v1/workflows" with:
      """
      <body>
      """
    Then the response is an OJS error "invalid_request" with status 400

    Examples:
      | body                                                                                                                        |
      | {"name": "no-type", "steps": [{"type": "a.b", "args": [], "options": {"queue": "{{queue}}"}}]}                              |
      | {"type": "pipeline", "steps": [{"type": "a.b", "args": [], "options": {"queue": "{{queue}}"}}]}                             |
      | {"type": "chain", "steps": []}                                                                                              |
      | {"type": "chain"}                                                                                                           |
      | {"type": "group", "jobs": []}                                                                                               |
      | {"type": "group"}                                                                                                           |
      | {"type": "batch", "jobs": [], "callbacks": {"on_complete": {"type": "a.b", "args": [], "options": {"queue": "{{queue}}"}}}} |
      | {"type": "chain", "steps": [{"args": [], "options": {"queue": "{{queue}}"}}]}                                               |
      | {"type": "group", "jobs": [{"type": "a.b", "args": "not-an-array", "options": {"queue": "{{queue}}"}}]}                     |
      | {"type": 7, "jobs": [{"type": "a.b", "args": [], "options": {"queue": "{{queue}}"}}]}                                       |

  @L3-CHAIN-001
  Scenario: A refused workflow enqueues none of its jobs
    When I POST "/ojs/v1/workflows" with:
      """
      {"type": "group", "jobs": [
         {"type": "good.job", "args": [], "options": {"queue": "{{queue}}"}},
         {"type": "Bad Job!", "args": [], "options": {"queue": "{{queue}}"}}
      ]}
      """
    Then the response is an OJS error "invalid_request" with status 400
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items
