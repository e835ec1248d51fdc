Feature: Discovering a server
  Before sending work, a client asks the server what it implements (the manifest) and
  whether it is able to serve (health). Both answer in the OJS media type.

  @L0-WF-001
  Scenario: The manifest names the spec version, the implementation and its level
    When I GET "/ojs/manifest"
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.specversion" is "1.0"
    And the response field "$.ojs_version" is "1.0"
    And the response field "$.implementation.name" matches "."
    And the response field "$.conformance_level" exists
    And the response field "$.protocols" contains "http"

  @L0-WF-001
  Scenario: The health endpoint reports the server as able to serve
    When I GET "/ojs/v1/health"
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.status" matches "^(ok|healthy|degraded)$"
    And the response field "$.version" is "1.0"
    And the response field "$.uptime_seconds" is at least 0
    And the response field "$.backend.status" exists
