@two-servers
Feature: Several server processes share one backend
  The server keeps no job state of its own, so two processes on the same Redis or PostgreSQL act as one
  server: a job goes to exactly one worker whichever process it fetches from, and a cron occurrence fires
  once even though both processes evaluate the schedule. These scenarios run on shared backends only.

  @L1-VT-001 @L0-OPS-002
  Scenario: Workers fetching through two server processes never receive the same job
    When I POST "/ojs/v1/jobs/batch" with a batch of 300 jobs of type "shared.work" in queue "{{queue}}"
    Then the response status is 201
    When 4 workers on each server concurrently fetch from "{{queue}}" with count 5 until it is empty
    Then 300 distinct jobs were delivered and none twice

  @L1-HB-001
  Scenario: A job pushed through one process is visible and fetchable through the other
    Given a job of type "shared.echo" in queue "{{queue}}" saved as "job"
    When I GET "/ojs/v1/jobs/{{job}}" on the second server
    Then the response status is 200
    And the response field "$.job.state" is "available"
    When I POST "/ojs/v1/workers/fetch" on the second server with:
      """
      {"queues": ["{{queue}}"], "worker_id": "peer-worker"}
      """
    Then the response field "$.jobs[0].id" equals the saved "job"
    When I GET "/ojs/v1/jobs/{{job}}"
    Then the response field "$.job.state" is "active"

  @L2-CRON-001 @L2-CRON-003
  Scenario: A cron occurrence fires once although both processes evaluate it
    When I POST "/ojs/v1/cron" with:
      """
      {"name": "{{cron}}", "expression": "*/1 * * * * *", "overlap_policy": "allow",
       "job_template": {"type": "shared.tick", "args": [], "options": {"queue": "{{queue}}"}}}
      """
    Then the response status is 201
    When within 10 seconds GET "/ojs/v1/cron/{{cron}}" has field "$.cron.run_count" at least 4
    And I DELETE "/ojs/v1/cron/{{cron}}"
    Then the response status is 200
    And I save the response field "$.cron.run_count" as "runs"
    And every job in "{{queue}}" has a distinct "$.meta.cron_triggered_at" and there are as many as the saved "runs"
