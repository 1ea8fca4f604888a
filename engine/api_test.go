package engine_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/engine"
	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/internal/stacktest"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/stack"
)

// progress collects an engine's progress lines.
type progress struct{ lines []string }

func (p *progress) printf(format string, args ...any) {
	p.lines = append(p.lines, fmt.Sprintf(format, args...))
}

// TestDrillAPIsLiveAndDieWithTheEngine: Start serves both APIs on free
// ports of 127.0.0.1 and says where; they answer at drill time while the
// drill runs; after Close nothing of the drill listens.
func TestDrillAPIsLiveAndDieWithTheEngine(t *testing.T) {
	t.Parallel()
	exporter := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "# TYPE things_total counter\nthings_total 3\n")
	}))
	t.Cleanup(exporter.Close)
	env := &stack.Env{Config: config.Default().Stack, Targets: []stack.MetricsTarget{{Job: "fake", Instance: "fake:1", URL: exporter.URL}}}
	rules := filepath.Join(t.TempDir(), "r.yml")
	require.NoError(t, os.WriteFile(rules, []byte(`groups:
  - name: g
    rules:
      - alert: ThingsExist
        expr: things_total > 0
        labels: {severity: P3}
`), 0o644))
	var out progress
	ctx := context.Background()
	e, err := engine.Start(ctx, env, engine.Spec{Config: config.Default(), Clock: incident.Compressed, RuleFiles: []string{rules}, Progress: out.printf})
	require.NoError(t, err)
	closed := false
	t.Cleanup(func() {
		if !closed {
			_ = e.Close()
		}
	})

	prom, am := e.PrometheusURL(), e.AlertmanagerURL()
	for _, u := range []string{prom, am} {
		pu, err := url.Parse(u)
		require.NoError(t, err)
		assert.Equal(t, "127.0.0.1", pu.Hostname(), u)
		assert.NotEqual(t, "0", pu.Port())
	}
	assert.NotEqual(t, prom, am)
	assert.Contains(t, out.lines, fmt.Sprintf("  Prometheus API %s, Alertmanager API %s (drill time)", prom, am), "people can point curl or Grafana at it")

	// group_wait 30s (the shipped alertmanager.yml) after the first tick.
	require.NoError(t, e.Watch(ctx, 45*time.Second, nil))
	now := e.Clock().At(e.Clock().TickTime())
	var q struct {
		Data struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	getJSON(t, prom+"/api/v1/query?query=things_total", &q)
	require.Len(t, q.Data.Result, 1)
	assert.Equal(t, float64(now.Unix()), q.Data.Result[0].Value[0], "the drill's tick, not the wall clock")
	assert.Equal(t, "3", q.Data.Result[0].Value[1])

	var alerts []struct {
		Labels    map[string]string `json:"labels"`
		Receivers []struct {
			Name string `json:"name"`
		} `json:"receivers"`
		StartsAt time.Time `json:"startsAt"`
	}
	getJSON(t, am+"/api/v2/alerts", &alerts)
	require.Len(t, alerts, 1)
	assert.Equal(t, "ThingsExist", alerts[0].Labels["alertname"])
	assert.Equal(t, "on-call", alerts[0].Receivers[0].Name)
	assert.True(t, e.Clock().At(0).Equal(alerts[0].StartsAt), "fired at the first tick, drill time: %s", alerts[0].StartsAt)

	require.NoError(t, e.Close())
	closed = true
	for _, u := range []string{prom, am} {
		pu, _ := url.Parse(u)
		conn, err := net.DialTimeout("tcp", pu.Host, time.Second)
		if err == nil {
			_ = conn.Close()
		}
		assert.Error(t, err, "nothing listens on %s after Close", u)
	}
}

// TestRunbookScriptsAgainstADrill runs the shipped scripts
// (playbooks/scripts), with the real curl, jq, bc and psql, against a drill
// on a real stack: verification passes on the healthy stack, fails while
// the database's connections are exhausted (and says why), and passes
// again once the fault is recovered; the assessment reads the firing
// alerts from the drill's Alertmanager API.
func TestRunbookScriptsAgainstADrill(t *testing.T) {
	for _, tool := range []string{"curl", "jq", "bc", "psql", "bash"} {
		_, err := exec.LookPath(tool)
		require.NoError(t, err, "the runbook scripts need %s (scripts/setup.sh installs it)", tool)
	}
	cfg := stacktest.Config(t)
	env := stacktest.Start(t, "docker", cfg.Stack)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	e, err := engine.Start(ctx, env, engine.Spec{Config: cfg, Clock: incident.Compressed, Rate: 20,
		RuleFiles: []string{"../rules/default.rules.yml"}})
	t.Cleanup(func() { _ = e.Recover(ctx); _ = e.Close() })
	require.NoError(t, err)
	rt := responders.NewRuntime(env, e.Clock(), e)
	rt.Dir, rt.PrometheusURL, rt.AlertmanagerURL = "../playbooks", e.PrometheusURL(), e.AlertmanagerURL()
	script := func(name string) (string, error) {
		_, out, err := (&responders.ShellStep{File: "scripts/" + name}).Run(ctx, rt)
		t.Logf("T+%s %s:\n%s", e.Clock().TickTime(), name, out)
		return out, err
	}

	require.NoError(t, e.Warmup(ctx))
	out, err := script("verify-recovery.sh")
	require.NoError(t, err, "a healthy stack verifies")
	assert.Contains(t, out, "✓ Error Rate")
	assert.Contains(t, out, "✓ postgres: Running")

	require.NoError(t, e.Inject(ctx, "db-pool-exhaustion", nil))
	require.NoError(t, e.Watch(ctx, 3*time.Minute, nil))
	out, err = script("verify-recovery.sh")
	require.Error(t, err, "a broken stack does not verify")
	assert.Contains(t, out, "✗ Error Rate")
	assert.Contains(t, out, "✗ postgres: Not running")

	out, err = script("assess.sh")
	require.NoError(t, err, "the assessment reports, it does not judge")
	assert.Contains(t, out, "Database UNREACHABLE")
	assert.Contains(t, out, `"alertname":"DatabaseConnectionFailure"`, "the active alerts come from the drill's Alertmanager")

	// What a person types during a game day.
	jq := exec.CommandContext(ctx, "bash", "-c",
		`curl -s "$PROMETHEUS_URL/api/v1/query?query=probe_success%7Bprobe%3D%22postgres%22%7D" | jq -r '.data.result[0].value[1]'`)
	jq.Env = append(jq.Environ(), "PROMETHEUS_URL="+e.PrometheusURL())
	b, err := jq.Output()
	require.NoError(t, err)
	assert.Equal(t, "0", strings.TrimSpace(string(b)), "the postgres probe fails while connections are exhausted")

	require.NoError(t, e.Recover(ctx))
	passed := false
	require.NoError(t, e.Watch(ctx, 5*time.Minute, func(time.Duration) {
		if !passed && e.Clock().TickTime()%time.Minute == 0 {
			_, err := script("verify-recovery.sh")
			passed = err == nil
		}
	}))
	assert.True(t, passed, "the recovered stack verifies again within 5 drill minutes")
}

func getJSON(t *testing.T, u string, v any) {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(v))
}
