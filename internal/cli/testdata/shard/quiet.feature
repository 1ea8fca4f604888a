Feature: quiet drills for sharding
  Scenario: Two quiet minutes
    Given the stack is running
    And steady traffic of 5 requests per second
    When the drill runs until the incident is resolved or 2 minutes pass
    Then the alert "HighErrorRate" does not fire

  Scenario: Three quiet minutes
    Given the stack is running
    And steady traffic of 5 requests per second
    When the drill runs until the incident is resolved or 3 minutes pass
    Then the alert "HighErrorRate" does not fire

  Scenario: Four quiet minutes
    Given the stack is running
    And steady traffic of 5 requests per second
    When the drill runs until the incident is resolved or 4 minutes pass
    Then the alert "HighErrorRate" does not fire
