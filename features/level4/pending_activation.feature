Feature: Staged jobs and activation
  A job pushed with options.pending set to true is staged: it stays in the pending state
  and no worker receives it until someone activates it with
  POST /ojs/v1/jobs/{id}/activate. Only pending jobs can be activated.

  @binding-activate
  Scenario: A pending job is held back until it is activated
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "staged.job", "args": ["approve-me"], "options": {"queue": "{{queue}}", "pending": true}}
      """
    Then the response status is 201
    And the response field "$.job.state" is "pending"
    And I save the response field "$.job.id" as "job"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 0 items
    When I POST "/ojs/v1/jobs/{{job}}/activate"
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.job.id" equals the saved "job"
    And the response field "$.job.state" is "available"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 1 items
    And the response field "$.jobs[0].id" equals the saved "job"

  @binding-activate
  Scenario: Activation accepts an empty JSON object as body
    Given a job saved as "job" is pushed with:
      """
      {"type": "staged.job", "args": [], "options": {"queue": "{{queue}}", "pending": true}}
      """
    When I POST "/ojs/v1/jobs/{{job}}/activate" with:
      """
      {}
      """
    Then the response status is 200
    And the response field "$.job.state" is "available"

  @binding-activate
  Scenario: Activating a job that was never staged is a conflict and leaves it available
    Given a job of type "staged.job" in queue "{{queue}}" saved as "job"
    When I POST "/ojs/v1/jobs/{{job}}/activate"
    Then the response is an OJS error "conflict" with status 409
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.state" is "available"

  @binding-activate
  Scenario: Activating a job twice is a conflict the second time
    Given a job saved as "job" is pushed with:
      """
      {"type": "staged.job", "args": [], "options": {"queue": "{{queue}}", "pending": true}}
      """
    When I POST "/ojs/v1/jobs/{{job}}/activate"
    Then the response status is 200
    When I POST "/ojs/v1/jobs/{{job}}/activate"
    Then the response is an OJS error "conflict" with status 409

  @binding-activate
  Scenario: A pending job can be cancelled instead of activated
    Given a job saved as "job" is pushed with:
      """
      {"type": "staged.job", "args": [], "options": {"queue": "{{queue}}", "pending": true}}
      """
    When I DELETE "/ojs/v1/jobs/{{job}}"
    Then the response status is 200
    And the response field "$.job.state" is "cancelled"
    When I POST "/ojs/v1/jobs/{{job}}/activate"
    Then the response is an OJS error "conflict" with status 409

  @binding-activate
  Scenario: Activating an unknown job is not found
    When I POST "/ojs/v1/jobs/01900000-0000-7000-8000-000000000000/activate"
    Then the response is an OJS error "not_found" with status 404
