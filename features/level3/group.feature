Feature: Group workflows
  A group enqueues all of its jobs at once, in the order they are declared, and lets
  them run independently. The workflow tracks how many have completed and finishes once
  every member is terminal: completed if all succeeded, failed if any failed. A failing
  member does not stop its siblings.

  Background:
    When I POST "/ojs/v1/workflows" with:
      """
      {"type": "group", "name": "export-{{queue}}",
       "jobs": [
         {"type": "export.csv",  "args": ["report-1"], "options": {"queue": "{{queue}}"}},
         {"type": "export.pdf",  "args": ["report-1"], "options": {"queue": "{{queue}}"}},
         {"type": "export.xlsx", "args": ["report-1"], "options": {"queue": "{{queue}}"}}
       ]}
      """
    Then the response status is 201
    And I save the response field "$.workflow.id" as "wf"

  @L3-GROUP-001
  Scenario: Creating a group answers with a running workflow and its job counters
    Then the response has the OJS headers
    And the response field "$.workflow.id" is a uuidv7
    And the response field "$.workflow.type" is "group"
    And the response field "$.workflow.name" is "export-{{queue}}"
    And the response field "$.workflow.state" is "running"
    And the response field "$.workflow.jobs_total" is 3
    And the response field "$.workflow.jobs_completed" is 0

  @L3-GROUP-001
  Scenario: All members are fetchable at once, in declaration order
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 3 items
    And the response field "$.jobs[0].type" is "export.csv"
    And the response field "$.jobs[1].type" is "export.pdf"
    And the response field "$.jobs[2].type" is "export.xlsx"

  @L3-GROUP-001 @L3-GROUP-002
  Scenario: The group completes when every member has been acknowledged
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    And I save the response field "$.jobs[0].id" as "csv"
    And I save the response field "$.jobs[1].id" as "pdf"
    And I save the response field "$.jobs[2].id" as "xlsx"
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{pdf}}", "result": {"pages": 4}}
      """
    And I GET "/ojs/v1/workflows/{{wf}}"
    Then the response field "$.workflow.state" is "running"
    And the response field "$.workflow.jobs_completed" is 1
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{csv}}"}
      """
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{xlsx}}"}
      """
    And I GET "/ojs/v1/workflows/{{wf}}"
    Then the response status is 200
    And the response field "$.workflow.state" is "completed"
    And the response field "$.workflow.jobs_total" is 3
    And the response field "$.workflow.jobs_completed" is 3

  @L3-GROUP-002
  Scenario: A failed member leaves its siblings running and fails the group at the end
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    And I save the response field "$.jobs[0].id" as "csv"
    And I save the response field "$.jobs[1].id" as "pdf"
    And I save the response field "$.jobs[2].id" as "xlsx"
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{pdf}}", "error": {"code": "renderer_crash", "message": "boom", "retryable": false}}
      """
    Then the response field "$.state" is "discarded"
    When I GET "/ojs/v1/workflows/{{wf}}"
    Then the response field "$.workflow.state" is "running"
    When I GET "/ojs/v1/jobs/{{csv}}"
    Then the response field "$.job.state" is "active"
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{csv}}"}
      """
    Then the response status is 200
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{xlsx}}"}
      """
    Then the response status is 200
    When I GET "/ojs/v1/workflows/{{wf}}"
    Then the response field "$.workflow.state" is "failed"
    And the response field "$.workflow.jobs_completed" is 2

  @L3-GROUP-002
  Scenario: A member cancelled on its own counts as a failure of the group
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 1}
      """
    And I save the response field "$.jobs[0].id" as "csv"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 1}
      """
    And I save the response field "$.jobs[0].id" as "pdf"
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 1}
      """
    And I save the response field "$.jobs[0].id" as "xlsx"
    And I DELETE "/ojs/v1/jobs/{{xlsx}}"
    Then the response status is 200
    When I GET "/ojs/v1/workflows/{{wf}}"
    Then the response field "$.workflow.state" is "running"
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{csv}}"}
      """
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{pdf}}"}
      """
    And I GET "/ojs/v1/workflows/{{wf}}"
    Then the response field "$.workflow.state" is "failed"
    And the response field "$.workflow.jobs_completed" is 2
