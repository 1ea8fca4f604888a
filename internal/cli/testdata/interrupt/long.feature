Feature: a run interrupted mid-drill
  # Runs its 45 minutes: nobody is on call, so without the tag the drill
  # would stop early once the alert fires, possibly before the test
  # interrupts it.
  @run-to-limit
  Scenario: Nobody answers for 45 minutes
    Given the stack is running
    And the alert rules in "rules/default.rules.yml"
    And steady traffic of 2 requests per second
    When the fault "error-spike" is injected
    And the drill runs until the incident is resolved or 45 minutes pass
    Then the alert "HighErrorRate" fires within 7 minutes

  Scenario: Never reached
    Given the stack is running
    When the drill runs until the incident is resolved or 5 minutes pass
    Then the alert "HighErrorRate" does not fire
