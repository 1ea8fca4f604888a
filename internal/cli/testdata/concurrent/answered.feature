Feature: one of two runs at once: the on-call answers
  Scenario: The on-call runs Database Recovery
    Given the stack is running
    And the alert rules in "rules/default.rules.yml"
    And steady traffic of 5 requests per second
    And the on-call responder runs playbook "db-recovery"
    And the on-call responder acknowledges after 3 minutes
    When the fault "db-pool-exhaustion" is injected
    And the drill runs until the incident is resolved or 45 minutes pass
    Then the alert "DatabaseConnectionFailure" fires within 2 minutes
    And the incident is declared as P1
    And the service recovers within 30 minutes
    And the drill meets its targets
