Feature: one of two runs at once: nobody answers
  Scenario: Nobody answers the page
    Given the stack is running
    And the alert rules in "rules/default.rules.yml"
    And steady traffic of 2 requests per second
    When the fault "db-pool-exhaustion" is injected
    And the drill runs until the incident is resolved or 10 minutes pass
    Then the alert "DatabaseConnectionFailure" fires within 2 minutes
