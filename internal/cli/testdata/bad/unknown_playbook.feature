Feature: an unknown playbook
  Scenario: a typo
    Given the stack is running
    And the on-call responder runs playbook "db-recovry"
