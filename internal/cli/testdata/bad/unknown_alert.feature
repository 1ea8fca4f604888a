Feature: an alert no rule file defines
  Scenario: a typo in the alert's name
    Given the stack is running
    And the alert rules in "rules/default.rules.yml"
    When the drill runs until the incident is resolved or 10 minutes pass
    Then the alert "NoSuchAlert" fires within 2 minutes
