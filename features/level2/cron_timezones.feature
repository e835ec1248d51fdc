Feature: Cron time zones
  A cron schedule is read as wall-clock time in an IANA time zone (UTC when none is
  given), and next_run_at is reported in UTC. Fixed offsets and abbreviations such as
  "EST" are refused because they cannot follow daylight-saving rules.
  (Daylight-saving transitions themselves are covered by unit tests of the schedule
  calculator; here we check what a client sees.)

  @L2-CRON-002 @L2-TZ-001
  Scenario Outline: next_run_at reflects the zone the schedule is written in
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "<expression>", "timezone": "<zone>",
       "job_template": {"type": "tz.probe", "args": [], "options": {"queue": "{{queue}}"}}}
      """
    Then the response status is 201
    And the response field "$.cron.timezone" is "<zone>"
    And the response field "$.cron.next_run_at" is a timestamp
    And the response field "$.cron.next_run_at" matches "<utc_time>"
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200

    Examples:
      | expression | zone             | utc_time              |
      | 0 9 * * *  | Asia/Tokyo       | T00:00:00(\.0+)?Z$    |
      | 30 9 * * * | Asia/Kolkata     | T04:00:00(\.0+)?Z$    |
      | 0 12 * * * | America/New_York | T1[67]:00:00(\.0+)?Z$ |
      | 0 9 * * *  | Europe/London    | T0[89]:00:00(\.0+)?Z$ |
      | 0 6 * * *  | Asia/Kathmandu   | T00:15:00(\.0+)?Z$    |
      | 0 9 * * *  | UTC              | T09:00:00(\.0+)?Z$    |
      | @daily     | Asia/Tokyo       | T15:00:00(\.0+)?Z$    |

  @L2-CRON-002 @L2-TZ-001
  Scenario: The zone is kept when the cron job is read back
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "0 9 * * *", "timezone": "Asia/Tokyo",
       "job_template": {"type": "tz.probe", "args": [], "options": {"queue": "{{queue}}"}}}
      """
    Then the response status is 201
    When I GET "/ojs/v1/cron/{{cron}}"
    Then the response status is 200
    And the response field "$.cron.timezone" is "Asia/Tokyo"
    And the response field "$.cron.next_run_at" matches "T00:00:00(\.0+)?Z$"
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200

  @L2-CRON-002 @L2-TZ-001
  Scenario: A daily time that falls in a daylight-saving gap is still accepted
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "30 2 * * *", "timezone": "America/New_York",
       "job_template": {"type": "tz.probe", "args": [], "options": {"queue": "{{queue}}"}}}
      """
    Then the response status is 201
    And the response field "$.cron.next_run_at" matches "T0[67]:30:00(\.0+)?Z$"
    When I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200

  @L2-CRON-002 @L2-TZ-001
  Scenario Outline: Time zones that are not IANA names are refused
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "0 9 * * *", "timezone": "<zone>",
       "job_template": {"type": "tz.probe", "args": [], "options": {"queue": "{{queue}}"}}}
      """
    Then the response is an OJS error "invalid_request" with status 400
    When I GET "/ojs/v1/cron/{{cron}}"
    Then the response status is 404

    Examples:
      | zone            |
      | Mars/Olympus    |
      | EST             |
      | PST             |
      | CST             |
      | +05:00          |
      | -08:00          |
      | UTC+5           |
      | GMT-3           |
      | Tokyo           |
      | america/nowhere |
