Feature: a bad table parameter
  Scenario: too much
    Given the stack is running
    When the fault "data-deletion" is injected with:
      | percent | 300 |
    And the drill runs until the incident is resolved or 10 minutes pass
