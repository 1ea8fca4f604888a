package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/responders/console"
)

// hostile is a name that runs script wherever it is written as HTML.
const hostile = `<img src=x onerror=alert(1)>`

// fault is the drill's fault: the responders must never see its name.
const fault = "db-pool-exhaustion"

// fakeDrill is a game day: a real team, timeline and pager, with the
// stack's board and the injector faked.
type fakeDrill struct {
	clock *incident.Clock
	tl    *incident.Timeline
	team  *responders.Team
	pager *responders.Pager

	mu       sync.Mutex
	faults   []console.Fault
	aborted  string
	closed   bool
	injected []string
}

func (d *fakeDrill) Name() string                 { return "Database pool exhaustion" }
func (d *fakeDrill) Team() *responders.Team       { return d.team }
func (d *fakeDrill) Timeline() *incident.Timeline { return d.tl }
func (d *fakeDrill) PostmortemDraft([]incident.Milestone) string {
	return "# Post-mortem: Database pool exhaustion\n\n## Summary\n"
}

func (d *fakeDrill) Board(context.Context) console.Board {
	rate := 0.25
	return console.Board{At: "T+1m", ErrorRate: &rate, Checks: []console.Check{
		{Name: "app health", State: "down", Detail: "503"}, {Name: "database", State: "up"}, {Name: "redis", State: "up"}}}
}

func (d *fakeDrill) Truth() console.Truth {
	d.mu.Lock()
	defer d.mu.Unlock()
	return console.Truth{Faults: append([]console.Fault(nil), d.faults...), T0: "T+30s", Injectable: []string{fault, "redis-down"}}
}

func (d *fakeDrill) Inject(name string, _ map[string]string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.injected = append(d.injected, name)
	return nil
}

func (d *fakeDrill) Abort(reason string) { d.mu.Lock(); d.aborted = reason; d.mu.Unlock() }
func (d *fakeDrill) Close()              { d.mu.Lock(); d.closed = true; d.mu.Unlock() }

// gameDay is a console serving a drill whose fault was injected and whose
// P1 alert paged the team.
type gameDay struct {
	t       *testing.T
	drill   *fakeDrill
	console *console.Console
	srv     *httptest.Server
	// off: between drills (Current returns nil).
	off  atomic.Bool
	resp string // responder token
	fac  string // facilitator token
}

func newGameDay(t *testing.T) *gameDay {
	t.Helper()
	clock := incident.NewClock(incident.Compressed, 15*time.Second, time.Date(2026, 1, 1, 14, 0, 0, 0, time.UTC))
	tl := incident.NewTimeline(clock)
	team := responders.NewTeam("team", tl, responders.TeamSpec{
		Roles: []responders.TeamRole{
			{Key: "incident_commander", Title: "Incident Commander", Primary: "alice", Backup: "bob"},
			{Key: "tech_lead", Title: "Tech Lead", Primary: "carol", Backup: "dave"},
			{Key: "database_admin", Title: "Database Admin", Primary: hostile, Backup: "frank"},
		},
		Pages:      map[incident.Severity][]string{incident.P1: {"incident_commander", "tech_lead", "database_admin"}},
		AckTimeout: 5 * time.Minute,
	}, nil)
	d := &fakeDrill{clock: clock, tl: tl, team: team, pager: responders.NewPager(tl, team)}
	g := &gameDay{t: t, drill: d, resp: console.NewToken(), fac: console.NewToken()}
	// No refresh within a test: every state a stream sends is one a
	// milestone or an action woke.
	g.console = console.New(console.Options{ResponderToken: g.resp, FacilitatorToken: g.fac, Refresh: time.Hour, Current: func() console.Drill {
		if g.off.Load() {
			return nil
		}
		return d
	}})
	g.srv = httptest.NewServer(g.console.Handler())
	t.Cleanup(g.srv.Close)
	t.Cleanup(g.console.Close)

	g.tick()
	tl.Record(incident.Milestone{Kind: incident.FaultInjected, Actor: "injector", Subject: fault})
	d.faults = []console.Fault{{Name: fault, At: "T+30s"}}
	d.pager.FaultInjected(context.Background())
	g.tick(incident.Alert{Name: "DatabaseConnectionFailure", State: incident.StateFiring, Severity: incident.P1,
		Labels:      map[string]string{"alertname": "DatabaseConnectionFailure", "severity": "P1", "service": "content-api"},
		Annotations: map[string]string{"summary": "The app cannot reach its database."}})
	return g
}

// tick advances the drill one tick, recording the alerts' transitions as
// the monitor does and handing them to the pager.
func (g *gameDay) tick(alerts ...incident.Alert) {
	g.t.Helper()
	ctx := context.Background()
	now, err := g.drill.clock.Advance(ctx)
	require.NoError(g.t, err)
	for _, a := range alerts {
		g.drill.tl.Record(incident.Milestone{Kind: incident.AlertFiring, Drill: now, Actor: "monitor", Subject: a.Name,
			Severity: a.Severity, Labels: a.Labels, Detail: a.Annotations["summary"]})
	}
	g.drill.pager.Alerts(ctx, g.drill.clock.At(now), alerts)
}

// do sends a request; header pairs follow the body.
func (g *gameDay) do(method, path, token string, body any, header ...string) (int, string) {
	g.t.Helper()
	var r io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case string:
		r, ct = strings.NewReader(b), "application/x-www-form-urlencoded"
	case []byte:
		r, ct = bytes.NewReader(b), "application/json"
	default:
		j, err := json.Marshal(b)
		require.NoError(g.t, err)
		r, ct = bytes.NewReader(j), "application/json"
	}
	req, err := http.NewRequest(method, g.srv.URL+path, r)
	require.NoError(g.t, err)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(g.t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	require.NoError(g.t, err)
	return resp.StatusCode, string(out)
}

// state is the responder view's state, read with the responder token.
func (g *gameDay) state() console.State {
	g.t.Helper()
	code, body := g.do("GET", "/api/state", g.resp, nil)
	require.Equal(g.t, http.StatusOK, code, body)
	var s console.State
	require.NoError(g.t, json.Unmarshal([]byte(body), &s))
	return s
}

// kinds lists the timeline's milestones as "kind who subject".
func kinds(tl *incident.Timeline, only incident.Kind) []string {
	var out []string
	for _, m := range tl.Entries() {
		if m.Kind == only {
			out = append(out, string(m.Kind)+" "+m.Labels[incident.PersonLabel]+" "+m.Subject)
		}
	}
	return out
}
