Feature: Chain steps keep their own options: retry policy and queue
  A chain step is an ordinary job: it keeps its retry policy and its queue. The chain
  only fails once a step has no attempts left; a step waiting for its next attempt is
  not a failure. Results still reach the next step when it runs in another queue.

  @L3-CHAIN-003
  Scenario: A step allowed a single attempt fails the chain on its first nack
    When I POST "/ojs/v1/workflows" with:
      """
      {"type": "chain", "name": "one-shot",
       "steps": [
         {"type": "payment.charge", "args": [100], "options": {"queue": "{{queue}}", "retry": {"max_attempts": 1}}},
         {"type": "receipt.send",   "args": [],    "options": {"queue": "{{queue}}"}}
       ]}
      """
    Then the response status is 201
    And I save the response field "$.workflow.id" as "wf"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    And I save the response field "$.jobs[0].id" as "charge"
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{charge}}", "error": {"code": "card_declined", "message": "declined"}}
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

  @L3-CHAIN-003
  Scenario: The chain keeps running through a retry and fails only when attempts run out
    When I POST "/ojs/v1/workflows" with:
      """
      {"type": "chain", "name": "two-tries",
       "steps": [
         {"type": "payment.charge", "args": [100],
          "options": {"queue": "{{queue}}",
                      "retry": {"max_attempts": 2, "initial_interval": "PT1S", "jitter": false}}},
         {"type": "receipt.send", "args": [], "options": {"queue": "{{queue}}"}}
       ]}
      """
    Then the response status is 201
    And I save the response field "$.workflow.id" as "wf"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    And I save the response field "$.jobs[0].id" as "charge"
    And I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{charge}}", "error": {"code": "gateway_timeout", "message": "slow bank"}}
      """
    Then the response field "$.state" is "retryable"
    When I GET "/ojs/v1/workflows/{{wf}}"
    Then the response field "$.workflow.state" is "running"
    When within 4 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"]}
      """
    Then the response field "$.jobs[0].id" equals the saved "charge"
    And the response field "$.jobs[0].attempt" is 2
    When I POST "/ojs/v1/workers/nack" with:
      """
      {"job_id": "{{charge}}", "error": {"code": "gateway_timeout", "message": "still slow"}}
      """
    Then the response field "$.state" is "discarded"
    When I GET "/ojs/v1/workflows/{{wf}}"
    Then the response field "$.workflow.state" is "failed"
    When I wait 500 milliseconds
    And I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items

  @L3-CHAIN-002 @L3-DATA-001
  Scenario: A step result reaches the next step even when the steps use different queues
    When I POST "/ojs/v1/workflows" with:
      """
      {"type": "chain", "name": "two-queues",
       "steps": [
         {"type": "geo.lookup", "args": ["10.0.0.1"], "options": {"queue": "{{queue}}"}},
         {"type": "geo.store",  "args": [],           "options": {"queue": "{{next}}"}}
       ]}
      """
    Then the response status is 201
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    And I save the response field "$.jobs[0].id" as "lookup"
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{lookup}}", "result": ["NL", 52.37, {"city": "Amsterdam"}]}
      """
    And I GET "/ojs/v1/jobs/{{lookup}}"
    Then the response field "$.job.result" is ["NL", 52.37, {"city": "Amsterdam"}]
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{next}}"]}
      """
    Then the response field "$.jobs[0].type" is "geo.store"
    And the response field "$.jobs[0].parent_results" is [["NL", 52.37, {"city": "Amsterdam"}]]
