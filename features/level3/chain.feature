Feature: Chain workflows
  A chain runs its steps one after another. Only the first step is enqueued when the
  chain is created; each later step is enqueued as part of acknowledging the step
  before it, and receives the results of all earlier steps in parent_results (an array,
  oldest first). A step that fails for good stops the chain and fails the workflow.

  Background:
    When I POST "/ojs/v1/workflows" with:
      """
      {"type": "chain", "name": "etl-{{queue}}",
       "steps": [
         {"type": "etl.extract",   "args": ["s3://bucket/in.csv"], "options": {"queue": "{{queue}}"}},
         {"type": "etl.transform", "args": ["normalize"],          "options": {"queue": "{{queue}}"}},
         {"type": "etl.load",      "args": ["warehouse"],          "options": {"queue": "{{queue}}"}}
       ]}
      """
    Then the response status is 201
    And I save the response field "$.workflow.id" as "wf"

  @L3-CHAIN-001
  Scenario: Creating a chain answers with a running workflow and its step counters
    Then the response has the OJS headers
    And the response field "$.workflow.id" is a uuidv7
    And the response field "$.workflow.type" is "chain"
    And the response field "$.workflow.name" is "etl-{{queue}}"
    And the response field "$.workflow.state" is "running"
    And the response field "$.workflow.steps_total" is 3
    And the response field "$.workflow.steps_completed" is 0
    And the response field "$.workflow.created_at" is a timestamp

  @L3-CHAIN-001
  Scenario: Only the first step can be fetched before anything has been acknowledged
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response status is 200
    And the response field "$.jobs" has 1 items
    And the response field "$.jobs[0].type" is "etl.extract"
    And the response field "$.jobs[0].args" is ["s3://bucket/in.csv"]
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items

  @L3-CHAIN-001 @L3-CHAIN-002 @L3-DATA-001
  Scenario: Each step becomes fetchable right after the previous ack and sees earlier results
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    And I save the response field "$.jobs[0].id" as "extract"
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{extract}}", "result": {"report_id": "r-42", "rows": 1200}}
      """
    Then the response status is 200
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 1 items
    And the response field "$.jobs[0].type" is "etl.transform"
    And the response field "$.jobs[0].args" is ["normalize"]
    And the response field "$.jobs[0].parent_results" has 1 items
    And the response field "$.jobs[0].parent_results[0].report_id" is "r-42"
    And the response field "$.jobs[0].parent_results[0]" is {"report_id": "r-42", "rows": 1200}
    And I save the response field "$.jobs[0].id" as "transform"
    When I GET "/ojs/v1/workflows/{{wf}}"
    Then the response field "$.workflow.steps_completed" is 1
    And the response field "$.workflow.state" is "running"
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{transform}}", "result": {"normalized": 1190}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 1 items
    And the response field "$.jobs[0].type" is "etl.load"
    And the response field "$.jobs[0].parent_results" has 2 items
    And the response field "$.jobs[0].parent_results[0].report_id" is "r-42"
    And the response field "$.jobs[0].parent_results[1]" is {"normalized": 1190}

  @L3-CHAIN-001
  Scenario: Acknowledging the last step completes the workflow
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    And I save the response field "$.jobs[0].id" as "one"
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{one}}", "result": 1}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    And I save the response field "$.jobs[0].id" as "two"
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{two}}", "result": 2}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    And I save the response field "$.jobs[0].id" as "three"
    When I GET "/ojs/v1/workflows/{{wf}}"
    Then the response field "$.workflow.state" is "running"
    And the response field "$.workflow.steps_completed" is 2
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{three}}", "result": 3}
      """
    Then the response status is 200
    When I GET "/ojs/v1/workflows/{{wf}}"
    Then the response status is 200
    And the response field "$.workflow.state" is "completed"
    And the response field "$.workflow.steps_total" is 3
    And the response field "$.workflow.steps_completed" is 3
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items

  @L3-CHAIN-003
  Scenario: A step nacked as non-retryable fails the workflow and the chain stops
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    And I save the response field "$.jobs[0].id" as "extract"
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{extract}}", "result": {"report_id": "r-1"}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    And I save the response field "$.jobs[0].id" as "transform"
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{transform}}",
       "error": {"code": "bad_input", "message": "column missing", "retryable": false}}
      """
    Then the response status is 200
    And the response field "$.state" is "discarded"
    When I GET "/ojs/v1/workflows/{{wf}}"
    Then the response field "$.workflow.state" is "failed"
    And the response field "$.workflow.steps_completed" is 1
    When I wait 500 milliseconds
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items

  @L3-CHAIN-003
  Scenario: A retryable failure does not fail the chain while attempts remain
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    And I save the response field "$.jobs[0].id" as "extract"
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{extract}}", "requeue": true,
       "error": {"code": "flaky", "message": "try again"}}
      """
    Then the response status is 200
    When I GET "/ojs/v1/workflows/{{wf}}"
    Then the response field "$.workflow.state" is "running"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    Then the response field "$.jobs[0].id" equals the saved "extract"
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{extract}}", "result": {"ok": true}}
      """
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    Then the response field "$.jobs[0].type" is "etl.transform"

  @L3-CHAIN-003
  Scenario: A later step that is never fetched is not enqueued once the chain has failed
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    And I save the response field "$.jobs[0].id" as "extract"
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{extract}}",
       "error": {"code": "fatal", "message": "source gone", "retryable": false}}
      """
    Then the response field "$.state" is "discarded"
    When I GET "/ojs/v1/workflows/{{wf}}"
    Then the response field "$.workflow.state" is "failed"
    And the response field "$.workflow.steps_completed" is 0
    When I wait 500 milliseconds
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items
