@monthly @database @unanswered
Feature: The monthly drill's page, unanswered
  What happens when nobody answers the monthly drill's page? The pool is
  exhausted at peak traffic and nobody is on call: the alert must still
  fire and page within the playbook's 2 minutes, and no acknowledgement or
  resolution may be credited to anyone. Every target of the response is
  missed, so this drill fails its targets by design: that is the finding
  it shows.

  Once the alert has fired nothing can change any more (nobody can
  acknowledge or resolve), so the drill stops there instead of running its
  40 minutes; the report's timeline says where and why. To watch the
  whole 40, tag the scenario @run-to-limit or run with --no-early-stop.

  Scenario: Nobody answers the pool-exhaustion page
    Given the stack is running
    And the alert rules in "rules/default.rules.yml"
    And steady traffic of 20 requests per second
    When the fault "db-pool-exhaustion" is injected
    And the drill runs until the incident is resolved or 40 minutes pass
    Then the alert "DatabaseConnectionFailure" fires within 2 minutes
    And the incident is declared as P1
    And time to page is at most 3 minutes
    And MTTA is not measured
    And MTTR is not measured
