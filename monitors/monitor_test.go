package monitors_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/internal/demoapp"
	"github.com/firedrill/firedrill/internal/wiring"
	"github.com/firedrill/firedrill/monitors"
	"github.com/firedrill/firedrill/stack"
)

// sink records what the monitor delivers.
type sink struct {
	mu    sync.Mutex
	ticks int
	got   []incident.Alert
	on    func(ticks int)
}

func (s *sink) Alerts(_ context.Context, _ time.Time, tr []incident.Alert) {
	s.mu.Lock()
	s.ticks++
	s.got = append(s.got, tr...)
	n, on := s.ticks, s.on
	s.mu.Unlock()
	if on != nil {
		on(n)
	}
}

func (s *sink) alerts() []incident.Alert {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]incident.Alert(nil), s.got...)
}

func writeRules(t *testing.T, doc string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "test.rules.yml")
	require.NoError(t, os.WriteFile(p, []byte(doc), 0o644))
	return p
}

// exporterPage is a metrics page with every family type and labels that
// clash with the target's.
const exporterPage = `# TYPE jobs_done_total counter
jobs_done_total{job="batch",instance="worker-7",queue="mail"} 42
# TYPE temperature gauge
temperature 21.5
# TYPE latency_seconds histogram
latency_seconds_bucket{le="0.5"} 3
latency_seconds_bucket{le="1"} 5
latency_seconds_bucket{le="+Inf"} 6
latency_seconds_sum 4.2
latency_seconds_count 6
# TYPE rpc_seconds summary
rpc_seconds{quantile="0.9"} 0.25
rpc_seconds_sum 10
rpc_seconds_count 40
plain_value 7
`

// TestScrapeLabelsAndStalenessAsPrometheus drives one monitor against a
// fake exporter: samples land at drill timestamps with Prometheus' labels,
// up follows the target, stale markers end its series, and an alert on it
// walks pending, firing, resolved on the timeline and the sink.
func TestScrapeLabelsAndStalenessAsPrometheus(t *testing.T) {
	t.Parallel()
	var broken atomic.Bool
	exp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if broken.Load() {
			http.Error(w, "exporter broken", http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, exporterPage)
	}))
	t.Cleanup(exp.Close)
	env := &stack.Env{Config: config.Default().Stack, Targets: []stack.MetricsTarget{{Job: "fake", Instance: "fake:9100", URL: exp.URL + "/metrics"}}}
	rulesFile := writeRules(t, `
groups:
  - name: t
    rules:
      - alert: FakeDown
        expr: up{job="fake"} == 0
        for: 30s
        labels:
          severity: P1
        annotations:
          summary: "{{ $labels.instance }} is down"
`)
	clock := incident.NewClock(incident.Compressed, 15*time.Second, time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC))
	tl := incident.NewTimeline(clock)
	sk := &sink{}
	m, err := monitors.New(env, clock, tl, monitors.Config{RuleFiles: []string{rulesFile}, Sink: sk, Traffic: config.Traffic{Rate: 0}})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, m.Close()) })
	ctx := context.Background()

	require.NoError(t, m.Tick(ctx))
	at := clock.At(0)
	query := func(expr string, at time.Time) map[string]float64 {
		t.Helper()
		v, err := m.Query(ctx, expr, at)
		require.NoError(t, err)
		out := map[string]float64{}
		for _, s := range v {
			out[s.Metric.String()] = s.F
		}
		return out
	}
	assert.Equal(t, map[string]float64{
		`{__name__="jobs_done_total", exported_instance="worker-7", exported_job="batch", instance="fake:9100", job="fake", queue="mail"}`: 42,
	}, query(`jobs_done_total`, at), "clashing labels become exported_<name>")
	assert.Equal(t, map[string]float64{
		`{__name__="latency_seconds_bucket", instance="fake:9100", job="fake", le="0.5"}`:  3,
		`{__name__="latency_seconds_bucket", instance="fake:9100", job="fake", le="1.0"}`:  5,
		`{__name__="latency_seconds_bucket", instance="fake:9100", job="fake", le="+Inf"}`: 6,
	}, query(`latency_seconds_bucket`, at))
	assert.Equal(t, map[string]float64{`{__name__="latency_seconds_count", instance="fake:9100", job="fake"}`: 6}, query(`latency_seconds_count`, at))
	assert.Equal(t, map[string]float64{`{__name__="rpc_seconds", instance="fake:9100", job="fake", quantile="0.9"}`: 0.25}, query(`rpc_seconds`, at))
	assert.Equal(t, map[string]float64{`{__name__="plain_value", instance="fake:9100", job="fake"}`: 7}, query(`plain_value`, at))
	assert.Equal(t, map[string]float64{`{__name__="up", instance="fake:9100", job="fake"}`: 1}, query(`up`, at))
	assert.Empty(t, query(`up`, at.Add(-time.Second)), "samples are stamped with the tick's drill time")

	broken.Store(true)
	var pendingAt, firingAt, resolvedAt time.Duration
	for range 6 {
		d, err := clock.Advance(ctx)
		require.NoError(t, err)
		require.NoError(t, m.Tick(ctx))
		if d == 15*time.Second {
			assert.Equal(t, map[string]float64{`{__name__="up", instance="fake:9100", job="fake"}`: 0}, query(`up`, clock.At(d)))
			assert.Empty(t, query(`jobs_done_total`, clock.At(d)), "a failed scrape makes the target's series stale")
		}
		if d == 60*time.Second {
			broken.Store(false)
		}
	}
	for _, ms := range tl.Entries() {
		require.Equal(t, monitors.Actor, ms.Actor)
		require.Equal(t, "FakeDown", ms.Subject)
		assert.Equal(t, incident.P1, ms.Severity)
		assert.Equal(t, "fake:9100", ms.Labels["instance"])
		assert.Equal(t, clock.At(ms.Drill), ms.At)
		switch ms.Kind {
		case incident.AlertPending:
			pendingAt = ms.Drill
		case incident.AlertFiring:
			firingAt = ms.Drill
			assert.Equal(t, "fake:9100 is down", ms.Detail)
		case incident.AlertResolved:
			resolvedAt = ms.Drill
		}
	}
	// Down from the 15s tick: pending there, firing at 45s (for: 30s); the
	// exporter answers again from the 75s tick.
	assert.Equal(t, 15*time.Second, pendingAt)
	assert.Equal(t, 45*time.Second, firingAt)
	assert.Equal(t, 75*time.Second, resolvedAt)
	assert.Len(t, tl.Entries(), 3)
	assert.Len(t, sk.alerts(), 3, "the sink sees the same transitions")
	assert.Equal(t, 7, sk.ticks, "the sink is called every tick")
	assert.Empty(t, m.ActiveAlerts())
	assert.Len(t, m.Timings(), 7)
	for _, tt := range m.Timings() {
		assert.Positive(t, tt.Floor, "every tick scraped and probed something")
		assert.LessOrEqual(t, tt.Floor, tt.Total, "the floor is part of the tick")
		assert.NotEmpty(t, tt.FloorBy)
	}
	assert.ErrorIs(t, m.Tick(ctx), monitors.ErrTicked, "a drill time is ticked once")
}

// fakeApp counts requests by route and checks what a real app would.
type fakeApp struct {
	mu     sync.Mutex
	counts map[string]int
	bad    []string
	hang   bool
	active atomic.Int64
	seen   chan struct{}
}

func (a *fakeApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a.active.Add(1)
	defer a.active.Add(-1)
	route := r.Method + " " + r.URL.Path
	a.mu.Lock()
	a.counts[route]++
	a.mu.Unlock()
	if a.hang {
		// The server notices a client gone only once the body is read.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case a.seen <- struct{}{}:
		default:
		}
		<-r.Context().Done()
		return
	}
	body, _ := io.ReadAll(r.Body)
	switch route {
	case "POST /webhooks/stripe":
		var ev struct {
			Data struct {
				Object struct {
					ID string `json:"id"`
				} `json:"object"`
			} `json:"data"`
		}
		sig := r.Header.Get("Stripe-Signature")
		var ts int64
		_, _ = fmt.Sscanf(sig, "t=%d,", &ts)
		if json.Unmarshal(body, &ev) != nil || ev.Data.Object.ID == "" || sig != demoapp.SignWebhook("whsec_firedrill", time.Unix(ts, 0), body) {
			a.mu.Lock()
			a.bad = append(a.bad, "webhook: "+sig)
			a.mu.Unlock()
			w.WriteHeader(http.StatusBadRequest)
			return
		}
	case "POST /api/auth/login":
		var c struct{ Email, Password string }
		if json.Unmarshal(body, &c) != nil || c.Email != "user1@example.com" || c.Password != "password-1" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = io.WriteString(w, `{"token":"1.abc","user_id":1}`)
		return
	case "GET /api/auth/status":
		if r.Header.Get("Authorization") != "" && r.Header.Get("Authorization") != "Bearer 1.abc" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
	case "GET /health":
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	case "POST /api/checkout":
		if string(body) != `{"sku":"x"}` || r.Header.Get("Content-Type") != "application/json" || r.Header.Get("X-Tenant") != "t1" {
			a.mu.Lock()
			a.bad = append(a.bad, "checkout: "+string(body))
			a.mu.Unlock()
		}
	}
	_, _ = io.WriteString(w, `{}`)
}

// demoTraffic is the demo app's traffic as a drill wires it, for an app
// configured as st: its profile weighed by mix (nil: its own weights), then
// the requests own.
func demoTraffic(st config.Stack, rate float64, mix config.Mix, own ...config.Request) config.Traffic {
	return wiring.Traffic(config.Config{Stack: st, Traffic: config.Traffic{Rate: rate, Mix: mix, Requests: own}})
}

// trafficRun runs a monitor with traffic against a fake app for ticks
// ticks and returns the app, the monitor and its clock.
func trafficRun(t *testing.T, traffic config.Traffic, ticks int) (*fakeApp, *monitors.Monitor, *incident.Clock) {
	t.Helper()
	app := &fakeApp{counts: map[string]int{}}
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	env := &stack.Env{Config: config.Default().Stack, AppURL: srv.URL}
	clock := incident.NewClock(incident.Compressed, 15*time.Second, time.Time{})
	m, err := monitors.New(env, clock, incident.NewTimeline(clock), monitors.Config{
		RuleFiles: []string{writeRules(t, "groups: []\n")},
		Traffic:   traffic,
	})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, m.Close()) })
	n := 0
	require.NoError(t, m.Run(context.Background(), func() bool { n++; return n == ticks }))
	return app, m, clock
}

// outcomes sums the traffic's client-side outcomes by endpoint and class.
func outcomes(m *monitors.Monitor) map[string]int {
	got := map[string]int{}
	for _, o := range m.TrafficOutcomes() {
		got[o.Endpoint+" "+o.Class] += o.Count
	}
	return got
}

func TestTrafficSendsEachTicksShareByTheMix(t *testing.T) {
	t.Parallel()
	// 4 requests per drill second over 15 s ticks: 60 a tick.
	app, m, clock := trafficRun(t, demoTraffic(config.Default().Stack, 4, config.Mix{"content": 60, "auth_status": 15, "login": 10, "webhook": 5, "health": 10}), 5)
	assert.Equal(t, 4, clock.Ticks(), "the first tick runs at drill time 0, four more after")

	app.mu.Lock()
	defer app.mu.Unlock()
	assert.Empty(t, app.bad)
	// 300 requests by weight (the health probe adds one GET /health a tick).
	assert.Equal(t, map[string]int{
		"GET /api/content/public": 180, "GET /api/auth/status": 45, "POST /api/auth/login": 30,
		"POST /webhooks/stripe": 15, "GET /health": 30 + 5,
	}, app.counts)
	assert.Equal(t, map[string]int{"content 2xx": 180, "auth_status 2xx": 45, "login 2xx": 30, "webhook 2xx": 15, "health 5xx": 30}, outcomes(m))
	v, err := m.Query(context.Background(), `probe_success{job="blackbox", probe="app-health"} == 0 and probe_http_status_code == 503`, clock.At(clock.TickTime()))
	require.NoError(t, err)
	assert.Len(t, v, 1, "the health probe reports blackbox_exporter's series")
}

// Your own app's requests go out by weight beside the mix, with their
// method, path and body.
func TestTrafficSendsTheUsersOwnRequests(t *testing.T) {
	t.Parallel()
	app, m, _ := trafficRun(t, demoTraffic(config.Default().Stack, 2, config.Mix{"health": 1},
		config.Request{Name: "catalog", Path: "/api/products?limit=5", Weight: 2},
		config.Request{Name: "checkout", Method: "POST", Path: "/api/checkout", Body: `{"sku":"x"}`, Headers: map[string]string{"X-Tenant": "t1"}, Weight: 1},
	), 2)

	app.mu.Lock()
	defer app.mu.Unlock()
	assert.Empty(t, app.bad, "the body, its content type and the headers are sent")
	// Two ticks of 30 requests, by weights 1:2:1 (plus a health probe a tick).
	assert.Equal(t, map[string]int{"GET /api/products": 30, "POST /api/checkout": 15, "GET /health": 15 + 2}, app.counts)
	assert.Equal(t, map[string]int{"catalog 2xx": 30, "checkout 2xx": 15, "health 5xx": 15}, outcomes(m))
}

// A rate with nothing to send is a wiring mistake (a mix alone names a
// profile's requests, which only the wiring supplies), not a quiet drill.
func TestTrafficRateWithoutRequestsIsAnError(t *testing.T) {
	t.Parallel()
	env := &stack.Env{Config: config.Default().Stack, AppURL: "http://127.0.0.1:1"}
	clock := incident.NewClock(incident.Compressed, 15*time.Second, time.Time{})
	rules := writeRules(t, "groups: []\n")
	_, err := monitors.New(env, clock, incident.NewTimeline(clock), monitors.Config{RuleFiles: []string{rules},
		Traffic: config.Traffic{Rate: 2, Mix: config.DefaultMix()}})
	assert.ErrorContains(t, err, "no request with a positive weight")
	m, err := monitors.New(env, clock, incident.NewTimeline(clock), monitors.Config{RuleFiles: []string{rules},
		Traffic: demoTraffic(env.Config, 2, nil)})
	require.NoError(t, err)
	require.NoError(t, m.Close())
}

func TestCancelStopsRunPromptly(t *testing.T) {
	t.Parallel()
	app := &fakeApp{counts: map[string]int{}, hang: true, seen: make(chan struct{}, 1)}
	srv := httptest.NewServer(app)
	t.Cleanup(srv.Close)
	env := &stack.Env{Config: config.Default().Stack, AppURL: srv.URL}
	clock := incident.NewClock(incident.Compressed, 15*time.Second, time.Time{})
	m, err := monitors.New(env, clock, incident.NewTimeline(clock), monitors.Config{
		RuleFiles: []string{writeRules(t, "groups: []\n")},
		// Requests that would each hang for ten minutes: only cancellation
		// can end them.
		Traffic: demoTraffic(config.Default().Stack, 20, nil), RequestTimeout: 10 * time.Minute, ProbeTimeout: 10 * time.Minute,
	})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, m.Close()) })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- m.Run(ctx, nil) }()
	select {
	case <-app.seen:
	case <-time.After(time.Minute):
		t.Fatal("no request reached the app")
	}
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(time.Minute):
		t.Fatal("Run did not return after cancel")
	}
	before := m.TrafficOutcomes()
	require.Eventually(t, func() bool { return app.active.Load() == 0 }, time.Minute, 10*time.Millisecond, "requests still open at the app")
	assert.Equal(t, before, m.TrafficOutcomes(), "nothing of Run's is still running")
	assert.True(t, errors.Is(ctx.Err(), context.Canceled))
}
