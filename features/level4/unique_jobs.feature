Feature: Unique jobs
  A push may carry a uniqueness policy. Jobs with the same fingerprint (built from the
  type plus the chosen dimensions: queue, args or selected args keys, selected meta keys)
  are duplicates while the earlier one is in one of the watched states and, if a period
  is set, while that period has not run out since it was created. What happens to a
  duplicate depends on on_conflict: reject it (409), ignore it (200 with the existing
  job), or replace the earlier job (which ends cancelled).

  Every scenario uses its own job type ({{uniq}}), so fingerprints never collide across
  scenarios running at the same time.

  @L4-UNIQ-001 @L4-UNIQ-002
  Scenario: A duplicate is rejected and told which job it collides with
    Given a job saved as "first" is pushed with:
      """
      {"type": "{{uniq}}", "args": [{"user_id": 42}],
       "options": {"queue": "{{queue}}", "unique": {"keys": ["type", "args"], "on_conflict": "reject"}}}
      """
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": [{"user_id": 42}],
       "options": {"queue": "{{queue}}", "unique": {"keys": ["type", "args"], "on_conflict": "reject"}}}
      """
    Then the response is an OJS error "duplicate" with status 409
    And the response field "$.error.details.existing_job_id" equals the saved "first"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 1 items

  @L4-UNIQ-002
  Scenario: reject is the conflict strategy when none is named
    Given a job saved as "first" is pushed with:
      """
      {"type": "{{uniq}}", "args": [1], "options": {"queue": "{{queue}}", "unique": {"keys": ["type"]}}}
      """
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": [2], "options": {"queue": "{{queue}}", "unique": {"keys": ["type"]}}}
      """
    Then the response is an OJS error "duplicate" with status 409

  @L4-UNIQ-001
  Scenario: Different args are not duplicates when args are part of the key
    Given a job saved as "first" is pushed with:
      """
      {"type": "{{uniq}}", "args": [{"user_id": 1}],
       "options": {"queue": "{{queue}}", "unique": {"keys": ["type", "args"]}}}
      """
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": [{"user_id": 2}],
       "options": {"queue": "{{queue}}", "unique": {"keys": ["type", "args"]}}}
      """
    Then the response status is 201

  @L4-UNIQ-001
  Scenario: Key order inside args objects does not change the fingerprint
    Given a job saved as "first" is pushed with:
      """
      {"type": "{{uniq}}", "args": [{"a": 1, "b": 2}],
       "options": {"queue": "{{queue}}", "unique": {"keys": ["type", "args"]}}}
      """
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": [{"b": 2, "a": 1}],
       "options": {"queue": "{{queue}}", "unique": {"keys": ["type", "args"]}}}
      """
    Then the response is an OJS error "duplicate" with status 409

  @L4-UNIQ-001
  Scenario: With only the type as key, args do not matter
    Given a job saved as "first" is pushed with:
      """
      {"type": "{{uniq}}", "args": ["a"], "options": {"queue": "{{queue}}", "unique": {"keys": ["type"]}}}
      """
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": ["b"], "options": {"queue": "{{queue}}", "unique": {"keys": ["type"]}}}
      """
    Then the response is an OJS error "duplicate" with status 409

  @L4-UNIQ-001
  Scenario: With the queue in the key, the same job may wait in two different queues
    Given a job saved as "first" is pushed with:
      """
      {"type": "{{uniq}}", "args": [7], "options": {"queue": "{{queue}}", "unique": {"keys": ["type", "queue"]}}}
      """
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": [7], "options": {"queue": "{{other}}", "unique": {"keys": ["type", "queue"]}}}
      """
    Then the response status is 201
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": [8], "options": {"queue": "{{queue}}", "unique": {"keys": ["type", "queue"]}}}
      """
    Then the response is an OJS error "duplicate" with status 409

  @L4-UNIQ-001
  Scenario: Without the queue in the key, uniqueness spans queues
    Given a job saved as "first" is pushed with:
      """
      {"type": "{{uniq}}", "args": [7], "options": {"queue": "{{queue}}", "unique": {"keys": ["type", "args"]}}}
      """
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": [7], "options": {"queue": "{{other}}", "unique": {"keys": ["type", "args"]}}}
      """
    Then the response is an OJS error "duplicate" with status 409

  @L4-UNIQ-001
  Scenario: args_keys narrows the fingerprint to selected argument fields
    Given a job saved as "first" is pushed with:
      """
      {"type": "{{uniq}}", "args": [{"user_id": 42, "template": "welcome"}],
       "options": {"queue": "{{queue}}", "unique": {"keys": ["type", "args"], "args_keys": ["user_id"]}}}
      """
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": [{"user_id": 42, "template": "reminder"}],
       "options": {"queue": "{{queue}}", "unique": {"keys": ["type", "args"], "args_keys": ["user_id"]}}}
      """
    Then the response is an OJS error "duplicate" with status 409
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": [{"user_id": 43, "template": "welcome"}],
       "options": {"queue": "{{queue}}", "unique": {"keys": ["type", "args"], "args_keys": ["user_id"]}}}
      """
    Then the response status is 201

  @L4-UNIQ-001
  Scenario: meta_keys makes selected metadata part of the fingerprint
    Given a job saved as "first" is pushed with:
      """
      {"type": "{{uniq}}", "args": [], "meta": {"tenant_id": "acme", "trace_id": "t-1"},
       "options": {"queue": "{{queue}}", "unique": {"keys": ["type", "meta"], "meta_keys": ["tenant_id"]}}}
      """
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": [], "meta": {"tenant_id": "acme", "trace_id": "t-2"},
       "options": {"queue": "{{queue}}", "unique": {"keys": ["type", "meta"], "meta_keys": ["tenant_id"]}}}
      """
    Then the response is an OJS error "duplicate" with status 409
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": [], "meta": {"tenant_id": "globex", "trace_id": "t-3"},
       "options": {"queue": "{{queue}}", "unique": {"keys": ["type", "meta"], "meta_keys": ["tenant_id"]}}}
      """
    Then the response status is 201

  @L4-UNIQ-001
  Scenario Outline: Malformed uniqueness policies are refused
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": [{"user_id": 1}], "meta": {"tenant_id": "acme"},
       "options": {"queue": "{{queue}}", "unique": <policy>}}
      """
    Then the response is an OJS error "invalid_request" with status 400

    Examples:
      | policy                                               |
      | {"keys": ["argz"]}                                   |
      | {"keys": ["type", "meta"]}                           |
      | {"keys": ["type", "meta"], "meta_keys": []}          |
      | {"keys": ["type"], "on_conflict": "explode"}         |
      | {"keys": ["type"], "period": "one hour"}             |
      | {"keys": ["type"], "states": ["sleeping"]}           |
      | {"keys": ["type", "args"], "args_keys": ["missing"]} |
      | "yes"                                                |

  @L4-UNIQ-002
  Scenario: on_conflict ignore answers 200 with the existing job
    Given a job saved as "first" is pushed with:
      """
      {"type": "{{uniq}}", "args": [1], "options": {"queue": "{{queue}}",
       "unique": {"keys": ["type", "args"], "on_conflict": "ignore"}}}
      """
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": [1], "options": {"queue": "{{queue}}",
       "unique": {"keys": ["type", "args"], "on_conflict": "ignore"}}}
      """
    Then the response status is 200
    And the response has the OJS headers
    And the response field "$.deduplicated" is true
    And the response field "$.job.id" equals the saved "first"
    And the response field "$.job.state" is "available"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 1 items

  @L4-UNIQ-002
  Scenario: on_conflict replace cancels the waiting job and creates the new one
    Given a job saved as "old" is pushed with:
      """
      {"type": "{{uniq}}", "args": [{"user_id": 5, "photo": "old.png"}], "options": {"queue": "{{queue}}",
       "unique": {"keys": ["type", "args"], "args_keys": ["user_id"], "on_conflict": "replace"}}}
      """
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": [{"user_id": 5, "photo": "new.png"}], "options": {"queue": "{{queue}}",
       "unique": {"keys": ["type", "args"], "args_keys": ["user_id"], "on_conflict": "replace"}}}
      """
    Then the response status is 201
    And the response field "$.job.id" is not "{{old}}"
    And the response field "$.job.state" is "available"
    And I save the response field "$.job.id" as "new"
    When I GET "/ojs/v1/jobs/{{old}}"
    Then the response field "$.job.state" is "cancelled"
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 10}
      """
    Then the response field "$.jobs" has 1 items
    And the response field "$.jobs[0].id" equals the saved "new"
    And the response field "$.jobs[0].args[0].photo" is "new.png"

  @L4-UNIQ-002
  Scenario: on_conflict replace_except_schedule takes the new arguments but keeps the old time
    Given a job saved as "old" is pushed with:
      """
      {"type": "{{uniq}}", "args": [{"user_id": 42, "text": "first draft"}],
       "options": {"queue": "{{queue}}", "scheduled_at": "2099-01-01T09:00:00Z",
        "unique": {"keys": ["type", "args"], "args_keys": ["user_id"], "on_conflict": "replace_except_schedule"}}}
      """
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": [{"user_id": 42, "text": "final text"}],
       "options": {"queue": "{{queue}}", "scheduled_at": "2098-06-01T12:00:00Z",
        "unique": {"keys": ["type", "args"], "args_keys": ["user_id"], "on_conflict": "replace_except_schedule"}}}
      """
    Then the response status is one of 200, 201
    And the response field "$.job.state" is "scheduled"
    And the response field "$.job.scheduled_at" is "2099-01-01T09:00:00Z"
    And the response field "$.job.args[0].text" is "final text"
    When I GET "/ojs/v1/queues/{{queue}}/stats"
    Then the response field "$.queue.scheduled" is 1

  @L4-UNIQ-001
  Scenario: A period lets a duplicate in once it has elapsed
    Given a job saved as "first" is pushed with:
      """
      {"type": "{{uniq}}", "args": [], "options": {"queue": "{{queue}}",
       "unique": {"keys": ["type"], "period": "PT1S"}}}
      """
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": [], "options": {"queue": "{{queue}}",
       "unique": {"keys": ["type"], "period": "PT1S"}}}
      """
    Then the response is an OJS error "duplicate" with status 409
    When within 3 seconds I POST "/ojs/v1/jobs" until field "$.job.id" exists, with:
      """
      {"type": "{{uniq}}", "args": [], "options": {"queue": "{{queue}}",
       "unique": {"keys": ["type"], "period": "PT1S"}}}
      """
    Then the response status is 201
    And the response field "$.job.id" is not "{{first}}"
    When I GET "/ojs/v1/jobs/{{first}}"
    Then the response field "$.job.state" is "available"

  @L4-UNIQ-001
  Scenario: A states filter of ["available"] lets a new job in once the first has completed
    Given a job saved as "first" is pushed with:
      """
      {"type": "{{uniq}}", "args": [], "options": {"queue": "{{queue}}",
       "unique": {"keys": ["type"], "states": ["available"]}}}
      """
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": [], "options": {"queue": "{{queue}}",
       "unique": {"keys": ["type"], "states": ["available"]}}}
      """
    Then the response is an OJS error "duplicate" with status 409
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    And I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{first}}"}
      """
    Then the response status is 200
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": [], "options": {"queue": "{{queue}}",
       "unique": {"keys": ["type"], "states": ["available"]}}}
      """
    Then the response status is 201

  @L4-UNIQ-001
  Scenario: By default a finished or cancelled job no longer blocks a new one
    Given a job saved as "first" is pushed with:
      """
      {"type": "{{uniq}}", "args": [], "options": {"queue": "{{queue}}", "unique": {"keys": ["type"]}}}
      """
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    And I POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": [], "options": {"queue": "{{queue}}", "unique": {"keys": ["type"]}}}
      """
    Then the response is an OJS error "duplicate" with status 409
    When I POST "/ojs/v1/workers/ack" with:
      """
      {"job_id": "{{first}}"}
      """
    And I POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": [], "options": {"queue": "{{queue}}", "unique": {"keys": ["type"]}}}
      """
    Then the response status is 201
    And I save the response field "$.job.id" as "second"
    When I DELETE "/ojs/v1/jobs/{{second}}"
    Then the response status is 200
    When I POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": [], "options": {"queue": "{{queue}}", "unique": {"keys": ["type"]}}}
      """
    Then the response status is 201

  @L4-UNIQ-001 @L4-UNIQ-003
  Scenario: Twenty simultaneous identical pushes create exactly one job
    When 20 clients concurrently POST "/ojs/v1/jobs" with:
      """
      {"type": "{{uniq}}", "args": [{"order": 99}], "options": {"queue": "{{queue}}",
       "unique": {"keys": ["type", "args"], "on_conflict": "reject"}}}
      """
    Then exactly 1 of those responses had status 201
    And exactly 19 of those responses had status 409
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"], "count": 100}
      """
    Then the response field "$.jobs" has 1 items

  @L4-UNIQ-003
  Scenario: The manifest states how strong the uniqueness guarantee is
    When I GET "/ojs/manifest"
    Then the response status is 200
    And the response field "$.unique_job_strength" matches "^(strong|best[-_]effort)$"
