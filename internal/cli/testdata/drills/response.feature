Feature: response times that miss their targets
  Scenario: Nobody answers the page
    Given the stack is running
    And the alert rules in "rules/default.rules.yml"
    And steady traffic of 2 requests per second
    When the fault "db-pool-exhaustion" is injected
    And the drill runs until the incident is resolved or 10 minutes pass
    Then the alert "DatabaseConnectionFailure" fires within 2 minutes

  Scenario: The on-call takes 20 minutes to acknowledge
    Given the stack is running
    And the alert rules in "rules/default.rules.yml"
    And steady traffic of 10 requests per second
    And the on-call responder runs playbook "disable-feature"
    And the on-call responder acknowledges after 20 minutes
    When the fault "error-spike" is injected
    And the drill runs until the incident is resolved or 60 minutes pass
    Then the alert "HighErrorRate" fires within 7 minutes
