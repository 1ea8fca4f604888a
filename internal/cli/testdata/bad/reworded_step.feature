Feature: a reworded sentence
  Scenario: "fires in" for "fires within"
    Given the stack is running
    Then the alert "HighErrorRate" fires in 2 minutes
