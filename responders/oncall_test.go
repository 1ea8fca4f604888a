package responders_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/responders/mocks"
)

func TestOnCallAcksAfterThinkTimeAndRunsThePlaybook(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock, tl := drillClock()
	diag, diagID := probe(t, "diag")
	fix, fixID := probe(t, "fix")
	check, checkID := probe(t, "check")
	q := mocks.NewQuerier(t)
	pb := writePlaybook(t, `name: test-response
steps:
  - {name: look, phase: diagnose, kind: probe, id: `+diagID+`}
  - {name: fix it, phase: mitigate, kind: probe, id: `+fixID+`}
  - {name: let it settle, phase: mitigate, kind: wait, for: 1m}
  - {name: healthy, phase: verify, kind: wait, query: up == 1}
  - {name: check, phase: verify, kind: probe, id: `+checkID+`}
`)
	diag.EXPECT().Run(mock.Anything, mock.Anything).Return(false, "3 sessions", nil).Once()
	fix.EXPECT().Run(mock.Anything, mock.Anything).Return(true, "", errors.New("not yet")).Once()
	fix.EXPECT().Run(mock.Anything, mock.Anything).Return(false, "fixed", nil).Once()
	check.EXPECT().Run(mock.Anything, mock.Anything).Return(false, "all good", nil).Once()
	// The condition holds from the second query on; each is at a tick's
	// drill timestamp.
	var asked []time.Time
	q.EXPECT().Query(mock.Anything, "up == 1", mock.Anything).RunAndReturn(func(_ context.Context, _ string, at time.Time) (promql.Vector, error) {
		asked = append(asked, at)
		if len(asked) == 1 {
			return nil, nil
		}
		return promql.Vector{{Metric: labels.FromStrings("job", "app"), F: 1}}, nil
	})

	const think = 3 * time.Minute
	rt := responders.NewRuntime(nil, clock, q)
	oc := responders.NewOnCall("bot", pb, think, rt, tl)
	p := responders.NewPager(tl, oc)

	paged := tick(ctx, t, clock, p, firing("DatabaseConnectionFailure", incident.P1))
	var ackedAt, alertResolved time.Duration
	for i := 0; i < 200; i++ {
		var tr []incident.Alert
		if i == 30 {
			tr = []incident.Alert{resolved("DatabaseConnectionFailure", incident.P1)}
		}
		now := tick(ctx, t, clock, p, tr...)
		if i == 30 {
			alertResolved = now
		}
		if acked, _, _ := oc.State(); acked && ackedAt == 0 {
			m, _ := tl.First(incident.Acknowledged, nil)
			ackedAt = m.Drill
		}
		if inc, _ := p.Current(); inc.Resolved {
			break
		}
	}
	require.NoError(t, p.Err())
	inc, ok := p.Current()
	require.True(t, ok)
	require.True(t, inc.Resolved, "resolved: %+v", inc)
	assert.True(t, inc.Acknowledged)
	assert.Equal(t, incident.P1, inc.Severity)

	// Acknowledged on the first tick at or past page + think time.
	assert.GreaterOrEqual(t, ackedAt, paged+think)
	assert.Less(t, ackedAt, paged+think+clock.Tick())
	assert.Equal(t, ackedAt, inc.AcknowledgedAt)

	assert.Equal(t, []string{
		"page_sent DatabaseConnectionFailure",
		"acknowledged test-response",
		"step_started look", "step_finished look",
		"diagnosed test-response",
		"step_started fix it", "step_finished fix it",
		"step_started let it settle", "step_finished let it settle",
		"mitigated test-response",
		"step_started healthy", "step_finished healthy",
		"step_started check", "step_finished check",
		"note verification passed",
		"resolved DatabaseConnectionFailure",
	}, story(tl, incident.PageSent, incident.Acknowledged, incident.StepStarted, incident.StepFinished,
		incident.Diagnosed, incident.Mitigated, incident.Note, incident.Resolved))

	// Milestones are in drill-time order, and the waits cost drill time.
	entries := tl.Entries()
	for i := 1; i < len(entries); i++ {
		assert.GreaterOrEqual(t, entries[i].Drill, entries[i-1].Drill, "%s after %s", entries[i].Kind, entries[i-1].Kind)
	}
	start, _ := tl.First(incident.StepStarted, func(m incident.Milestone) bool { return m.Subject == "let it settle" })
	end, _ := tl.First(incident.StepFinished, func(m incident.Milestone) bool { return m.Subject == "let it settle" })
	assert.GreaterOrEqual(t, end.Drill-start.Drill, time.Minute)
	assert.Less(t, end.Drill-start.Drill, time.Minute+clock.Tick())
	fixed, _ := tl.First(incident.StepFinished, func(m incident.Milestone) bool { return m.Subject == "fix it" })
	fixStart, _ := tl.First(incident.StepStarted, func(m incident.Milestone) bool { return m.Subject == "fix it" })
	// (Drill times carry the real time spent within a tick: allow for it.)
	assert.GreaterOrEqual(t, fixed.Drill-fixStart.Drill, clock.Tick()-time.Second, "a retry waits for the next tick")
	assert.Equal(t, "ok", fixed.Outcome)
	assert.Equal(t, "fixed", fixed.Detail)
	assert.Equal(t, "responder:bot", fixed.Actor)
	assert.Equal(t, map[string]string{"playbook": "test-response", "incident": "1", "phase": "mitigate", "kind": "probe"}, fixed.Labels)
	look, _ := tl.First(incident.StepFinished, func(m incident.Milestone) bool { return m.Subject == "look" })
	assert.Equal(t, "3 sessions", look.Detail)
	require.Len(t, asked, 2)
	assert.Equal(t, clock.Tick(), asked[1].Sub(asked[0]), "the condition is checked once per tick")

	// Resolved at the later of verification and the alert's resolution.
	note, _ := tl.First(incident.Note, nil)
	assert.Equal(t, max(note.Drill, alertResolved), inc.ResolvedAt)
}

func TestOnCallStopsAtAFailingStep(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock, tl := drillClock()
	diag, diagID := probe(t, "diag")
	fix, fixID := probe(t, "fix")
	_, afterID := probe(t, "after") // never runs: no expectation
	pb := writePlaybook(t, `name: failing
steps:
  - {name: look, phase: diagnose, kind: probe, id: `+diagID+`}
  - {name: fix it, phase: mitigate, kind: probe, id: `+fixID+`}
  - {name: check, phase: verify, kind: probe, id: `+afterID+`}
`)
	diag.EXPECT().Run(mock.Anything, mock.Anything).Return(false, "", nil).Once()
	secret := "postgres://firedrill:hunter2@127.0.0.1:5432/app"
	fix.EXPECT().Run(mock.Anything, mock.Anything).Return(false, "psql: "+secret+" refused\n"+strings.Repeat("x", 6000), errors.New("exit status 2")).Once()
	oc := responders.NewOnCall("bot", pb, 0, responders.NewRuntime(nil, clock, nil), tl)
	p := responders.NewPager(tl, oc)

	tick(ctx, t, clock, p, firing("HighErrorRate", incident.P2))
	for range 20 {
		tick(ctx, t, clock, p)
	}
	err := p.Err()
	require.Error(t, err)
	assert.ErrorIs(t, err, responders.ErrStepFailed)
	assert.Contains(t, err.Error(), `step "fix it"`)
	acked, verified, ocErr := oc.State()
	assert.True(t, acked, "think time 0: acknowledged on the page's tick")
	assert.False(t, verified)
	assert.ErrorIs(t, ocErr, responders.ErrStepFailed)

	assert.Equal(t, []string{
		"page_sent HighErrorRate", "acknowledged failing",
		"step_started look", "step_finished look", "diagnosed failing",
		"step_started fix it", "step_finished fix it",
	}, story(tl, incident.PageSent, incident.Acknowledged, incident.StepStarted, incident.StepFinished,
		incident.Diagnosed, incident.Mitigated, incident.Note, incident.Resolved))
	failed, _ := tl.First(incident.StepFinished, func(m incident.Milestone) bool { return m.Subject == "fix it" })
	assert.Equal(t, "failed", failed.Outcome)
	assert.Contains(t, failed.Detail, "exit status 2")
	assert.Contains(t, failed.Detail, "postgres://firedrill:xxxxx@127.0.0.1:5432/app refused", "the output is reported, redacted")
	assert.NotContains(t, failed.Detail, "hunter2")
	assert.LessOrEqual(t, len(failed.Detail), responders.MaxOutput+64, "truncated to about 4 KiB")
	assert.Contains(t, failed.Detail, "more bytes)")
	inc, _ := p.Current()
	assert.False(t, inc.Resolved)
}

func TestStepTimeoutIsDrillTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock, tl := drillClock()
	never, neverID := probe(t, "never")
	pb := writePlaybook(t, `name: timeout
steps:
  - {name: never ready, phase: verify, kind: probe, id: `+neverID+`, timeout: 2m}
`)
	never.EXPECT().Run(mock.Anything, mock.Anything).Return(true, "503", errors.New("still failing"))
	run := responders.NewRun(pb, responders.NewRuntime(nil, clock, nil), tl, "responder:test", nil)
	var err error
	for done, ticks := false, 0; !done; ticks++ {
		require.Less(t, ticks, 100)
		done, err = run.Tick(ctx)
		_, aerr := clock.Advance(ctx)
		require.NoError(t, aerr)
	}
	require.ErrorIs(t, err, responders.ErrStepFailed)
	assert.Contains(t, err.Error(), "timed out after 2m0s of drill time: still failing")
	start, _ := tl.First(incident.StepStarted, nil)
	end, _ := tl.First(incident.StepFinished, nil)
	assert.GreaterOrEqual(t, end.Drill-start.Drill, 2*time.Minute)
	// The compressed clock counts the step's own real work too (microseconds
	// here), so the first tick past the deadline ends a hair after it.
	assert.Less(t, end.Drill-start.Drill, 2*time.Minute+clock.Tick()+time.Second, "fails on the first tick past the deadline")
	assert.Equal(t, "failed", end.Outcome)
	assert.Contains(t, end.Detail, "503", "the last output is reported")
	assert.False(t, run.Verified())
}

func TestContinueOnError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock, tl := drillClock()
	bad, badID := probe(t, "bad")
	good, goodID := probe(t, "good")
	pb := writePlaybook(t, `name: keep-going
steps:
  - {name: optional, phase: diagnose, kind: probe, id: `+badID+`, continue_on_error: true}
  - {name: check, phase: verify, kind: probe, id: `+goodID+`}
`)
	bad.EXPECT().Run(mock.Anything, mock.Anything).Return(false, "", errors.New("nope")).Once()
	good.EXPECT().Run(mock.Anything, mock.Anything).Return(false, "ok", nil).Once()
	run := responders.NewRun(pb, responders.NewRuntime(nil, clock, nil), tl, "responder:test", nil)
	done, err := run.Tick(ctx)
	require.NoError(t, err)
	assert.True(t, done)
	assert.True(t, run.Verified())
	assert.Equal(t, []string{"step_finished optional", "step_finished check", "note verification passed"},
		story(tl, incident.StepFinished, incident.Diagnosed, incident.Note))
	f, _ := tl.First(incident.StepFinished, nil)
	assert.Equal(t, "failed", f.Outcome, "a failed optional step is still reported as failed; no Diagnosed")
}

// An on-call answering a false alarm stops when the pager closes it at the
// fault: its playbook must not go on repairing (the fault, by then) for an
// incident nobody scores, and its next answer is the fault's incident's.
func TestOnCallStopsAnsweringAnIncidentClosedAtTheFault(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock, tl := drillClock()
	fix, fixID := probe(t, "fix")
	pb := writePlaybook(t, `name: repair
steps:
  - {name: wait a little, phase: diagnose, kind: wait, for: 2m}
  - {name: fix it, phase: mitigate, kind: probe, id: `+fixID+`}
  - {name: settle, phase: verify, kind: wait, for: 10m}
`)
	oc := responders.NewOnCall("bot", pb, 30*time.Second, responders.NewRuntime(nil, clock, mocks.NewQuerier(t)), tl)
	p := responders.NewPager(tl, oc)

	tick(ctx, t, clock, p, firing("Noise", incident.P3)) // incident 1, a false alarm
	for range 3 {
		tick(ctx, t, clock, p)
	}
	acked, _, _ := oc.State()
	require.True(t, acked, "the on-call acknowledged the false alarm")

	p.FaultInjected(ctx)
	for range 20 {
		tick(ctx, t, clock, p) // fix is never run: the mock fails the test if it is
	}
	assert.Equal(t, []string{"acknowledged repair"}, story(tl, incident.Acknowledged), "no answer after the close")
	stopped, ok := tl.First(incident.Note, func(m incident.Milestone) bool { return m.Subject == "stopped answering a closed incident" })
	require.True(t, ok)
	assert.Equal(t, "1", stopped.Labels[incident.IncidentLabel])

	// The fault's own alert opens incident 2, which the on-call answers.
	fix.EXPECT().Run(mock.Anything, mock.Anything).Return(false, "fixed", nil).Once()
	tick(ctx, t, clock, p, firing("DatabaseConnectionFailure", incident.P1))
	for range 20 {
		tick(ctx, t, clock, p)
	}
	acks := 0
	for _, m := range tl.Entries() {
		if m.Kind == incident.Acknowledged {
			acks++
			if acks == 2 {
				assert.Equal(t, "2", m.Labels[incident.IncidentLabel])
			}
		}
	}
	assert.Equal(t, 2, acks)
	m, ok := tl.First(incident.Mitigated, nil)
	require.True(t, ok)
	assert.Equal(t, "2", m.Labels[incident.IncidentLabel], "the only mitigation is incident 2's")
}
