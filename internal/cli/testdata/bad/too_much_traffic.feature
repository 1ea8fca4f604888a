Feature: more traffic than the generator sends
  Scenario: a hundred million a second
    Given the stack is running
    And steady traffic of 100000000 requests per second
