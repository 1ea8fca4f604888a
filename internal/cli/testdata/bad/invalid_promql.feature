Feature: invalid PromQL
  Scenario: a broken rule file
    Given the stack is running
    And the alert rules in "internal/cli/testdata/bad_rules.yml"
