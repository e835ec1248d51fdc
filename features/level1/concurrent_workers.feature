Feature: Many workers at once
  Jobs pushed by many producers at once are each delivered to exactly one of many workers
  fetching at the same time: nothing is lost and nothing is handed out twice.

  @L0-OPS-001 @L0-OPS-002 @L0-OPS-003
  Scenario: Eight workers drain two hundred jobs without losing or repeating one
    When 200 clients concurrently POST "/ojs/v1/jobs" with:
      """
      {"type": "load.unit", "args": [], "options": {"queue": "{{queue}}"}}
      """
    Then exactly 200 of those responses had status 201
    When 8 workers concurrently fetch from "{{queue}}" with count 5 until it is empty
    Then 200 distinct jobs were delivered and none twice
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "worker_id": "{{worker}}"}
      """
    Then the response field "$.jobs" is []
