Feature: an unknown fault
  Scenario: a typo
    Given the stack is running
    When the fault "db-pool-exhausted" is injected
    And the drill runs until the incident is resolved or 10 minutes pass
