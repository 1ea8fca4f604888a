Feature: the facilitator's controls
  Scenario: The facilitator adds a fault and a note, then aborts the game day
    Given the stack is running
    And the alert rules in "internal/cli/testdata/gameday-facilitator/db.rules.yml"
    And steady traffic of 5 requests per second
    And the on-call responder is a person
    When the fault "db-pool-exhaustion" is injected
    And the drill runs until the incident is resolved or 60 minutes pass
    Then the incident is acknowledged within 5 minutes
