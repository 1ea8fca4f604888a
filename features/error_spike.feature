@errors
Feature: Error spike from a faulty feature
  Half the app's requests start failing with 500 after a feature ships.
  High Error Rate (P2, error rate above 10% for 5 minutes) must page, and
  the playbook's quick fix 7 — turn the faulty feature flag off — must end it.

  Scenario: The on-call disables the faulty feature
    Given the stack is running
    And the alert rules in "rules/default.rules.yml"
    And steady traffic of 20 requests per second
    And the on-call responder runs playbook "disable-feature"
    And the on-call responder acknowledges after 2 minutes
    When the fault "error-spike" is injected with:
      | percent | 50 |
    And the drill runs until the incident is resolved or 45 minutes pass
    Then the alert "HighErrorRate" fires within 7 minutes
    And the alert "DatabaseConnectionFailure" does not fire
    And the incident is declared as P2
    And MTTA is at most 15 minutes
    And the service recovers within 30 minutes
    And MTTR is at most 60 minutes

  Scenario: A quiet half hour raises no alert
    Given the stack is running
    And the alert rules in "rules/default.rules.yml"
    And steady traffic of 20 requests per second
    When the drill runs until the incident is resolved or 30 minutes pass
    Then the alert "HighErrorRate" does not fire
    And the alert "DatabaseConnectionFailure" does not fire
    And the alert "CompleteServiceOutage" does not fire
    And the drill meets its targets
