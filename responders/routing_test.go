package responders_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/responders"
)

// teamRouting is an alertmanager.yml in the shape teams write: a default
// receiver, a route for the database team, Alertmanager's timers, and an
// inhibit rule muting warnings while a critical alert of the same instance
// fires.
const teamRouting = `route:
  receiver: on-call
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 1h
  routes:
    - matchers: ['team="database"']
      receiver: dba
      group_by: [alertname, instance]
      group_wait: 1m
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [instance]
receivers:
  - name: on-call
  - name: dba
`

func routing(t *testing.T, text string) *responders.Routing {
	t.Helper()
	r, err := responders.ParseRouting("test alertmanager.yml", text)
	require.NoError(t, err)
	return r
}

func alertOf(name string, state incident.AlertState, labels map[string]string) incident.Alert {
	l := map[string]string{"alertname": name}
	for k, v := range labels {
		l[k] = v
	}
	sev, _ := incident.ParseSeverity(l["severity"])
	return incident.Alert{Name: name, State: state, Labels: l, Severity: sev}
}

func pagesOf(tl *incident.Timeline) []incident.Milestone {
	var out []incident.Milestone
	for _, m := range tl.Entries() {
		if m.Kind == incident.PageSent {
			out = append(out, m)
		}
	}
	return out
}

// group_wait delays the first page; alerts of the group that fire while it
// waits ride on the same notification; a later one waits for group_interval.
func TestPagerWaitsGroupWaitAndGroupsAlerts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock, tl := drillClock()
	p := responders.NewPager(tl, nil, responders.WithRouting(routing(t, teamRouting)))

	fired := tick(ctx, t, clock, p, alertOf("HighErrorRate", incident.StateFiring, map[string]string{"severity": "critical", "instance": "a"}))
	tick(ctx, t, clock, p, alertOf("HighErrorRate", incident.StateFiring, map[string]string{"severity": "critical", "instance": "b"}))
	assert.Empty(t, pagesOf(tl), "nothing pages before group_wait")
	paged := tick(ctx, t, clock, p)
	assert.Equal(t, 30*time.Second, paged-fired, "group_wait 30s")
	pages := pagesOf(tl)
	require.Len(t, pages, 1, "both instances ride on one notification")
	assert.Equal(t, "1", pages[0].Labels[incident.IncidentLabel])
	assert.Equal(t, "on-call", pages[0].Labels["receiver"])
	assert.Contains(t, pages[0].Detail, "group_wait 30s")

	third := tick(ctx, t, clock, p, alertOf("HighErrorRate", incident.StateFiring, map[string]string{"severity": "critical", "instance": "c"}))
	for clock.TickTime() < paged+5*time.Minute-15*time.Second {
		tick(ctx, t, clock, p)
	}
	require.Len(t, pagesOf(tl), 1, "a new alert of a notified group waits for group_interval")
	next := tick(ctx, t, clock, p)
	pages = pagesOf(tl)
	require.Len(t, pages, 2)
	assert.Equal(t, paged+5*time.Minute, next, "group_interval 5m after the first notification")
	assert.Greater(t, next, third)

	// Nothing new: the next page is repeat_interval (1h) after the last.
	for clock.TickTime() < next+time.Hour {
		tick(ctx, t, clock, p)
	}
	pages = pagesOf(tl)
	require.Len(t, pages, 3)
	assert.Equal(t, next+time.Hour, pages[2].Drill, "repeat_interval")
}

// A route's matchers send an alert to its receiver with that route's own
// group_by and group_wait.
func TestPagerRoutesToTheMatchingReceiver(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock, tl := drillClock()
	p := responders.NewPager(tl, nil, responders.WithRouting(routing(t, teamRouting)))
	fired := tick(ctx, t, clock, p, alertOf("PostgresDown", incident.StateFiring, map[string]string{"team": "database", "severity": "critical", "instance": "pg"}))
	for range 4 {
		tick(ctx, t, clock, p)
	}
	pages := pagesOf(tl)
	require.Len(t, pages, 1)
	assert.Equal(t, "dba", pages[0].Labels["receiver"])
	assert.Equal(t, `{alertname="PostgresDown", instance="pg"}`, pages[0].Labels["group"])
	assert.Equal(t, time.Minute, pages[0].Drill-fired, "the route's own group_wait")
}

// An inhibited alert never pages while its source fires, and the timeline
// says what muted it.
func TestPagerNeverPagesAnInhibitedAlert(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock, tl := drillClock()
	p := responders.NewPager(tl, nil, responders.WithRouting(routing(t, teamRouting)))
	tick(ctx, t, clock, p,
		alertOf("InstanceDown", incident.StateFiring, map[string]string{"severity": "critical", "instance": "a"}),
		alertOf("SlowQueries", incident.StateFiring, map[string]string{"severity": "warning", "instance": "a"}),
		alertOf("SlowQueries", incident.StateFiring, map[string]string{"severity": "warning", "instance": "b"}))
	for range 10 {
		tick(ctx, t, clock, p)
	}
	inc, ok := p.Current()
	require.True(t, ok)
	assert.Equal(t, []string{"InstanceDown", "SlowQueries"}, inc.Alerts, "instance b's SlowQueries is not inhibited (instance differs)")
	muted, ok := tl.First(incident.Note, func(m incident.Milestone) bool { return m.Subject == "alert inhibited" })
	require.True(t, ok)
	assert.Equal(t, "a", muted.Labels["instance"])
	assert.Contains(t, muted.Detail, "muted by the firing InstanceDown")
	for _, m := range pagesOf(tl) {
		assert.NotContains(t, m.Detail, "instance=\"a\"")
	}
}

// Alerts firing before the fault are pre-existing: a notification that
// carries only them after T0 pages nobody and belongs to no drill
// incident; the fault's own alert opens the drill's incident.
func TestPagerKeepsPreExistingAlertsOutOfTheDrillsIncident(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock, tl := drillClock()
	r := &recorder{}
	p := responders.NewPager(tl, r, responders.WithRouting(routing(t, teamRouting)))
	tick(ctx, t, clock, p, alertOf("RedisMemoryHigh", incident.StateFiring, map[string]string{"severity": "warning"}))
	p.FaultInjected(ctx) // before its group_wait ran out
	for range 3 {
		tick(ctx, t, clock, p)
	}
	pages := pagesOf(tl)
	require.Len(t, pages, 1)
	assert.Empty(t, pages[0].Labels[incident.IncidentLabel], "noise belongs to no incident")
	assert.Contains(t, pages[0].Detail, "pre-existing alerts, not the drill's incident")
	assert.Empty(t, r.pages, "noise pages nobody")
	note, ok := tl.First(incident.Note, func(m incident.Milestone) bool { return m.Subject == responders.PreExisting })
	require.True(t, ok)
	assert.Contains(t, note.Detail, "RedisMemoryHigh")

	tick(ctx, t, clock, p, alertOf("DatabaseConnectionFailure", incident.StateFiring, map[string]string{"severity": "critical"}))
	for range 2 {
		tick(ctx, t, clock, p)
	}
	require.Len(t, r.pages, 1)
	assert.Equal(t, 1, r.pages[0].Incident)
	inc, _ := p.Current()
	assert.Equal(t, []string{"DatabaseConnectionFailure"}, inc.Alerts, "the noise never joins it")

	// The noise never holds the drill's incident open.
	tl.Record(incident.Milestone{Kind: incident.Note, Subject: responders.VerificationPassed, Labels: map[string]string{incident.IncidentLabel: "1"}})
	tick(ctx, t, clock, p, alertOf("DatabaseConnectionFailure", incident.StateResolved, map[string]string{"severity": "critical"}))
	inc, _ = p.Current()
	assert.True(t, inc.Resolved, "resolved although RedisMemoryHigh still fires")
}

type recorder struct{ pages []responders.Page }

func (r *recorder) Page(_ context.Context, p responders.Page) error {
	r.pages = append(r.pages, p)
	return nil
}
func (r *recorder) Tick(context.Context, time.Duration) error { return nil }

func TestLoadRoutingNamesFileAndLine(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "alertmanager.yml")
	require.NoError(t, os.WriteFile(path, []byte("route:\n  receiver: on-call\n  group_wiat: 30s\nreceivers:\n  - name: on-call\n"), 0o644))
	_, err := responders.LoadRouting(path)
	require.ErrorIs(t, err, responders.ErrInvalid)
	assert.Contains(t, err.Error(), path)
	assert.Contains(t, err.Error(), "line 3")
	assert.Contains(t, err.Error(), "group_wiat")

	def, err := responders.LoadRouting("")
	require.NoError(t, err)
	assert.Equal(t, []string{"on-call"}, def.Receivers())
	rts := def.Routes(map[string]string{"alertname": "X", "severity": "P1"})
	require.Len(t, rts, 1)
	assert.Equal(t, 30*time.Second, rts[0].GroupWait, "the shipped default keeps Alertmanager's group_wait")
}
