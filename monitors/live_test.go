package monitors_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/internal/stacktest"
	"github.com/firedrill/firedrill/monitors"
	"github.com/firedrill/firedrill/stack"
)

// defaultRules is the shipped rule file, from this package's directory.
const defaultRules = "../rules/default.rules.yml"

// exporterRules are written for the real exporters' names, as a team would
// write them; they must evaluate unchanged against the drill stack.
const exporterRules = `
groups:
  - name: exporters
    rules:
      - alert: PostgresExporterDown
        expr: pg_up == 0
        labels:
          severity: P1
        annotations:
          summary: "postgres_exporter cannot reach {{ $labels.instance }}"
      - alert: RedisExporterDown
        expr: redis_up == 0
        labels:
          severity: P1
        annotations:
          summary: "redis_exporter cannot reach {{ $labels.instance }}"
`

type drill struct {
	t     *testing.T
	m     *monitors.Monitor
	clock *incident.Clock
	tl    *incident.Timeline
}

func newDrill(t *testing.T, env *stack.Env, rate float64, ruleFiles ...string) *drill {
	t.Helper()
	return newDrillWith(t, env, monitors.Config{RuleFiles: ruleFiles, Traffic: demoTraffic(env.Config, rate, nil)})
}

func newDrillWith(t *testing.T, env *stack.Env, cfg monitors.Config) *drill {
	t.Helper()
	clock := incident.NewClock(incident.Compressed, incident.DefaultTick, time.Time{})
	tl := incident.NewTimeline(clock)
	m, err := monitors.New(env, clock, tl, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, m.Close()) })
	return &drill{t: t, m: m, clock: clock, tl: tl}
}

// runFor runs the monitor for d of drill time from now.
func (d *drill) runFor(ctx context.Context, dur time.Duration) {
	d.t.Helper()
	end := d.clock.TickTime() + dur
	require.NoError(d.t, d.m.Run(ctx, func() bool { return d.clock.TickTime() >= end }))
}

// runUntil runs until the alert reaches state (returning its milestone) or
// limit of drill time passes.
func (d *drill) runUntil(ctx context.Context, alert string, kind incident.Kind, after time.Duration, limit time.Duration) (incident.Milestone, bool) {
	d.t.Helper()
	find := func() (incident.Milestone, bool) {
		return d.tl.First(kind, func(m incident.Milestone) bool { return m.Subject == alert && m.Drill >= after })
	}
	end := d.clock.TickTime() + limit
	require.NoError(d.t, d.m.Run(ctx, func() bool {
		_, ok := find()
		return ok || d.clock.TickTime() >= end
	}))
	return find()
}

func (d *drill) value(ctx context.Context, expr string) []float64 {
	d.t.Helper()
	v, err := d.m.Query(ctx, expr, d.clock.At(d.clock.TickTime()))
	require.NoError(d.t, err)
	out := make([]float64, 0, len(v))
	for _, s := range v {
		out = append(out, s.F)
	}
	return out
}

func (d *drill) logTimeline() {
	for _, m := range d.tl.Entries() {
		d.t.Logf("%8s %-14s %s %v", m.Drill, m.Kind, m.Subject, m.Labels)
	}
}

// TestLiveStack runs the monitor against a real stack in compressed mode.
// One stack serves the subtests, which run in order and leave it healthy.
func TestLiveStack(t *testing.T) {
	cfg := stacktest.Config(t)
	env := stacktest.Start(t, "docker", cfg.Stack)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()

	t.Run("steady traffic raises no alert", func(t *testing.T) { steadyState(ctx, t, env) })
	t.Run("postgres stopped fires DatabaseConnectionFailure and recovers", func(t *testing.T) {
		d := newDrill(t, env, 20, defaultRules, writeRules(t, exporterRules))
		defer d.logTimeline()
		d.runFor(ctx, 2*time.Minute)
		_, fired := d.tl.First(incident.AlertFiring, nil)
		require.False(t, fired, "nothing fires before the fault")

		pg, err := env.Service(stack.Postgres)
		require.NoError(t, err)
		require.NoError(t, pg.Stop(ctx))
		stopped := d.clock.Now()
		firing, ok := d.runUntil(ctx, "DatabaseConnectionFailure", incident.AlertFiring, stopped, 5*time.Minute)
		require.True(t, ok, "DatabaseConnectionFailure did not fire")
		assert.Equal(t, incident.P1, firing.Severity)
		// for: 1m, plus at most one tick until the first tick that sees it.
		assert.LessOrEqual(t, firing.Drill-stopped, time.Minute+incident.DefaultTick)
		_, ok = d.tl.First(incident.AlertFiring, func(m incident.Milestone) bool { return m.Subject == "PostgresExporterDown" })
		assert.True(t, ok, "a rule on pg_up == 0 fires")

		require.NoError(t, pg.Start(ctx))
		started := d.clock.Now()
		_, ok = d.runUntil(ctx, "DatabaseConnectionFailure", incident.AlertResolved, started, 5*time.Minute)
		require.True(t, ok, "DatabaseConnectionFailure did not resolve")
		_, ok = d.runUntil(ctx, "PostgresExporterDown", incident.AlertResolved, started, 5*time.Minute)
		assert.True(t, ok, "PostgresExporterDown did not resolve")
		require.NoError(t, env.WaitHealthy(ctx, time.Minute))
	})

	t.Run("mass deletion fires DataLossSuspected", func(t *testing.T) {
		d := newDrill(t, env, 5, defaultRules)
		defer d.logTimeline()
		d.runFor(ctx, time.Minute)
		conn, err := env.Postgres.Acquire(ctx)
		require.NoError(t, err)
		tag, err := conn.Exec(ctx, `DELETE FROM analytics WHERE id % 10 < 3`)
		require.NoError(t, err)
		// PostgreSQL publishes a session's table counters when it goes idle,
		// at most once a second and otherwise up to 10 s later: in compressed
		// time that is many drill minutes. A fault asks for the flush.
		_, err = conn.Exec(ctx, `SELECT pg_stat_force_next_flush()`)
		require.NoError(t, err)
		conn.Release()
		require.Greater(t, tag.RowsAffected(), int64(1000))
		deleted := d.clock.Now()
		_, ok := d.runUntil(ctx, "DataLossSuspected", incident.AlertFiring, deleted, 2*time.Minute)
		assert.True(t, ok, "DataLossSuspected did not fire after %d rows were deleted", tag.RowsAffected())
		require.NoError(t, env.Reset(ctx))
	})

	t.Run("app paused fires CompleteServiceOutage", func(t *testing.T) {
		// A hung app costs every tick its timeouts in wall time; short ones
		// keep the test quick without changing what is detected.
		d := newDrillWith(t, env, monitors.Config{
			RuleFiles: []string{defaultRules}, Traffic: demoTraffic(env.Config, 2, nil),
			RequestTimeout: time.Second, ScrapeTimeout: time.Second, ProbeTimeout: time.Second,
		})
		defer d.logTimeline()
		d.runFor(ctx, time.Minute)
		app, err := env.Service(stack.App)
		require.NoError(t, err)
		require.NoError(t, app.Pause(ctx))
		paused := d.clock.Now()
		firing, ok := d.runUntil(ctx, "CompleteServiceOutage", incident.AlertFiring, paused, 3*time.Minute)
		require.NoError(t, app.Unpause(ctx))
		require.True(t, ok, "CompleteServiceOutage did not fire")
		assert.LessOrEqual(t, firing.Drill-paused, time.Minute+incident.DefaultTick)
		_, ok = d.runUntil(ctx, "CompleteServiceOutage", incident.AlertResolved, d.clock.Now(), 3*time.Minute)
		assert.True(t, ok, "CompleteServiceOutage did not resolve")
		require.NoError(t, env.WaitHealthy(ctx, time.Minute))
	})

	t.Run("redis stopped fires a rule on redis_up", func(t *testing.T) {
		d := newDrill(t, env, 5, writeRules(t, exporterRules))
		defer d.logTimeline()
		d.runFor(ctx, time.Minute)
		rd, err := env.Service(stack.Redis)
		require.NoError(t, err)
		require.NoError(t, rd.Stop(ctx))
		stopped := d.clock.Now()
		firing, ok := d.runUntil(ctx, "RedisExporterDown", incident.AlertFiring, stopped, 3*time.Minute)
		require.True(t, ok, "RedisExporterDown did not fire")
		assert.LessOrEqual(t, firing.Drill-stopped, incident.DefaultTick, "no for: the first tick after the stop fires it")
		require.NoError(t, rd.Start(ctx))
		_, ok = d.runUntil(ctx, "RedisExporterDown", incident.AlertResolved, d.clock.Now(), 3*time.Minute)
		assert.True(t, ok, "RedisExporterDown did not resolve")
		require.NoError(t, env.WaitHealthy(ctx, time.Minute))
	})
}

// TestLocalStackSteadyState runs the steady state on the local provider,
// whose exporter gets the same custom queries file as the image.
func TestLocalStackSteadyState(t *testing.T) {
	cfg := stacktest.Config(t)
	env := stacktest.Start(t, "local", cfg.Stack)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	steadyState(ctx, t, env)
}

// steadyState runs 10 drill minutes of 20 rps without a fault: nothing
// fires, every request of every tick was sent, and the series the default
// rules read are there, with rates in drill time.
func steadyState(ctx context.Context, t *testing.T, env *stack.Env) {
	d := newDrill(t, env, 20, defaultRules)
	d.runFor(ctx, 10*time.Minute)
	defer d.logTimeline()
	_, fired := d.tl.First(incident.AlertFiring, nil)
	assert.False(t, fired, "no alert of the default rules fires without a fault")

	// Each tick sent exactly its share: 20 rps × 15 s.
	ticks := len(d.m.Timings())
	total, ok := 0, 0
	for _, o := range d.m.TrafficOutcomes() {
		total += o.Count
		if o.Class == monitors.Class2xx {
			ok += o.Count
		}
	}
	assert.Equal(t, ticks*300, total)
	assert.GreaterOrEqual(t, float64(ok), 0.99*float64(total), "steady traffic succeeds: %+v", d.m.TrafficOutcomes())

	// Rates are in drill time: the app served 20 rps of traffic plus the
	// health probe's one request a tick.
	rate := d.value(ctx, `sum(rate(http_requests_total{job="app"}[5m]))`)
	require.Len(t, rate, 1)
	assert.InEpsilon(t, 20+1.0/15, rate[0], 0.05)
	assert.Equal(t, []float64{1, 1, 1}, d.value(ctx, `up`), "app, postgres and redis exporters are scraped")
	assert.Equal(t, []float64{1, 1, 1}, d.value(ctx, `probe_success{job="blackbox"}`), "app health, postgres and redis probes pass")
	// The postgres exporter's custom queries give the newer exporter's
	// pg_stat_user_tables series.
	assert.Len(t, d.value(ctx, `pg_stat_user_tables_n_tup_del{job="postgres", datname="app", schemaname="public", relname="content"}`), 1)
	assert.Zero(t, d.m.RuleErrors())
}
