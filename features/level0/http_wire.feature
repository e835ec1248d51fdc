Feature: HTTP wire rules
  Every answer, successful or not, is JSON in the OJS media type with the version and a
  request id, and every failure uses the same error object, so a client can handle them
  all in one place.

  @L0-WF-001
  Scenario: A successful push carries the OJS headers and the job's location
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "wire.check", "args": [], "options": {"queue": "{{queue}}"}}
      """
    Then the response status is 201
    And the response has the OJS headers
    And I save the response field "$.job.id" as "job"
    And the response header "Location" is "/ojs/v1/jobs/{{job}}"

  @L0-WF-001
  Scenario: The server makes up a request id when the client sends none
    When I GET "/ojs/v1/health"
    Then the response has the OJS headers
    And the response header "X-Request-Id" matches "^req_[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"

  @L0-WF-001
  Scenario: A request id sent by the client comes back on a success
    Given the next request carries the header "X-Request-Id" with value "{{trace}}"
    When I GET "/ojs/v1/health"
    Then the response status is 200
    And the response header "X-Request-Id" is "{{trace}}"

  @L0-WF-001
  Scenario: A request id sent by the client comes back in an error body
    Given the next request carries the header "X-Request-Id" with value "{{trace}}"
    When I GET "/ojs/v1/jobs/01900000-0000-7000-8000-000000000000"
    Then the response is an OJS error "not_found" with status 404
    And the response header "X-Request-Id" is "{{trace}}"
    And the response field "$.error.request_id" is "{{trace}}"

  @L0-WF-001
  Scenario: An unknown route is a 404 OJS error with a hint and a docs link
    When I GET "/ojs/v1/no-such-endpoint"
    Then the response is an OJS error "not_found" with status 404
    And the response field "$.error.retryable" is false

  @L0-WF-001
  Scenario: An unknown method on the root still gets an answer
    When I send "ASSERT" "/" with content type "text/plain" and body:
      """
      hello
      """
    Then the response status is one of 400, 404, 405, 501
    And the response has the OJS headers

  @L0-WF-001
  Scenario: A body that is not JSON is rejected as an invalid payload
    When I send "POST" "/ojs/v1/jobs" with content type "application/json" and body:
      """
      {"type": "wire.check", "args": [
      """
    Then the response is an OJS error "invalid_payload" with status 400
    And the response field "$.error.retryable" is false

  @L0-WF-001
  Scenario: An empty body is rejected as an invalid payload
    When I POST "/ojs/v1/jobs"
    Then the response is an OJS error "invalid_payload" with status 400

  @L0-WF-001
  Scenario Outline: A JSON body that is not an object is rejected as an invalid payload
    When I send "POST" "/ojs/v1/jobs" with content type "application/json" and body:
      """
      <body>
      """
    Then the response is an OJS error "invalid_payload" with status 400

    Examples:
      | body           |
      | [1, 2, 3]      |
      | "wire.check"   |
      | 42             |
      | null           |
      | true           |

  @L0-WF-001
  Scenario: A body in a foreign media type is rejected as an invalid request
    When I send "POST" "/ojs/v1/jobs" with content type "text/plain" and body:
      """
      {"type": "wire.check", "args": [], "options": {"queue": "{{queue}}"}}
      """
    Then the response is an OJS error "invalid_request" with status 400

  @L0-WF-001
  Scenario Outline: Both JSON media types are accepted, with or without a charset
    When I send "POST" "/ojs/v1/jobs" with content type "<media_type>" and body:
      """
      {"type": "wire.check", "args": [], "options": {"queue": "{{queue}}"}}
      """
    Then the response status is 201
    And the response has the OJS headers

    Examples:
      | media_type                                    |
      | application/json                              |
      | application/json; charset=utf-8               |
      | application/openjobspec+json                  |
      | application/openjobspec+json; charset=utf-8   |

  @L0-WF-001
  Scenario: A JSON body without a content type is accepted
    When I send "POST" "/ojs/v1/jobs" with content type "" and body:
      """
      {"type": "wire.check", "args": [], "options": {"queue": "{{queue}}"}}
      """
    Then the response status is 201

  @L0-WF-001
  Scenario: An oversized body is refused with an OJS error body
    When I POST "/ojs/v1/jobs" with a JSON body of 67108864 bytes
    Then the response status is one of 413, 400
    And the response has the OJS headers
    And the response field "$.error.code" exists
    And the response field "$.error.message" exists

  @L0-WF-001
  Scenario: A request declaring the supported protocol version is served
    Given the next request carries the header "OJS-Version" with value "1.0"
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "wire.check", "args": [], "options": {"queue": "{{queue}}"}}
      """
    Then the response status is 201

  @L0-WF-001
  Scenario: A request declaring an unsupported protocol version is refused
    Given the next request carries the header "OJS-Version" with value "2.0"
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "wire.check", "args": [], "options": {"queue": "{{queue}}"}}
      """
    Then the response is an OJS error "unsupported" with status 422
