@alerting @database
Feature: Your alerting, unchanged: a community rule collection and your Alertmanager routing
  Teams load widely shared rule collections beside their own rules, and
  some of those rules fire on a perfectly healthy stack. They must not
  hold the drill's incident open: they fired before the fault, so they are
  pre-existing noise, listed in the report. And alerts reach people the
  way the team's Alertmanager sends them: grouped, after group_wait, with
  inhibit rules muting symptoms while their cause pages.

  Scenario: The monthly drill resolves although community rules fire on the healthy stack
    Given the stack is running
    And the alert rules in "rules/default.rules.yml"
    And the alert rules in "features/community/postgres-redis.rules.yml"
    And steady traffic of 20 requests per second
    And the on-call responder runs playbook "db-recovery"
    And the on-call responder acknowledges after 3 minutes
    When the fault "db-pool-exhaustion" is injected
    And the drill runs until the incident is resolved or 45 minutes pass
    Then the alert "PostgresqlNotEnoughConnections" fires with no fault
    And the alert "RedisOutOfConfiguredMaxmemory" fires with no fault
    And the alert "DatabaseConnectionFailure" fires within 2 minutes
    And the incident is declared as P1
    And the service recovers within 30 minutes
    And the drill meets its targets

  Scenario: An inhibit rule keeps the error-rate symptom from paging while the database pages
    # Nobody answers, so both alerts keep firing: HighErrorRate (for: 5m)
    # fires while DatabaseConnectionFailure still does, and is muted.
    Given the stack is running
    And the alert rules in "rules/default.rules.yml"
    And the Alertmanager configuration in "features/community/alertmanager.yml"
    And steady traffic of 20 requests per second
    When the fault "db-pool-exhaustion" is injected
    And the drill runs until the incident is resolved or 8 minutes pass
    Then the alert "DatabaseConnectionFailure" fires within 2 minutes
    And the alert "HighErrorRate" fires within 7 minutes
    And the alert "HighErrorRate" pages nobody
    And time to page is at most 3 minutes
    And MTTA is not measured
