package responders_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/injectors"
	"github.com/firedrill/firedrill/internal/demoapp"
	"github.com/firedrill/firedrill/internal/stacktest"
	"github.com/firedrill/firedrill/internal/wiring"
	"github.com/firedrill/firedrill/monitors"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/stack"
)

// drill wires one drill as the runtime does: monitoring with the shipped
// rules, the pager as its sink, the on-call responder running a shipped
// playbook.
type drill struct {
	clock  *incident.Clock
	tl     *incident.Timeline
	pager  *responders.Pager
	oncall *responders.OnCall
	mon    *monitors.Monitor
}

func newDrill(t *testing.T, env *stack.Env, playbook string, think time.Duration) *drill {
	t.Helper()
	pbs, err := responders.LoadDir(shippedDir)
	require.NoError(t, err)
	pb, ok := pbs[playbook]
	require.True(t, ok, playbook)
	d := &drill{clock: incident.NewClock(incident.Compressed, 15*time.Second, time.Time{})}
	d.tl = incident.NewTimeline(d.clock)
	rt := responders.NewRuntime(env, d.clock, nil)
	d.oncall = responders.NewOnCall("on-call", pb, think, rt, d.tl)
	d.pager = responders.NewPager(d.tl, d.oncall)
	mc := wiring.MonitorConfig(stacktest.Config(t))
	mc.Traffic.Rate = 4
	mc.RuleFiles = []string{"../rules/default.rules.yml"}
	mc.Sink = d.pager
	d.mon, err = monitors.New(env, d.clock, d.tl, mc)
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.mon.Close() })
	rt.Querier = d.mon
	// The shipped playbooks' scripts ask the drill's Prometheus and
	// Alertmanager, as the engine serves them.
	prom := httptest.NewServer(d.mon.PrometheusAPI())
	t.Cleanup(prom.Close)
	am := httptest.NewServer(d.pager.AlertmanagerAPI())
	t.Cleanup(am.Close)
	rt.PrometheusURL, rt.AlertmanagerURL = prom.URL, am.URL
	return d
}

// inject records T0 and injects the fault, recovering it when the test
// ends.
func (d *drill) inject(ctx context.Context, t *testing.T, env *stack.Env, fault string) {
	t.Helper()
	inj, err := injectors.New(fault, nil)
	require.NoError(t, err)
	target := injectors.Target{Env: env}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		assert.NoError(t, inj.Recover(ctx, target))
	})
	d.tl.Record(incident.Milestone{Kind: incident.FaultInjected, Actor: "injector", Subject: fault})
	require.NoError(t, inj.Inject(ctx, target))
}

// runUntilResolved ticks the drill until its incident is resolved, a
// responder fails, or limit of drill time passes.
func (d *drill) runUntilResolved(ctx context.Context, t *testing.T, limit time.Duration) responders.Incident {
	t.Helper()
	err := d.mon.Run(ctx, func() bool {
		inc, ok := d.pager.Current()
		return ok && inc.Resolved || d.pager.Err() != nil || d.clock.TickTime() >= limit
	})
	require.NoError(t, err)
	require.NoError(t, d.pager.Err(), "the playbook ran cleanly:\n%s", d.steps())
	inc, ok := d.pager.Current()
	require.True(t, ok, "an incident was opened")
	require.True(t, inc.Resolved, "resolved within %s of drill time: %+v\n%s", limit, inc, d.steps())
	for _, m := range d.tl.Entries() {
		if m.Kind != incident.StepStarted && m.Kind != incident.AlertPending {
			t.Logf("%8s %-15s %-28s %s %s", m.Drill.Round(time.Second), m.Kind, m.Subject, m.Severity, m.Outcome)
		}
	}
	return inc
}

// steps prints the playbook's steps, for failure messages.
func (d *drill) steps() string {
	out := ""
	for _, m := range d.tl.Entries() {
		if m.Kind == incident.StepFinished {
			out += fmt.Sprintf("%s %s [%s]: %s\n", m.Drill, m.Subject, m.Outcome, m.Detail)
		}
	}
	return out
}

// assertStory checks the response's milestones happened, in this order.
func (d *drill) assertStory(t *testing.T, think time.Duration) {
	t.Helper()
	kinds := []incident.Kind{incident.FaultInjected, incident.AlertFiring, incident.PageSent, incident.Acknowledged,
		incident.Diagnosed, incident.Mitigated, incident.Note, incident.Resolved}
	var last time.Duration
	at := map[incident.Kind]time.Duration{}
	for _, k := range kinds {
		m, ok := d.tl.First(k, nil)
		require.True(t, ok, "%s is on the timeline", k)
		assert.GreaterOrEqual(t, m.Drill, last, "%s comes after the milestone before it", k)
		last, at[k] = m.Drill, m.Drill
	}
	assert.GreaterOrEqual(t, at[incident.Acknowledged], at[incident.PageSent]+think, "acknowledged after the think time")
	assert.Less(t, at[incident.Acknowledged], at[incident.PageSent]+think+d.clock.Tick())
}

func testDBRecovery(ctx context.Context, t *testing.T, env *stack.Env) {
	const think = 2 * time.Minute
	d := newDrill(t, env, "db-recovery", think)
	d.inject(ctx, t, env, "db-pool-exhaustion")
	// The fault is in: the server refuses new sessions.
	_, err := pgx.Connect(ctx, env.PostgresURL)
	var pgErr *pgconn.PgError
	require.True(t, errors.As(err, &pgErr) && pgErr.Code == "53300", "new sessions are refused: %v", err)
	if code, _ := get(ctx, t, env.AppURL+"/health"); code != http.StatusOK {
		t.Logf("the app feels it: /health answers %d", code)
	}

	inc := d.runUntilResolved(ctx, t, 45*time.Minute)
	d.assertStory(t, think)
	assert.Contains(t, inc.Alerts, "DatabaseConnectionFailure")
	assert.Equal(t, incident.P1, inc.Severity)

	code, body := get(ctx, t, env.AppURL+"/health")
	assert.Equal(t, http.StatusOK, code, body)
	conn, err := pgx.Connect(ctx, env.PostgresURL)
	require.NoError(t, err, "new sessions are accepted again")
	conn.Close(ctx)
}

func testDisableFeature(ctx context.Context, t *testing.T, env *stack.Env) {
	const think = time.Minute
	d := newDrill(t, env, "disable-feature", think)
	d.inject(ctx, t, env, "error-spike")
	require.Positive(t, failures(ctx, t, env, 100), "the fault is in")

	inc := d.runUntilResolved(ctx, t, 45*time.Minute)
	d.assertStory(t, think)
	assert.Contains(t, inc.Alerts, "HighErrorRate")
	assert.Equal(t, incident.P2, inc.Severity)

	// The fix is the feature flag, not the fault's recovery: it is still
	// injected, and no request fails.
	assert.Zero(t, failures(ctx, t, env, 200), "5xx ratio is 0 with new_feature off")
	assert.False(t, readFlags(ctx, t, env).Features["new_feature"])
}

// failures sends n requests to an API endpoint and counts the 5xx answers.
func failures(ctx context.Context, t *testing.T, env *stack.Env, n int) int {
	t.Helper()
	failed := 0
	for range n {
		if code, _ := get(ctx, t, env.AppURL+"/api/content/public"); code >= 500 || code == 0 {
			failed++
		}
	}
	return failed
}

// tableState is a seeded table's row count and content checksum.
type tableState struct {
	Rows int64
	Sum  string
}

func tables(ctx context.Context, t *testing.T, env *stack.Env) map[string]tableState {
	t.Helper()
	out := map[string]tableState{}
	for _, table := range demoapp.SeededTables {
		var s tableState
		require.NoError(t, env.Postgres.QueryRow(ctx, `SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))
			FROM `+pgx.Identifier{table}.Sanitize()+` t`).Scan(&s.Rows, &s.Sum))
		out[table] = s
	}
	return out
}

func testDataRestore(ctx context.Context, t *testing.T, env *stack.Env) {
	before := tables(ctx, t, env)
	clock := incident.NewClock(incident.Compressed, 15*time.Second, time.Time{})
	d := &drill{clock: clock, tl: incident.NewTimeline(clock)}
	d.inject(ctx, t, env, "data-deletion")
	lost := tables(ctx, t, env)
	require.Less(t, lost["content"].Rows, before["content"].Rows, "the fault deleted rows")

	pbs, err := responders.LoadDir(shippedDir)
	require.NoError(t, err)
	r := runLoaded(ctx, t, responders.NewRuntime(env, clock, nil), pbs["data-restore"], nil)
	require.NoError(t, r.err, "%v", r.tl.Entries())

	assert.Equal(t, before, tables(ctx, t, env), "every seeded table has its rows back, exactly")
	verify := r.finished(t, "row counts match the backup")
	assert.Equal(t, "ok", verify.Outcome)
	assert.Contains(t, verify.Detail, fmt.Sprintf("ok   public.content: %d rows", before["content"].Rows))
	for _, k := range []incident.Kind{incident.Diagnosed, incident.Mitigated} {
		_, ok := r.tl.First(k, nil)
		assert.True(t, ok, "%s recorded", k)
	}
	_, ok := r.tl.First(incident.Note, func(m incident.Milestone) bool { return m.Subject == responders.VerificationPassed })
	assert.True(t, ok, "verification passed")

	// Writes are allowed again: in a brand-new session and in the app.
	conn, err := pgx.Connect(ctx, env.PostgresURL)
	require.NoError(t, err)
	defer conn.Close(ctx)
	var ro string
	require.NoError(t, conn.QueryRow(ctx, `SHOW default_transaction_read_only`).Scan(&ro))
	assert.Equal(t, "off", ro)
	assert.False(t, readFlags(ctx, t, env).ReadOnly)
	var id int64
	require.NoError(t, env.Postgres.QueryRow(ctx, `INSERT INTO users (id, email, name, password, created_at)
		VALUES (999999, 'after@example.com', 'After', 'x', now()) RETURNING id`).Scan(&id))
}
