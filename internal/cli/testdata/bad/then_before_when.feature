Feature: judged before it happens
  Scenario: Then first
    Given the stack is running
    Then the alert "HighErrorRate" fires within 2 minutes
    When the fault "error-spike" is injected
    And the drill runs until the incident is resolved or 10 minutes pass
