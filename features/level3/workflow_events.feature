Feature: Workflow lifecycle events
  Workflows report their own lifecycle on the event stream (GET /ojs/v1/events):
  workflow.started once work begins, then workflow.completed or workflow.failed when
  the workflow finishes. An event belongs to a workflow when its subject or its
  data.workflow_id is the workflow id.

  @L3-WF-EVT-001
  Scenario: A chain that runs to the end reports started and completed
    When I POST "/ojs/v1/workflows" with:
      """
      {"type": "chain", "name": "evented",
       "steps": [{"type": "evt.step", "args": [1], "options": {"queue": "{{queue}}"}},
                 {"type": "evt.step", "args": [2], "options": {"queue": "{{queue}}"}}]}
      """
    Then the response status is 201
    And I save the response field "$.workflow.id" as "wf"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    And I save the response field "$.jobs[0].id" as "one"
    And within 2 seconds the event "workflow.started" is recorded for the saved "wf"
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{one}}"}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    And I save the response field "$.jobs[0].id" as "two"
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{two}}"}
      """
    Then within 2 seconds the event "workflow.completed" is recorded for the saved "wf"
    And the event "workflow.failed" is not recorded for the saved "wf"

  @L3-WF-EVT-001
  Scenario: A group with a failed member reports started and failed
    When I POST "/ojs/v1/workflows" with:
      """
      {"type": "group", "name": "evented-group",
       "jobs": [{"type": "evt.member", "args": ["a"], "options": {"queue": "{{queue}}"}},
                {"type": "evt.member", "args": ["b"], "options": {"queue": "{{queue}}"}}]}
      """
    Then the response status is 201
    And I save the response field "$.workflow.id" as "wf"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 2}
      """
    And I save the response field "$.jobs[0].id" as "a"
    And I save the response field "$.jobs[1].id" as "b"
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{a}}"}
      """
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{b}}", "error": {"code": "broken", "message": "no", "retryable": false}}
      """
    Then within 2 seconds the event "workflow.started" is recorded for the saved "wf"
    And within 2 seconds the event "workflow.failed" is recorded for the saved "wf"
    And the event "workflow.completed" is not recorded for the saved "wf"

  @L3-WF-EVT-001
  Scenario: A batch whose members all succeed reports completed
    When I POST "/ojs/v1/workflows" with:
      """
      {"type": "batch", "name": "evented-batch",
       "jobs": [{"type": "evt.member", "args": [1], "options": {"queue": "{{queue}}"}}],
       "callbacks": {"on_complete": {"type": "evt.callback", "args": [], "options": {"queue": "{{done}}"}}}}
      """
    Then the response status is 201
    And I save the response field "$.workflow.id" as "wf"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    And I save the response field "$.jobs[0].id" as "member"
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{member}}"}
      """
    And within 3 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{done}}"]}
      """
    And I save the response field "$.jobs[0].id" as "callback"
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{callback}}"}
      """
    Then within 3 seconds the event "workflow.started" is recorded for the saved "wf"
    And within 3 seconds the event "workflow.completed" is recorded for the saved "wf"
