@postgres-sql
Feature: Enqueueing inside the application's own database transaction
  On the PostgreSQL backend an application can enqueue with the SQL function ojs_enqueue in the same
  transaction as its business data: the job exists if and only if that transaction commits, and it is then
  served like any job pushed over HTTP. These scenarios run on the PostgreSQL backend only.

  @L0-OPS-001 @L0-ENV-002
  Scenario: A job enqueued in a committed transaction is served with its arguments intact
    Given the application runs in its own transaction, saving the result as "job":
      """
      CREATE TEMP TABLE orders (id text primary key);
      INSERT INTO orders VALUES ('{{order}}');
      SELECT ojs_enqueue('order.fulfil', '["{{order}}", 2.50]', '{{queue}}')::text;
      """
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    Then the response field "$.jobs" has 1 items
    And the response field "$.jobs[0].id" equals the saved "job"
    And the response field "$.jobs[0].id" is a uuidv7
    And the response field "$.jobs[0].type" is "order.fulfil"
    And the response field "$.jobs[0].args[1]" is 2.50
    And the response field "$.jobs[0].attempt" is 1

  @L0-OPS-001
  Scenario: A job enqueued in a rolled-back transaction never exists
    Given the application runs in its own transaction and rolls it back:
      """
      SELECT ojs_enqueue('order.fulfil', '["{{order}}"]', '{{queue}}')::text;
      """
    When I POST "/ojs/v1/workers/fetch" with:
      """
      {"queues": ["{{queue}}"]}
      """
    Then the response field "$.jobs" has 0 items
    When I GET "/ojs/v1/queues/{{queue}}/stats"
    Then the response field "$.queue.available" is 0
