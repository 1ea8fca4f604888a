Feature: think time nobody would take
  Scenario: nobody runs a playbook
    Given the stack is running
    And the on-call responder acknowledges after 3 minutes
