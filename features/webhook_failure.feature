@payments
Feature: Stripe webhooks fail
  Payments stop being recorded: the webhook signing secret was rolled on the
  app's side only, or the database was left read-only. Payment Processing
  Failure (P1, more than 5 webhook errors in a minute) must page, and the
  payment-recovery playbook must restore the secret or the writes, replay
  the failed webhooks and record every payment once.

  Scenario: The on-call restores the webhook secret and replays the failed payments
    Given the stack is running
    And the alert rules in "rules/default.rules.yml"
    And steady traffic of 20 requests per second
    And the on-call responder runs playbook "payment-recovery"
    And the on-call responder acknowledges after 2 minutes
    When the fault "webhook-failure" is injected with:
      | mode | bad-secret |
    And the drill runs until the incident is resolved or 45 minutes pass
    Then the alert "PaymentProcessingFailure" fires within 2 minutes
    And the alert "HighErrorRate" does not fire
    And the incident is declared as P1
    And the incident is acknowledged within 5 minutes
    And MTTD is at most 5 minutes
    And the service recovers within 30 minutes
    And the drill meets its targets
    And no data is lost

  Scenario: The on-call turns the database's read-only mode off and replays the failed payments
    Given the stack is running
    And the alert rules in "rules/default.rules.yml"
    And steady traffic of 20 requests per second
    And the on-call responder runs playbook "payment-recovery"
    And the on-call responder acknowledges after 2 minutes
    When the fault "webhook-failure" is injected with:
      | mode | db-readonly |
    And the drill runs until the incident is resolved or 45 minutes pass
    Then the alert "PaymentProcessingFailure" fires within 2 minutes
    And the alert "HighErrorRate" does not fire
    And the incident is declared as P1
    And the incident is acknowledged within 5 minutes
    And MTTD is at most 5 minutes
    And the service recovers within 30 minutes
    And the drill meets its targets
    And no data is lost
