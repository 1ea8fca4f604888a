Feature: a bad table parameter
  Scenario: too much
    Given the stack is running
    When the fault "data-deletion" is injected with:
      | percent | 300 |
