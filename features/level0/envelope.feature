Feature: The job envelope
  A producer pushes a job as a small JSON object; the server validates it, fills in what
  the producer left out and stores everything else exactly as sent.

  @L0-ENV-001 @L0-ENV-002 @L0-OPS-001 @L0-WF-001
  Scenario: A pushed job comes back as a complete envelope
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "email.send", "args": ["ada@example.com", 3], "options": {"queue": "{{queue}}"}}
      """
    Then the response status is 201
    And the response field "$.job.specversion" is "1.0"
    And the response field "$.job.id" is a uuidv7
    And the response field "$.job.type" is "email.send"
    And the response field "$.job.queue" is "{{queue}}"
    And the response field "$.job.args" is ["ada@example.com", 3]
    And the response field "$.job.state" is "available"
    And the response field "$.job.created_at" is a timestamp
    And the response field "$.job.enqueued_at" is a timestamp

  @L0-WF-001
  Scenario: A fresh job has the documented defaults and no execution traces
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "email.send", "args": [], "options": {"queue": "{{queue}}"}}
      """
    Then the response status is 201
    And the response field "$.job.priority" is 0
    And the response field "$.job.max_attempts" is 3
    And the response field "$.job.attempt" is 0
    And the response field "$.job.started_at" does not exist
    And the response field "$.job.completed_at" does not exist
    And the response field "$.job.error" does not exist
    And the response field "$.job.result" does not exist

  @L0-ENV-002
  Scenario: Every job without a client id gets a different server-made UUIDv7
    Given a job of type "email.send" in queue "{{queue}}" saved as "first"
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "email.send", "args": [], "options": {"queue": "{{queue}}"}}
      """
    Then the response status is 201
    And the response field "$.job.id" is a uuidv7
    And the response field "$.job.id" is not "{{first}}"

  @L0-ENV-002 @L0-WF-001
  Scenario: A client-chosen UUIDv7 is kept as the job id
    When I POST "/ojs/v1/jobs" with:
      """
      {"id": "{{uuidv7:chosen}}", "type": "email.send", "args": [], "options": {"queue": "{{queue}}"}}
      """
    Then the response status is 201
    And the response field "$.job.id" equals the saved "chosen"
    When I GET "/ojs/v1/jobs/{{chosen}}"
    Then the response status is 200
    And the response field "$.job.id" equals the saved "chosen"

  @L0-ENV-002 @L0-WF-001
  Scenario: A null id counts as no id
    When I POST "/ojs/v1/jobs" with:
      """
      {"id": null, "type": "email.send", "args": [], "options": {"queue": "{{queue}}"}}
      """
    Then the response status is 201
    And the response field "$.job.id" is a uuidv7

  @L0-ENV-002 @L0-WF-001
  Scenario Outline: An id that is not a lowercase UUIDv7 is rejected
    When I POST "/ojs/v1/jobs" with:
      """
      {"id": "<id>", "type": "email.send", "args": [], "options": {"queue": "{{queue}}"}}
      """
    Then the response is an OJS error "invalid_request" with status 400

    Examples:
      | id                                   |
      | 0190A5C8-1C2B-7D3E-8F40-123456789ABC |
      | 550e8400-e29b-41d4-a716-446655440000 |
      |                                      |
      | job-42                               |

  @L0-ENV-002 @L0-WF-001
  Scenario: Pushing a job with an id that already exists is a duplicate
    Given a job of type "email.send" in queue "{{queue}}" saved as "original"
    When I POST "/ojs/v1/jobs" with:
      """
      {"id": "{{original}}", "type": "email.send", "args": [], "options": {"queue": "{{queue}}"}}
      """
    Then the response is an OJS error "duplicate" with status 409

  @L0-ENV-003
  Scenario Outline: Dot-namespaced types, hyphens included, are accepted
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "<type>", "args": [], "options": {"queue": "{{queue}}"}}
      """
    Then the response status is 201
    And the response field "$.job.type" is "<type>"

    Examples:
      | type                        |
      | email.send                  |
      | a                           |
      | billing.invoice_generate.v2 |
      | reports.pdf-render          |
      | retry-test.fail-once        |

  @L0-ENV-003
  Scenario Outline: A malformed type is rejected
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "<type>", "args": [], "options": {"queue": "{{queue}}"}}
      """
    Then the response is an OJS error "invalid_request" with status 400

    Examples:
      | type                  |
      | Email.Send            |
      | email send            |
      | 1email.send           |
      |                       |
      | email@send!           |
      | INVALID_TYPE_FORMAT!! |
      | email..send           |
      | .email                |
      | email.                |

  @L0-ENV-003
  Scenario: A type longer than 255 characters is rejected
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "args": [], "options": {"queue": "{{queue}}"}}
      """
    Then the response is an OJS error "invalid_request" with status 400

  @L0-ENV-003
  Scenario: A type that is not a string is rejected
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": 42, "args": [], "options": {"queue": "{{queue}}"}}
      """
    Then the response is an OJS error "invalid_request" with status 400

  @L0-ENV-001 @L0-ENV-003
  Scenario: A job without a type is rejected with a client error
    When I POST "/ojs/v1/jobs" with:
      """
      {"args": [], "options": {"queue": "{{queue}}"}}
      """
    Then the response status is 400
    And the response has the OJS headers
    And the response field "$.error.code" matches "^(invalid_request|invalid_payload|schema_validation)$"

  @L0-ENV-005
  Scenario: Arguments of every JSON kind are stored and echoed exactly
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "data.echo", "args": [1, "two", 3.14, true, null, {"k": [1, {"n": null}]}, [], -7], "options": {"queue": "{{queue}}"}}
      """
    Then the response status is 201
    And the response field "$.job.args" is [1, "two", 3.14, true, null, {"k": [1, {"n": null}]}, [], -7]
    And the response field "$.job.args[2]" matches "^3\.14$"
    And I save the response field "$.job.id" as "job"
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.args" is [1, "two", 3.14, true, null, {"k": [1, {"n": null}]}, [], -7]
    And the response field "$.job.args[2]" matches "^3\.14$"

  @L0-ENV-005
  Scenario: An empty argument list is allowed
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "data.echo", "args": [], "options": {"queue": "{{queue}}"}}
      """
    Then the response status is 201
    And the response field "$.job.args" is []

  @L0-ENV-001 @L0-ENV-005
  Scenario Outline: Arguments that are not a JSON array are rejected
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "data.echo", "args": <args>, "options": {"queue": "{{queue}}"}}
      """
    Then the response is an OJS error "invalid_request" with status 400

    Examples:
      | args        |
      | null        |
      | {"to": "x"} |
      | "text"      |
      | 42          |
      | true        |

  @L0-ENV-001 @L0-ENV-005
  Scenario: A job without arguments is rejected
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "data.echo", "options": {"queue": "{{queue}}"}}
      """
    Then the response is an OJS error "invalid_request" with status 400

  @L0-ENV-004
  Scenario Outline: Lowercase queue names with digits, dots and hyphens are accepted
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "queue.check", "args": [], "options": {"queue": "<queue>"}}
      """
    Then the response status is 201
    And the response field "$.job.queue" is "<queue>"

    Examples:
      | queue                                                                                                                                        |
      | {{queue}}                                                                                                                                    |
      | 0-{{queue}}.emails-v2                                                                                                                        |
      | {{queue}}aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa |

  @L0-ENV-004
  Scenario Outline: A malformed queue name is rejected
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "queue.check", "args": [], "options": {"queue": "<queue>"}}
      """
    Then the response is an OJS error "invalid_request" with status 400

    Examples:
      | queue                                                                                                                             |
      | Default                                                                                                                           |
      | my_queue!                                                                                                                         |
      | -invalid                                                                                                                          |
      | my queue                                                                                                                          |
      |                                                                                                                                   |
      | aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa |

  @L0-WF-001
  Scenario Outline: Priorities from -100 to 100 are accepted and echoed
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "priority.check", "args": [], "options": {"queue": "{{queue}}", "priority": <priority>}}
      """
    Then the response status is 201
    And the response field "$.job.priority" is <priority>

    Examples:
      | priority |
      | 100      |
      | -100     |
      | 7        |

  @L0-WF-001
  Scenario Outline: A priority outside -100..100 is rejected
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "priority.check", "args": [], "options": {"queue": "{{queue}}", "priority": <priority>}}
      """
    Then the response is an OJS error "invalid_request" with status 400

    Examples:
      | priority |
      | 101      |
      | -101     |
      | 999999   |

  @L0-ENV-006
  Scenario: Fields the server does not know are kept and echoed at the top level
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "email.send", "args": [], "options": {"queue": "{{queue}}"}, "x_campaign": {"id": 17, "tags": ["a", "b"]}, "locale_hint": "fr-CA"}
      """
    Then the response status is 201
    And the response field "$.job.x_campaign" is {"id": 17, "tags": ["a", "b"]}
    And the response field "$.job.locale_hint" is "fr-CA"
    And I save the response field "$.job.id" as "job"
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.x_campaign" is {"id": 17, "tags": ["a", "b"]}
    And the response field "$.job.locale_hint" is "fr-CA"

  @L0-ENV-006
  Scenario: A schema reference is kept even when the server does not validate schemas
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "email.send", "args": [], "schema": "https://example.com/schemas/email-send/v1.json", "options": {"queue": "{{queue}}"}}
      """
    Then the response status is 201
    And the response field "$.job.schema" is "https://example.com/schemas/email-send/v1.json"

  @L0-WF-001
  Scenario: Metadata that is not an object is rejected
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "email.send", "args": [], "meta": "urgent", "options": {"queue": "{{queue}}"}}
      """
    Then the response is an OJS error "invalid_request" with status 400

  @L0-ENV-006 @L0-WF-001
  Scenario: System fields sent by a client are ignored
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "email.send", "args": [], "options": {"queue": "{{queue}}"}, "state": "completed", "attempt": 7, "created_at": "2001-01-01T00:00:00Z", "completed_at": "2001-01-01T00:00:01Z"}
      """
    Then the response status is 201
    And the response field "$.job.state" is "available"
    And the response field "$.job.attempt" is 0
    And the response field "$.job.created_at" is not "2001-01-01T00:00:00Z"
    And the response field "$.job.completed_at" does not exist

  @L0-WF-001
  Scenario: Tags and the execution timeout are echoed as top-level fields
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "email.send", "args": [], "options": {"queue": "{{queue}}", "tags": ["billing", "eu"], "timeout_ms": 60000}}
      """
    Then the response status is 201
    And the response field "$.job.tags" is ["billing", "eu"]
    And the response field "$.job.timeout_ms" is 60000

  @L0-WF-001
  Scenario: Options that are not an object are rejected
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "email.send", "args": [], "options": "urgent"}
      """
    Then the response is an OJS error "invalid_request" with status 400
