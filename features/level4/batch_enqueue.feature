Feature: Batch enqueue
  POST /ojs/v1/jobs/batch enqueues many jobs in one request. The batch is all or
  nothing: every item is checked first, and if one is invalid the server answers 400,
  names the index of the bad item, and creates none of them. Accepted jobs come back in
  request order and are delivered in that order too.

  @L4-BULK-001
  Scenario: A small batch is created and answered in request order
    When I POST "/ojs/v1/jobs/batch" with:
      """
      {"jobs": [
        {"type": "bulk.item", "args": ["a"], "options": {"queue": "{{queue}}"}},
        {"type": "bulk.item", "args": ["b"], "options": {"queue": "{{queue}}"}},
        {"type": "bulk.other", "args": ["c"], "options": {"queue": "{{queue}}", "priority": 0}}
      ]}
      """
    Then the response status is 201
    And the response has the OJS headers
    And the response field "$.count" is 3
    And the response field "$.jobs" has 3 items
    And the response field "$.jobs[0].id" is a uuidv7
    And the response field "$.jobs[0].args" is ["a"]
    And the response field "$.jobs[1].args" is ["b"]
    And the response field "$.jobs[2].args" is ["c"]
    And the response field "$.jobs[2].type" is "bulk.other"
    And the response field "$.jobs[0].state" is "available"
    And the response field "$.jobs[0].queue" is "{{queue}}"
    And I save the response field "$.jobs[1].id" as "second"
    When I GET "/ojs/v1/jobs/{{second}}"
    Then the response status is 200
    And the response field "$.job.args" is ["b"]

  @L4-BULK-001
  Scenario: Jobs of a batch are delivered in the order they were sent
    When I POST "/ojs/v1/jobs/batch" with a batch of 20 jobs of type "bulk.item" in queue "{{queue}}"
    Then the response status is 201
    And the response field "$.count" is 20
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 20}
      """
    Then the response field "$.jobs" has 20 items
    And the response field "$.jobs[*].args[0]" is [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19]

  @L4-BULK-001 @L4-STATS-001
  Scenario: One invalid item rejects the whole batch and nothing is created
    When I POST "/ojs/v1/jobs/batch" with:
      """
      {"jobs": [
        {"type": "bulk.item", "args": [0], "options": {"queue": "{{queue}}"}},
        {"args": [1], "options": {"queue": "{{queue}}"}},
        {"type": "bulk.item", "args": [2], "options": {"queue": "{{queue}}"}}
      ]}
      """
    Then the response is an OJS error "invalid_request" with status 400
    And the response field "$.error.details.index" is 1
    When I GET "/ojs/v1/queues/{{queue}}/stats"
    Then the response field "$.queue.available" is 0
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items

  @L4-BULK-001
  Scenario Outline: Each kind of invalid item is reported with its index
    When I POST "/ojs/v1/jobs/batch" with:
      """
      {"jobs": [
        {"type": "bulk.item", "args": [0], "options": {"queue": "{{queue}}"}},
        {"type": "bulk.item", "args": [1], "options": {"queue": "{{queue}}"}},
        <bad>
      ]}
      """
    Then the response is an OJS error "invalid_request" with status 400
    And the response field "$.error.details.index" is 2
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items

    Examples:
      | bad                                                                                   |
      | {"type": "Bad Type!", "args": [], "options": {"queue": "{{queue}}"}}                  |
      | {"type": "bulk.item", "args": {"not": "array"}, "options": {"queue": "{{queue}}"}}    |
      | {"type": "bulk.item", "args": [], "options": {"queue": "Bad Queue"}}                  |
      | {"type": "bulk.item", "args": [], "options": {"queue": "{{queue}}", "priority": 101}} |
      | "not-an-object"                                                                       |

  @L4-BULK-001
  Scenario Outline: A batch without jobs is refused
    When I POST "/ojs/v1/jobs/batch" with:
      """
      <body>
      """
    Then the response is an OJS error "invalid_request" with status 400

    Examples:
      | body             |
      | {"jobs": []}     |
      | {}               |
      | {"jobs": "many"} |

  @L4-BULK-002 @L4-STATS-001
  Scenario: A batch of 1,000 jobs is accepted
    When I POST "/ojs/v1/jobs/batch" with a batch of 1000 jobs of type "bulk.item" in queue "{{queue}}"
    Then the response status is 201
    And the response field "$.count" is 1000
    And the response field "$.jobs" has 1000 items
    And the response field "$.jobs[999].args" is [999]
    When I GET "/ojs/v1/queues/{{queue}}/stats"
    Then the response field "$.queue.available" is 1000

  @L4-BULK-002
  Scenario: A batch of 10,000 jobs is handled and can be fetched back in order
    When I POST "/ojs/v1/jobs/batch" with a batch of 10000 jobs of type "bulk.item" in queue "{{queue}}"
    Then the response status is 201
    And the response field "$.count" is 10000
    When I GET "/ojs/v1/queues/{{queue}}/stats"
    Then the response field "$.queue.available" is 10000
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10000}
      """
    Then the response field "$.jobs" has 10000 items
    And the response field "$.jobs[0].args" is [0]
    And the response field "$.jobs[9999].args" is [9999]

  @L4-BULK-001 @L2-DEL-001
  Scenario: Scheduled items in a batch wait for their time
    When I POST "/ojs/v1/jobs/batch" with:
      """
      {"jobs": [
        {"type": "bulk.item", "args": ["later"], "options": {"queue": "{{queue}}", "scheduled_at": "2099-12-31T23:59:59Z"}},
        {"type": "bulk.item", "args": ["soon"],  "options": {"queue": "{{queue}}", "delay_until": "+PT1S"}},
        {"type": "bulk.item", "args": ["now"],   "options": {"queue": "{{queue}}"}}
      ]}
      """
    Then the response status is 201
    And the response field "$.jobs[0].state" is "scheduled"
    And the response field "$.jobs[0].scheduled_at" is "2099-12-31T23:59:59Z"
    And the response field "$.jobs[1].state" is "scheduled"
    And the response field "$.jobs[2].state" is "available"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 1 items
    And the response field "$.jobs[0].args" is ["now"]
    When within 3 seconds I POST "/ojs/v1/workers/fetch" until field "$.jobs[0]" exists, with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 1 items
    And the response field "$.jobs[0].args" is ["soon"]

  @L4-BULK-001 @L4-UNIQ-001
  Scenario: Uniqueness is checked per item, and a duplicate sinks the whole batch
    Given a job saved as "existing" is pushed with:
      """
      {"type": "{{uniq}}", "args": [1], "options": {"queue": "{{queue}}",
       "unique": {"keys": ["type", "args"], "on_conflict": "reject"}}}
      """
    When I POST "/ojs/v1/jobs/batch" with:
      """
      {"jobs": [
        {"type": "{{uniq}}", "args": [2], "options": {"queue": "{{queue}}",
         "unique": {"keys": ["type", "args"], "on_conflict": "reject"}}},
        {"type": "{{uniq}}", "args": [1], "options": {"queue": "{{queue}}",
         "unique": {"keys": ["type", "args"], "on_conflict": "reject"}}}
      ]}
      """
    Then the response status is one of 400, 409
    When I GET "/ojs/v1/queues/{{queue}}/stats"
    Then the response field "$.queue.available" is 1

  @L4-BULK-001 @L4-UNIQ-001
  Scenario: Distinct unique items in one batch are all created
    When I POST "/ojs/v1/jobs/batch" with:
      """
      {"jobs": [
        {"type": "{{uniq}}", "args": [1], "options": {"queue": "{{queue}}", "unique": {"keys": ["type", "args"]}}},
        {"type": "{{uniq}}", "args": [2], "options": {"queue": "{{queue}}", "unique": {"keys": ["type", "args"]}}}
      ]}
      """
    Then the response status is 201
    And the response field "$.count" is 2
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": [2], "options": {"queue": "{{queue}}", "unique": {"keys": ["type", "args"]}}}
      """
    Then the response is an OJS error "duplicate" with status 409
