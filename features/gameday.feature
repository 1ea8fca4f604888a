@gameday
Feature: Game day: the monthly drill with people in the loop
  The playbook's monthly drill, answered by people instead of an automated
  playbook. Run it on the wall clock:

    firedrill run --clock realtime --tags @gameday

  The run prints the console's two URLs: the responders' view (the page,
  the stack's health, the timeline, every action) and the facilitator's
  (the fault, the score as it stands, a second fault, notes, abort). The
  people on call answer there or from a terminal (`firedrill ack`,
  `update`, `notice`, `severity`, `role`, `resolve`, `postmortem`).
  `make drill` and `go test ./features` leave it out (~@gameday).

  @team
  Scenario: The team runs the monthly drill from the console
    Given the stack is running
    And the alert rules in "rules/default.rules.yml"
    And steady traffic of 20 requests per second
    And the team is on call
    When the fault "db-pool-exhaustion" is injected
    And the drill runs until the incident is resolved or 60 minutes pass
    Then the alert "DatabaseConnectionFailure" fires within 2 minutes
    And the incident is declared as P1
    And the severity assessment is correct
    And the escalation is proper
    And the communication is effective
    And the mitigation is successful
    And the post-mortem is completed
    And the drill meets its targets

  Scenario: The on-call person restores the database by hand
    Given the stack is running
    And the alert rules in "rules/default.rules.yml"
    And steady traffic of 20 requests per second
    And the on-call responder is a person
    When the fault "db-pool-exhaustion" is injected
    And the drill runs until the incident is resolved or 45 minutes pass
    Then the alert "DatabaseConnectionFailure" fires within 2 minutes
    And the incident is declared as P1
    And the incident is acknowledged within 5 minutes
    And the service recovers within 30 minutes
    And the drill meets its targets
