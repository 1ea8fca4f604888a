@capacity
Feature: Traffic surge trips the rate limit
  Peak-hour traffic, five times the steady rate, the extra reading the
  public content pages. The app's global rate limit (60 API requests a
  second unless Redis' ratelimit:global:limit says otherwise) refuses what
  is over it with 429: over a third of all requests. High Error Rate (P2)
  counts those refusals as errors, so it fires after its `for: 5m`, later
  than the playbook's 2-minute alert target; nothing else fires (the app
  answers every request fast, 429 or not). Quick fix 6, raising the limit
  to 1000 for an hour, must end it while the surge goes on.

  Scenario: The on-call raises the global rate limit for an hour
    Given the stack is running
    And the alert rules in "rules/default.rules.yml"
    And steady traffic of 20 requests per second
    And the on-call responder runs playbook "rate-limit"
    And the on-call responder acknowledges after 2 minutes
    When the fault "traffic-surge" is injected with:
      | factor | 5 |
    And the drill runs until the incident is resolved or 45 minutes pass
    Then the alert "HighErrorRate" fires within 7 minutes
    And the alert "CompleteServiceOutage" does not fire
    And the alert "DatabaseConnectionFailure" does not fire
    And the alert "PerformanceDegradation" does not fire
    And the incident is declared as P2
    And the incident is acknowledged within 10 minutes
    And the service recovers within 30 minutes
    And MTTD is at most 7 minutes
    And MTTA is at most 30 minutes
    And MTTR is at most 60 minutes
    And no data is lost
