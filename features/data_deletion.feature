@data
Feature: Mass deletion of content
  Thirty percent of the content table is deleted. Data Loss Suspected must
  page, and the playbook's Data Loss procedure — read-only on, assess the
  deletions, restore from the backup, verify, read-only off — must bring
  every row back.

  Scenario: The on-call restores the deleted rows from the backup
    Given the stack is running
    And the alert rules in "rules/default.rules.yml"
    And steady traffic of 10 requests per second
    And the on-call responder runs playbook "data-restore"
    And the on-call responder acknowledges after 3 minutes
    When the fault "data-deletion" is injected with:
      | table   | content |
      | percent | 30      |
    And the drill runs until the incident is resolved or 45 minutes pass
    Then the alert "DataLossSuspected" fires within 2 minutes
    And the incident is declared as P1
    And the incident is acknowledged within 5 minutes
    And the service recovers within 30 minutes
    And no data is lost
