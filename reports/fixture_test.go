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
		Checks: []Check{
			{Step: `the alert "DatabaseConnectionFailure" fires within 2 minutes`, Status: "passed"},
			{Step: `the service recovers within 30 minutes`, Status: "passed"},
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
		Checks: []Check{
			{Step: `the alert "HighErrorRate" fires within 2 minutes`, Status: CheckFailed,
				Error: "alert HighErrorRate fired 5m30s after the fault, later than 2m0s"},
			{Step: `the incident is acknowledged within 15 minutes`, Status: "skipped"},
			{Step: `the service recovers within 30 minutes`, Status: "skipped"},
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
		Checks:   []Check{{Step: "no data is lost", Status: "skipped"}},
	}
	gameDay := gameDayDrill()
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
			failedThen(scored(spike, targets, nil)),
			scored(steady, targets, nil),
			aborted(interrupted),
			scored(broken, targets, fixtureErr("start stack: postgres: container exited (code 1)\nlog: FATAL: data directory has wrong ownership")),
			scored(gameDay, targets, nil),
		},
	}
}

// failedThen is d as the runtime records a drill whose Then step failed:
// failed, with the step's error as the drill's.
func failedThen(d Drill) Drill {
	d.Status = Failed
	d.Error = "drill expectation not met: alert HighErrorRate fired 5m30s after the fault, later than 2m0s"
	return d
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

// by is m done by person for the drill's incident "1", with extra labels
// as key, value pairs.
func by(m incident.Milestone, person string, kv ...string) incident.Milestone {
	m.Labels = map[string]string{incident.IncidentLabel: "1"}
	if person != "" {
		m.Labels[incident.PersonLabel] = person
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m.Labels[kv[i]] = kv[i+1]
	}
	return m
}

func withDetail(m incident.Milestone, detail string) incident.Milestone {
	m.Detail = detail
	return m
}

// gameDayDrill is a P2 game day answered by people: the on-call engineer
// acknowledges and takes IC, the tech lead misses the page and the backup
// is escalated to, updates and notices go out, a playbook is run from the
// console, and the post-mortem is submitted, then revised.
func gameDayDrill() Drill {
	const team = "responder:team"
	const ana, bo, dee = "Ana Ortiz", "Bo Chen", "Dee Patel"
	paged := func(f float64, role, person string, escalated bool) incident.Milestone {
		m := by(ev(incident.RolePaged, f, team, "paged "+role, incident.P2), person, incident.RoleLabel, role)
		if escalated {
			m.Labels[incident.EscalatedLabel] = "true"
		}
		return m
	}
	role := func(kind incident.Kind, f float64, role, person string) incident.Milestone {
		return by(ev(kind, f, team, role, 0), person, incident.RoleLabel, role)
	}
	update := func(f float64, person, status, text string) incident.Milestone {
		return withDetail(by(ev(incident.UpdatePosted, f, team, "internal update: "+status, 0), person, incident.StatusLabel, status), text)
	}
	notice := func(f float64, person, kind, text string) incident.Milestone {
		return withDetail(by(ev(incident.NoticePublished, f, team, "status page: "+kind, 0), person, incident.NoticeLabel, kind), text)
	}
	declared := by(ev(incident.SeverityDeclared, 4, team, "declared P2", incident.P2), ana)
	inject := withDetail(ev(incident.Note, 9, "facilitator", "inject note", 0), "Leadership is asking for an ETA.")
	return Drill{
		Feature: "features/gameday.feature", Scenario: "Monthly drill: error spike answered by the team",
		Tags:    []string{"@gameday"},
		Started: fixtureWall.Add(5 * time.Minute), Finished: fixtureWall.Add(5*time.Minute + 30*time.Minute),
		Timeline: []incident.Milestone{
			ev(incident.FaultInjected, 0.5, "injector", "error-spike", 0),
			ev(incident.AlertPending, 1, "monitor", "HighErrorRate", incident.P2),
			ev(incident.AlertFiring, 2.5, "monitor", "HighErrorRate", incident.P2),
			ofIncident(ev(incident.PageSent, 2.5, "pager", "HighErrorRate", incident.P2), "1"),
			paged(2.5, "on_call", ana, false),
			paged(2.5, "tech_lead", bo, false),
			role(incident.RoleAcknowledged, 3, "on_call", ana),
			by(ev(incident.Acknowledged, 3, team, "acknowledged by the On-call engineer", 0), "", "by", ana),
			role(incident.RoleAssigned, 3.5, "incident_commander", ana),
			declared,
			update(4.5, ana, "Investigating", "Status: Investigating\nImpact: 12% of API requests fail with 500\nProgress: paging the tech lead, checking the error logs\nETA: next update in 15 min"),
			notice(6, ana, incident.NoticeInitial, "We are investigating errors on the content API. Some requests may fail. Next update in 30 minutes."),
			paged(7.5, "tech_lead", dee, true),
			role(incident.RoleAcknowledged, 8, "tech_lead", dee),
			inject,
			by(ev(incident.Note, 10, team, "ran playbook disable-feature", 0), dee),
			by(ev(incident.StepStarted, 10, team, "flag-off", 0), dee),
			withOutcome(by(ev(incident.StepFinished, 10.5, team, "flag-off", 0), dee), "ok", ""),
			by(ev(incident.Diagnosed, 11, team, "diagnosed by a person", 0), "", "by", dee),
			update(12, dee, "Fixing", "Status: Fixing\nImpact: errors falling\nProgress: new-feed flag turned off\nETA: 10 min"),
			by(ev(incident.Mitigated, 12.5, team, "mitigated by a person", 0), "", "by", dee),
			ev(incident.FaultRecovered, 12.5, "injector", "error-spike", 0),
			notice(14, ana, incident.NoticeUpdate, "A fix has been applied and errors are falling. We are monitoring."),
			ev(incident.AlertResolved, 16, "monitor", "HighErrorRate", incident.P2),
			ofIncident(ev(incident.Resolved, 16, team, "verification passed", 0), "1"),
			update(16.5, ana, "Resolved", "Status: Resolved\nImpact: none now\nProgress: error rate back under 1%"),
			notice(17, ana, incident.NoticeResolution, "The issue is resolved. Thank you for your patience."),
			withDetail(by(ev(incident.PostmortemSubmitted, 25, team, "post-mortem submitted", 0), ana), "# Post-Mortem: error spike\n\nfirst draft"),
			withDetail(by(ev(incident.PostmortemSubmitted, 29, team, "post-mortem revised", 0), ana),
				"# Post-Mortem: error spike on the content API\n\n## Executive Summary\nThe new-feed flag made 12% of requests fail for 15 minutes.\n\n"+
					"## Action Items\n| Action | Owner |\n|---|---|\n| Alert on the flag's error rate | Dee Patel |"),
		},
		Checks: []Check{
			{Step: `the incident is declared as P2`, Status: "passed"},
			{Step: `the drill meets its targets`, Status: "passed"},
		},
		Steps: []Step{
			{Name: "flag-off", Phase: "mitigate", Kind: "flag", Start: mins(10), End: mins(10.5), Outcome: "ok",
				Output: "PUT /flags/new-feed: 200 OK"},
		},
	}
}
