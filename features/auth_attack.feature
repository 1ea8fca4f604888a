@security
Feature: Credential stuffing from one source
  A burst of failed logins from one address, two a second, beside the
  steady traffic: leaked passwords tried against the seeded users' emails.
  Security Breach Detected (P1, over 50 failed logins from one source in 5
  minutes) must page, and the security-incident playbook must deny the
  source, preserve the logs, check the database's roles and sessions,
  rotate the app's database password (under the running app, which keeps
  serving) and the token secret, and turn on audit logging. The attack
  goes on, refused (403), and normal users keep logging in. Nothing else
  fires: a refused or failed login is a 4xx, not an error of the app.

  Scenario: The on-call isolates the source and rotates the credentials
    Given the stack is running
    And the alert rules in "rules/default.rules.yml"
    And steady traffic of 20 requests per second
    And the on-call responder runs playbook "security-incident"
    And the on-call responder acknowledges after 2 minutes
    When the fault "auth-attack" is injected with:
      | source | 203.0.113.66 |
      | rate   | 2            |
    And the drill runs until the incident is resolved or 45 minutes pass
    Then the alert "SecurityBreachDetected" fires within 2 minutes
    And the alert "HighErrorRate" does not fire
    And the alert "CompleteServiceOutage" does not fire
    And the incident is declared as P1
    And the incident is acknowledged within 5 minutes
    And MTTD is at most 5 minutes
    And the service recovers within 30 minutes
    And the drill meets its targets
    And the app's database password is rotated
    And no data is lost
