package reports

import (
	"time"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/scorer"
)

// The fixed run every golden file renders: fixed wall and drill times, so
// the output never depends on when the test runs. Verdicts are computed by
// the scorer from the timelines, as in a real run.

var (
	fixtureEpoch = time.Date(2026, 3, 2, 14, 0, 0, 0, time.UTC) // drill time 0, as the TSDB sees it
	fixtureWall  = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC) // when the run really started
)

func mins(f float64) time.Duration { return time.Duration(f * float64(time.Minute)) }

// ev is a milestone at drill minute f with both clocks stamped.
func ev(kind incident.Kind, f float64, actor, subject string, sev incident.Severity) incident.Milestone {
	d := mins(f)
	return incident.Milestone{
		Kind: kind, Drill: d, At: fixtureEpoch.Add(d), Wall: fixtureWall.Add(d / 60),
		Actor: actor, Subject: subject, Severity: sev,
	}
}

func withOutcome(m incident.Milestone, outcome, detail string) incident.Milestone {
	m.Outcome, m.Detail = outcome, detail
	return m
}

// scored gives d its status and, when it ran, its verdict; an errored
// drill has none, as the drill runtime leaves it.
func scored(d Drill, targets scorer.Targets, err error) Drill {
	v := scorer.Score(d.Timeline, targets)
	d.Status = fixtureStatus(v, err)
	if d.Status.Scored() {
		d.Verdict = &v
	}
	if err != nil {
		d.Error = err.Error()
	}
	return d
}

// noisy is a rule collection's alert that fires on a healthy stack.
func noisy(m incident.Milestone) incident.Milestone {
	m.Labels = map[string]string{"alertname": m.Subject, "severity": "warning", "instance": "redis:6379", "job": "redis"}
	m.Expr = `redis_memory_used_bytes / redis_memory_max_bytes > 0.9`
	return m
}

// aborted is d interrupted by the user: no verdict.
func aborted(d Drill) Drill {
	d.Status, d.Error = Aborted, "context canceled"
	return d
}

// ofIncident puts m in the pager's incident id.
func ofIncident(m incident.Milestone, id string) incident.Milestone {
	m.Labels = map[string]string{incident.IncidentLabel: id}
	return m
}

type fixtureErr string

func (e fixtureErr) Error() string { return string(e) }

func fixture() Result {
	targets := scorer.DefaultTargets()
	const pb = "responder:db-recovery"
	pool := Drill{
		Feature: "features/db.feature", Scenario: "Pool exhaustion is recovered by the playbook",
		Tags:    []string{"@db", "@p1"},
		Started: fixtureWall, Finished: fixtureWall.Add(42 * time.Second),
		Timeline: []incident.Milestone{
			noisy(ev(incident.AlertFiring, 0.5, "monitor", "RedisMemoryHigh", incident.P3)),
			ev(incident.FaultInjected, 1, "injector", "db-pool-exhaustion", 0),
			ev(incident.AlertPending, 1.25, "monitor", "DatabaseConnectionFailure", incident.P1),
			ev(incident.AlertFiring, 2, "monitor", "DatabaseConnectionFailure", incident.P1),
			ev(incident.AlertPending, 2.25, "monitor", "HighErrorRate", incident.P2),
			ofIncident(ev(incident.PageSent, 2, "pager", "DatabaseConnectionFailure", incident.P1), "1"),
			ofIncident(ev(incident.Acknowledged, 3, pb, "DatabaseConnectionFailure", 0), "1"),
			ev(incident.StepStarted, 3, pb, "active-connections", 0),
			withOutcome(ev(incident.StepFinished, 3.25, pb, "active-connections", 0), "ok", ""),
			ofIncident(ev(incident.Diagnosed, 3.25, pb, "connections held by idle sessions", 0), "1"),
			ev(incident.StepStarted, 3.25, pb, "kill-long-queries", 0),
			withOutcome(ev(incident.StepFinished, 4, pb, "kill-long-queries", 0), "ok", ""),
			ofIncident(ev(incident.Mitigated, 4, pb, "kill-long-queries", 0), "1"),
			ev(incident.FaultRecovered, 4, "injector", "db-pool-exhaustion", 0),
			ev(incident.StepStarted, 4, pb, "wait-error-rate", 0),
			withOutcome(ev(incident.StepFinished, 6.5, pb, "wait-error-rate", 0), "ok", ""),
			ev(incident.AlertResolved, 6.5, "monitor", "DatabaseConnectionFailure", incident.P1),
			ofIncident(ev(incident.Resolved, 6.5, pb, "verification passed", 0), "1"),
		},
		Steps: []Step{
			{Name: "active-connections", Phase: "diagnose", Kind: "sql", Start: mins(3), End: mins(3.25), Outcome: "ok",
				Output: " count\n-------\n   100\n(1 row)"},
			{Name: "kill-long-queries", Phase: "mitigate", Kind: "sql", Start: mins(3.25), End: mins(4), Outcome: "ok",
				Output: "pg_terminate_backend: 97 rows"},
			{Name: "wait-error-rate", Phase: "verify", Kind: "wait", Start: mins(4), End: mins(6.5), Outcome: "ok"},
		},
	}
	pool.Timing = NewTiming(42*time.Second, mins(6.5), []TickParts{
		{Traffic: 40 * time.Millisecond, Scrape: 30 * time.Millisecond, Evaluate: time.Millisecond, Total: 72 * time.Millisecond},
		{Traffic: 2 * time.Second, Scrape: 1600 * time.Millisecond, Evaluate: time.Millisecond, Respond: 300 * time.Millisecond, Total: 3901 * time.Millisecond},
		{Traffic: 45 * time.Millisecond, Scrape: 35 * time.Millisecond, Evaluate: time.Millisecond, Respond: 4 * time.Second, Total: 4081 * time.Millisecond},
	})
	spike := Drill{
		Feature: "features/errors.feature", Scenario: "Error spike with a slow responder",
		Tags:    []string{"@errors"},
		Started: fixtureWall.Add(time.Minute), Finished: fixtureWall.Add(time.Minute + 75*time.Second),
		Timeline: []incident.Milestone{
			ev(incident.FaultInjected, 0.5, "injector", "error-spike", 0),
			ev(incident.AlertPending, 1, "monitor", "HighErrorRate", incident.P2),
			ev(incident.AlertFiring, 6, "monitor", "HighErrorRate", incident.P2),
			ofIncident(ev(incident.PageSent, 6, "pager", "HighErrorRate", incident.P2), "1"),
			ofIncident(ev(incident.Acknowledged, 14, "responder:disable-feature", "HighErrorRate", 0), "1"),
			ev(incident.StepStarted, 14, "responder:disable-feature", "flag-off", 0),
			withOutcome(ev(incident.StepFinished, 14.5, "responder:disable-feature", "flag-off", 0), "failed", "flag service answered 503"),
			ev(incident.Note, 45.5, "drill", "time limit reached", 0),
		},
		Steps: []Step{
			{Name: "flag-off", Phase: "mitigate", Kind: "flag", Start: mins(14), End: mins(14.5), Outcome: "failed",
				Output: "PUT /flags/new-feed: 503 Service Unavailable", Truncated: true},
		},
	}
	steady := Drill{
		Feature: "features/steady.feature", Scenario: "Steady traffic raises no alert",
		Started: fixtureWall.Add(3 * time.Minute), Finished: fixtureWall.Add(3*time.Minute + 20*time.Second),
		Timeline: []incident.Milestone{
			ev(incident.AlertPending, 7, "monitor", "HighErrorRate", incident.P2),
			ev(incident.Note, 30, "drill", "steady state held for 30m", 0),
		},
	}
	interrupted := Drill{
		Feature: "features/errors.feature", Scenario: "Interrupted while the alert was pending",
		Started: fixtureWall.Add(4 * time.Minute), Finished: fixtureWall.Add(4*time.Minute + 9*time.Second),
		Timeline: []incident.Milestone{
			ev(incident.FaultInjected, 1, "injector", "error-spike", 0),
			ev(incident.AlertPending, 1.5, "monitor", "HighErrorRate", incident.P2),
			ev(incident.FaultRecovered, 2, "injector", "error-spike", 0),
		},
	}
	broken := Drill{
		Feature: "features/db.feature", Scenario: "Data deletion is restored",
		Tags:     []string{"@db", "@data"},
		Timeline: nil,
	}
	return Result{
		Schema:      SchemaVersion,
		RunID:       "20260302-093000-7f3a",
		Started:     fixtureWall,
		Finished:    fixtureWall.Add(4 * time.Minute),
		Environment: Environment{Provider: "docker", Clock: incident.Compressed, Tick: incident.DefaultTick},
		Targets:     targets,
		SeverityLabels: map[string]string{"critical": "P1", "error": "P2", "high": "P2", "warning": "P3", "medium": "P3",
			"info": "P4", "low": "P4", "sev1": "P1"},
		Routing: "alerting/team-alertmanager.yml",
		Drills: []Drill{
			scored(pool, targets, nil),
			scored(spike, targets, nil),
			scored(steady, targets, nil),
			aborted(interrupted),
			scored(broken, targets, fixtureErr("start stack: postgres: container exited (code 1)\nlog: FATAL: data directory has wrong ownership")),
		},
	}
}

// fixtureStatus: in these fixtures an error means the drill could not run.
// (The drill runtime decides the status itself: a Then step that failed
// makes a failed drill, not an errored one.)
func fixtureStatus(v scorer.Verdict, err error) Status {
	switch {
	case err != nil:
		return Errored
	case v.Passed:
		return Passed
	}
	return Failed
}
