Feature: a game day
  Scenario: A person acknowledges the page
    Given the stack is running
    And the alert rules in "rules/default.rules.yml"
    And steady traffic of 5 requests per second
    And the on-call responder is a person
    When the fault "error-spike" is injected with:
      | percent | 80 |
    And the drill runs until the incident is resolved or 20 minutes pass
    Then the alert "HighErrorRate" fires within 7 minutes
    And the incident is acknowledged within 15 minutes
