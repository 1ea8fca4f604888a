package responders_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/internal/wiring"
	"github.com/firedrill/firedrill/monitors"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/stack"
)

// monTick ticks the monitor unless this tick was (a run that ended on it).
func monTick(ctx context.Context, mon *monitors.Monitor) error {
	if err := mon.Tick(ctx); !errors.Is(err, monitors.ErrTicked) {
		return err
	}
	return nil
}

// testWaitStep runs wait steps against the drill's real monitoring: the
// monitor is the Querier, and each tick it scrapes before the run checks.
func testWaitStep(ctx context.Context, t *testing.T, env *stack.Env) {
	clock := incident.NewClock(incident.Compressed, 15*time.Second, time.Time{})
	mon, err := monitors.New(env, clock, incident.NewTimeline(clock), monitors.Config{Traffic: wiring.Traffic(config.Config{Stack: env.Config, Traffic: config.Traffic{Rate: 2}})})
	require.NoError(t, err)
	t.Cleanup(func() { _ = mon.Close() })
	rt := responders.NewRuntime(env, clock, mon)
	pb := loadText(t, `name: wait
steps:
  - {name: two drill minutes, phase: diagnose, kind: wait, for: 2 minutes}
  - {name: app is up, phase: mitigate, kind: wait, query: 'up{job="app"} == 1'}
  - {name: app stays up, phase: verify, kind: wait, query: 'up{job="app"} == 1', for: 1m}
`)
	r := runLoaded(ctx, t, rt, pb, func() error { return monTick(ctx, mon) })
	require.NoError(t, r.err)
	span := func(step string) time.Duration {
		s, ok := r.tl.First(incident.StepStarted, func(m incident.Milestone) bool { return m.Subject == step })
		require.True(t, ok)
		return r.finished(t, step).Drill - s.Drill
	}
	tickLen := clock.Tick()
	// A milestone's drill time is its tick's plus the wall time the tick's
	// work had taken (Clock.Now), which differs from tick to tick; the tick
	// a step ended on is its drill time truncated to the tick.
	ticks := func(step string) time.Duration {
		s, ok := r.tl.First(incident.StepStarted, func(m incident.Milestone) bool { return m.Subject == step })
		require.True(t, ok)
		return r.finished(t, step).Drill.Truncate(tickLen) - s.Drill.Truncate(tickLen)
	}
	assert.GreaterOrEqual(t, span("two drill minutes"), 2*time.Minute)
	assert.LessOrEqual(t, ticks("two drill minutes"), 2*time.Minute+tickLen, "done on the first tick past the deadline")
	assert.Less(t, span("app is up"), tickLen, "holds at once")
	assert.Contains(t, r.finished(t, "app is up").Detail, `job="app"`, "the answer is the step's output")
	assert.GreaterOrEqual(t, span("app stays up"), time.Minute-time.Second)

	// A condition that never holds fails at its timeout, in drill time.
	pb = loadText(t, `name: wait-fails
steps:
  - {name: never, phase: verify, kind: wait, query: 'up{job="app"} == 0', timeout: 1m}
`)
	r = runLoaded(ctx, t, rt, pb, func() error { return monTick(ctx, mon) })
	require.ErrorIs(t, r.err, responders.ErrStepFailed)
	assert.Contains(t, r.err.Error(), "timed out after 1m0s of drill time")
	assert.Contains(t, r.err.Error(), "does not hold yet")

	// Without monitoring a condition cannot be checked.
	r = runLoaded(ctx, t, responders.NewRuntime(env, clock, nil), loadText(t, `name: no-monitor
steps:
  - {name: cannot, phase: verify, kind: wait, query: 'up == 1'}
`), nil)
	require.ErrorIs(t, r.err, responders.ErrStepFailed)
	assert.Contains(t, r.err.Error(), "no monitoring")
}

// A query's answer reads as values with their labels, one sample a line.
func TestWaitAnswerReadsAsValuesWithLabels(t *testing.T) {
	t.Parallel()
	v := promql.Vector{
		{F: 0.004210526, Metric: labels.FromStrings("endpoint", "/api/content/public")},
		{F: 2, Metric: labels.EmptyLabels()},
	}
	assert.Equal(t, "0.00421053 {endpoint=\"/api/content/public\"}\n2", responders.VectorText(v))
}
