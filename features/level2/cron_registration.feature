Feature: Registering, listing and removing cron jobs
  A cron job is a named schedule plus a job template. It can be registered in two
  request shapes (the one real clients use, with "expression" and "job_template", and
  the flat one from the cron specification, with "cron", "type", "args" and "options").
  The answer always uses the first shape, wrapped in {"cron": …}, and echoes the
  expression exactly as sent. Expressions and time zones are validated when the cron
  job is registered, never later.

  @L2-CRON-001
  Scenario: Registering a five-field cron job in the client shape
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "*/5 * * * *", "timezone": "UTC",
       "overlap_policy": "skip",
       "job_template": {"type": "cache.sweep", "args": [1, "two"],
                        "options": {"queue": "{{queue}}"}}}
      """
    Then the response status is 201
    And the response has the OJS headers
    And the response field "$.cron.name" is "{{cron}}"
    And the response field "$.cron.expression" is "*/5 * * * *"
    And the response field "$.cron.timezone" is "UTC"
    And the response field "$.cron.overlap_policy" is "skip"
    And the response field "$.cron.enabled" is true
    And the response field "$.cron.job_template.type" is "cache.sweep"
    And the response field "$.cron.job_template.args" is [1, "two"]
    And the response field "$.cron.created_at" is a timestamp
    And the response field "$.cron.next_run_at" is a timestamp
    And the response field "$.cron.next_run_at" matches "T\d{2}:\d[05]:00(\.0+)?Z$"
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200

  @L2-CRON-001
  Scenario: Registering a cron job in the flat shape of the cron specification
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "cron": "0 3 * * *", "timezone": "UTC",
       "type": "db.vacuum", "args": ["full"], "options": {"queue": "{{queue}}"}}
      """
    Then the response status is 201
    And the response field "$.cron.name" is "{{cron}}"
    And the response field "$.cron.expression" is "0 3 * * *"
    And the response field "$.cron.job_template.type" is "db.vacuum"
    And the response field "$.cron.job_template.args" is ["full"]
    And the response field "$.cron.next_run_at" matches "T03:00:00(\.0+)?Z$"
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200

  @L2-CRON-001 @L2-CRON-003
  Scenario: Omitted timezone and overlap policy default to UTC and skip
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "0 9 * * *",
       "job_template": {"type": "digest.send", "args": [], "options": {"queue": "{{queue}}"}}}
      """
    Then the response status is 201
    And the response field "$.cron.timezone" is "UTC"
    And the response field "$.cron.overlap_policy" is "skip"
    And the response field "$.cron.next_run_at" matches "T09:00:00(\.0+)?Z$"
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200

  @L2-CRON-001
  Scenario Outline: Valid expressions are accepted and echoed exactly
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "<expression>",
       "job_template": {"type": "cron.probe", "args": [], "options": {"queue": "{{queue}}"}}}
      """
    Then the response status is 201
    And the response field "$.cron.expression" is "<expression>"
    And the response field "$.cron.next_run_at" is a timestamp
    And the response field "$.cron.created_at" is a timestamp
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200

    Examples: five-field expressions with ranges, steps, lists and names
      | expression             |
      | * * * * *              |
      | 0 9 * * 1-5            |
      | */15 * * * *           |
      | 0,30 8-18/2 * * *      |
      | 30 4 1,15 * 0          |
      | 0 0 * * 7              |
      | 0 0 1 JAN *            |
      | 0 12 * JUN-AUG MON-FRI |
      | 0 12 * * sat,sun       |
      | 15 10 * jan-mar tue    |

    Examples: six-field expressions with a seconds field
      | expression     |
      | */10 * * * * * |
      | 30 0 9 * * MON |

    Examples: special expressions
      | expression   |
      | @yearly      |
      | @annually    |
      | @monthly     |
      | @weekly      |
      | @daily       |
      | @midnight    |
      | @hourly      |
      | @every 30s   |
      | @every 1h30m |

  @L2-CRON-001
  Scenario Outline: Special expressions resolve to the expected wall-clock time
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "<expression>", "timezone": "UTC",
       "job_template": {"type": "cron.probe", "args": [], "options": {"queue": "{{queue}}"}}}
      """
    Then the response status is 201
    And the response field "$.cron.next_run_at" matches "<shape>"
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200

    Examples:
      | expression | shape                       |
      | @yearly    | -01-01T00:00:00(\.0+)?Z$    |
      | @monthly   | -\d{2}-01T00:00:00(\.0+)?Z$ |
      | @daily     | T00:00:00(\.0+)?Z$          |
      | @hourly    | T\d{2}:00:00(\.0+)?Z$       |

  @L2-CRON-001
  Scenario Outline: Invalid expressions are refused at registration
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "<expression>",
       "job_template": {"type": "cron.probe", "args": [], "options": {"queue": "{{queue}}"}}}
      """
    Then the response is an OJS error "invalid_request" with status 400
    When I GET "/ojs/v1/cron/{{cron}}"
    Then the response status is 404

    Examples:
      | expression       |
      | 0 0 0 0 0 0 0    |
      | 99 25 32 13 8    |
      | not a valid cron |
      | 60 * * * *       |
      | * 24 * * *       |
      | * * 0 * *        |
      | * * * 13 *       |
      | * * * * 8        |
      | */0 * * * *      |
      | * * *            |
      | @fortnightly     |
      | @every banana    |
      |                  |

  @L2-CRON-001
  Scenario Outline: A registration missing a required part, or with a malformed one, is refused
    When I POST "/ojs/v1/cron" with:
      """
      <body>
      """
    Then the response is an OJS error "invalid_request" with status 400

    Examples:
      | body                                                                                                                                                                  |
      | {"expression": "* * * * *", "job_template": {"type": "cron.probe", "args": [], "options": {"queue": "{{queue}}"}}}                                                    |
      | {"name": "{{cron}}", "job_template": {"type": "cron.probe", "args": [], "options": {"queue": "{{queue}}"}}}                                                           |
      | {"name": "{{cron}}", "expression": "* * * * *"}                                                                                                                       |
      | {"name": "{{cron}}", "expression": "* * * * *", "job_template": {"args": [], "options": {"queue": "{{queue}}"}}}                                                      |
      | {"name": "{{cron}}", "expression": "* * * * *", "job_template": {"type": "Bad Type!", "args": [], "options": {"queue": "{{queue}}"}}}                                 |
      | {"name": "Bad Name!", "expression": "* * * * *", "job_template": {"type": "cron.probe", "args": [], "options": {"queue": "{{queue}}"}}}                               |
      | {"name": "{{cron}}", "expression": "* * * * *", "overlap_policy": "sometimes", "job_template": {"type": "cron.probe", "args": [], "options": {"queue": "{{queue}}"}}} |

  @L2-CRON-001
  Scenario: A registered cron job shows up in the list and can be read by name
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "0 0 * * *",
       "job_template": {"type": "cron.probe", "args": [], "options": {"queue": "{{queue}}"}}}
      """
    Then the response status is 201
    When I GET "/ojs/v1/cron"
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.crons" has an item matching {"name": "{{cron}}"}
    When I GET "/ojs/v1/cron/{{cron}}"
    Then the response status is 200
    And the response field "$.cron.name" is "{{cron}}"
    And the response field "$.cron.expression" is "0 0 * * *"
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200

  @L2-CRON-001
  Scenario: Deleting a cron job returns it and removes it from the list
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "@hourly",
       "job_template": {"type": "cron.probe", "args": [], "options": {"queue": "{{queue}}"}}}
      """
    Then the response status is 201
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.cron.name" is "{{cron}}"
    When I GET "/ojs/v1/cron"
    Then the response status is 200
    And the response field "$.crons" has no item matching {"name": "{{cron}}"}
    When I GET "/ojs/v1/cron/{{cron}}"
    Then the response is an OJS error "not_found" with status 404
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response is an OJS error "not_found" with status 404

  @L2-CRON-001
  Scenario: Unknown cron names are reported as not found
    When I DELETE "/ojs/v1/cron/{{missing}}"
    Then the response is an OJS error "not_found" with status 404
    When I GET "/ojs/v1/cron/{{missing}}"
    Then the response is an OJS error "not_found" with status 404

  @L2-CRON-001
  Scenario: Registering an existing name again replaces the cron job
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "0 1 * * *",
       "job_template": {"type": "cron.probe", "args": ["v1"], "options": {"queue": "{{queue}}"}}}
      """
    Then the response status is 201
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "0 2 * * *",
       "job_template": {"type": "cron.probe", "args": ["v2"], "options": {"queue": "{{queue}}"}}}
      """
    Then the response status is one of 200, 201
    And the response field "$.cron.expression" is "0 2 * * *"
    When I GET "/ojs/v1/cron/{{cron}}"
    Then the response field "$.cron.expression" is "0 2 * * *"
    And the response field "$.cron.job_template.args" is ["v2"]
    And the response field "$.cron.next_run_at" matches "T02:00:00(\.0+)?Z$"
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200

  @L2-CRON-001
  Scenario: Bookkeeping fields sent by a client are ignored
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "0 4 * * *", "run_count": 99,
       "last_run_at": "2020-01-01T00:00:00Z", "next_run_at": "2020-01-01T00:00:00Z",
       "job_template": {"type": "cron.probe", "args": [], "options": {"queue": "{{queue}}"}}}
      """
    Then the response status is 201
    And the response field "$.cron.next_run_at" matches "T04:00:00(\.0+)?Z$"
    And the response field "$.cron.last_run_at" does not exist
    And the response field "$.cron.run_count" is not 99
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200
