@outage
Feature: Complete service outage
  The app itself goes away — killed, stopped or frozen — while the database
  and the cache are fine. Complete Service Outage (P1, every health check of
  the app failing) must page, and the playbook's Service Outage diagnosis
  and quick fix 1 (restart the service) must bring it back.

  The fault's fourth mode, crash-loop (the app is killed again each time it
  comes back), is not drilled here: a restart cannot end it, so this
  playbook cannot resolve it (the injector's test shows a restarted app
  dying again). It needs the cause removed — a rollback.

  Scenario Outline: The on-call restarts the app after a <mode>
    Given the stack is running
    And the alert rules in "rules/default.rules.yml"
    And steady traffic of 20 requests per second
    And the on-call responder runs playbook "service-outage"
    And the on-call responder acknowledges after 2 minutes
    When the fault "service-outage" is injected with:
      | mode | <mode> |
    And the drill runs until the incident is resolved or 45 minutes pass
    Then the alert "CompleteServiceOutage" fires within 2 minutes
    And the alert "DatabaseConnectionFailure" does not fire
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
      | kill  |
      | stop  |

    # A frozen app makes every tick wait out its timeouts (about 9 s a
    # tick): minutes of wall time, so `make test` leaves it out (@slow).
    @slow
    Examples: frozen
      | mode  |
      | pause |
