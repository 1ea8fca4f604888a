Feature: two assertions no run passes both
  Scenario: fires and does not
    Given the stack is running
    When the fault "error-spike" is injected
    And the drill runs until the incident is resolved or 10 minutes pass
    Then the alert "HighErrorRate" fires within 2 minutes
    And the alert "HighErrorRate" does not fire
