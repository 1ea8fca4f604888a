Feature: an unknown step
  Scenario: the moon
    Given the stack is running
    When the moon turns blue
