@calibration
Feature: Calibration: scores whose right answers are worked out by hand
  Each drill's MTTD, MTTA and MTTR can be derived from the rules' `for:`,
  the tick (15 s) and the declared think times alone; each scenario asserts
  the measured value within one tick of that derivation. If one of these
  fails, the harness measures wrong, not the playbook.

  The common derivation. The warm-up lasts the longest `for:` of the loaded
  rules (1m) plus two ticks, so it ends at drill time 1:30 with a tick; the
  fault is injected right after it: T0 = 1:30 (plus the real milliseconds
  the injection takes). error-spike fails half the app's API requests from
  then on. The next tick, 1:45, sends that interval's traffic, scrapes the
  failures and evaluates CalibrationErrors (`rate(5xx[1m]) > 0`, for: 1m):
  it turns pending at 1:45 (the error series exist from the app's start at
  zero, so rate() has two samples) and fires its `for:` later, at 2:45.
  MTTD = 2:45 − 1:30 = for + one tick = 75 s. Routing is firedrill's default
  alertmanager.yml (group_wait 30s), so the page goes out at 3:15: time to
  page = 75 s + 30 s = 105 s. The on-call acknowledges on the first tick at
  least its think time after the page: MTTA = 30 s + think time. Its
  playbook, disable-feature, turns the feature off in that same tick; that
  tick's traffic already counted its failures, so the last sample with new
  failures is the ack's, and `rate(5xx[1m])` is zero again three ticks
  (45 s) later, when both the verification query and the alert clear:
  resolved = ack + 45 s, MTTR = 75 s + 30 s + think time + 45 s.

  Scenario: Detection is the rule's for plus one tick, acknowledgement the think time
    # MTTD = 1m + 15s; time to page = 75s + 30s; MTTA = 30s + 3m;
    # MTTR = 75s + 30s + 3m + 45s = 5m30s.
    Given the stack is running
    And the alert rules in "features/calibration/calibration.rules.yml"
    And steady traffic of 10 requests per second
    And the on-call responder runs playbook "disable-feature"
    And the on-call responder acknowledges after 3 minutes
    When the fault "error-spike" is injected
    And the drill runs until the incident is resolved or 20 minutes pass
    Then the alert "CalibrationErrors" fires within 2 minutes
    And the incident is declared as P2
    And MTTD is 75 seconds within one tick
    And time to page is 105 seconds within one tick
    And MTTA is 3 minutes 30 seconds within one tick
    And MTTR is 5 minutes 30 seconds within one tick

  Scenario: Nobody answers: detected, never acknowledged, never resolved
    # MTTD = 75s as above; with no responder there is no ack and no
    # resolution, and the drill runs its whole 10 minutes.
    Given the stack is running
    And the alert rules in "features/calibration/calibration.rules.yml"
    And steady traffic of 10 requests per second
    When the fault "error-spike" is injected
    And the drill runs until the incident is resolved or 10 minutes pass
    Then MTTD is 75 seconds within one tick
    And MTTA is not measured
    And MTTR is not measured

  Scenario: A steady state raises no alert
    # No fault: the 5xx series stay at zero, so CalibrationErrors never
    # turns pending, and the steady-state drill's one criterion is met.
    Given the stack is running
    And the alert rules in "features/calibration/calibration.rules.yml"
    And steady traffic of 10 requests per second
    When the drill runs until the incident is resolved or 10 minutes pass
    Then the alert "CalibrationErrors" does not fire
    And the drill meets its targets

  Scenario: A false alarm before the fault is never the drill's incident
    # CalibrationNoise fires at drill time 0:00 on the healthy stack and
    # pages incident 1 at 0:30 (group_wait). The on-call would acknowledge
    # it at 0:30 + 90s = 2:00, after T0 (1:30), and its playbook would turn
    # the feature off before the fault is detected. Instead the pager closes
    # incident 1 at T0, the on-call stops answering it, and CalibrationNoise
    # is pre-existing: it never joins the drill's incident nor holds it
    # open. The fault's alert fires at 2:45 (MTTD 75s) and opens incident 2
    # with its page at 3:15; acknowledged at 4:45 (MTTA 30s + 90s = 2m),
    # resolved 45s later: MTTR = 75s + 30s + 90s + 45s = 4m.
    Given the stack is running
    And the alert rules in "features/calibration/calibration.rules.yml"
    And the alert rules in "features/calibration/noise.rules.yml"
    And steady traffic of 10 requests per second
    And the on-call responder runs playbook "disable-feature"
    And the on-call responder acknowledges after 90 seconds
    When the fault "error-spike" is injected
    And the drill runs until the incident is resolved or 20 minutes pass
    Then the incident is declared as P2
    And MTTD is 75 seconds within one tick
    And MTTA is 2 minutes within one tick
    And MTTR is 4 minutes within one tick
