@gameday
Feature: Game day: the monthly drill with people in the loop
  The playbook's monthly drill, answered by the people on call instead of
  an automated playbook. Run it on the wall clock:

    firedrill run --clock realtime --tags @gameday

  and answer the page with `firedrill ack`, fix the database by hand, then
  `firedrill resolve` (or use the page at http://127.0.0.1:7070/).
  `make drill` and `go test ./features` leave it out (~@gameday).

  Scenario: The on-call team restores the database by hand
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
