@database
Feature: Database down
  Postgres itself goes away — stopped, killed or frozen — while the app
  stays up and fails its requests with 503. Database Connection Failure
  (P1, database unreachable) must page, and restarting Postgres must bring
  the service back with every committed row in place (a killed server
  replays its write-ahead log on restart).

  Scenario Outline: The on-call restarts the database after a <mode>
    Given the stack is running
    And the alert rules in "rules/default.rules.yml"
    And steady traffic of 20 requests per second
    And the on-call responder runs playbook "db-restart"
    And the on-call responder acknowledges after 2 minutes
    When the fault "db-down" is injected with:
      | mode | <mode> |
    And the drill runs until the incident is resolved or 45 minutes pass
    Then the alert "DatabaseConnectionFailure" fires within 2 minutes
    And the alert "CompleteServiceOutage" does not fire
    And the incident is declared as P1
    And the incident is acknowledged within 5 minutes
    And the service recovers within 30 minutes
    And MTTD is at most 5 minutes
    And MTTA is at most 15 minutes
    And MTTR is at most 60 minutes
    And the drill meets its targets
    And no data is lost

    Examples:
      | mode  |
      | stop  |

    # Each tick waits out the app's 2 s database timeout (and a frozen
    # Postgres the probe's and the exporter's): over a minute of wall time
    # each, so `make test` leaves them out (@slow).
    @slow
    Examples: killed or frozen
      | mode  |
      | kill  |
      | pause |
