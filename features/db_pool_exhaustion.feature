@monthly @database
Feature: Database connection pool exhaustion during peak hours
  The playbook's monthly incident drill. At peak traffic every connection
  slot of Postgres is taken by sessions that sit in pg_sleep, and the app's
  own connections are gone, so it cannot reconnect and its requests fail.
  The playbook expects: alert within 2 minutes, IC assigned within 5,
  diagnosis within 15, mitigation within 20, service restored within 30.

  Scenario: The on-call runs Database Recovery and restores the service in time
    Given the stack is running
    And the alert rules in "rules/default.rules.yml"
    And steady traffic of 20 requests per second
    And the on-call responder runs playbook "db-recovery"
    And the on-call responder acknowledges after 3 minutes
    When the fault "db-pool-exhaustion" is injected
    And the drill runs until the incident is resolved or 45 minutes pass
    Then the alert "DatabaseConnectionFailure" fires within 2 minutes
    And the incident is declared as P1
    And the incident is acknowledged within 5 minutes
    And the service recovers within 30 minutes
    And MTTD is at most 5 minutes
    And MTTA is at most 15 minutes
    And MTTR is at most 60 minutes
    And the drill meets its targets
