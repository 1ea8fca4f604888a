package monitors_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	promv1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/monitors"
	"github.com/firedrill/firedrill/stack"
)

// TestPrometheusAPIAnswersAtDrillTime drives a monitor through an outage of
// a fake exporter and asks its API what a runbook script asks, through the
// official Go client (whose types parse exactly Prometheus' JSON), on
// 127.0.0.1 only. The drill's epoch is months away from the wall clock, so
// an answer stamped with wall time cannot pass.
func TestPrometheusAPIAnswersAtDrillTime(t *testing.T) {
	t.Parallel()
	var broken atomic.Bool
	exp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if broken.Load() {
			http.Error(w, "exporter broken", http.StatusInternalServerError)
			return
		}
		_, _ = io.WriteString(w, "# TYPE jobs_done_total counter\njobs_done_total 42\n")
	}))
	t.Cleanup(exp.Close)
	env := &stack.Env{Config: config.Default().Stack, Targets: []stack.MetricsTarget{{Job: "fake", Instance: "fake:9100", URL: exp.URL + "/metrics"}}}
	rulesFile := writeRules(t, `
groups:
  - name: availability
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: FakeDown
        expr: job:up:sum{job="fake"} == 0
        for: 30s
        labels:
          severity: P1
        annotations:
          summary: "{{ $labels.job }} is down"
`)
	epoch := time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC)
	clock := incident.NewClock(incident.Compressed, 15*time.Second, epoch)
	m, err := monitors.New(env, clock, incident.NewTimeline(clock), monitors.Config{RuleFiles: []string{rulesFile}})
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, m.Close()) })
	ctx := context.Background()

	// Healthy for 0s and 15s, down from 30s: pending at 30s, firing at 60s.
	require.NoError(t, m.Run(ctx, func() bool {
		broken.Store(clock.TickTime() >= 15*time.Second)
		return clock.TickTime() >= 75*time.Second
	}))
	now := clock.At(75 * time.Second)

	srv := httptest.NewServer(m.PrometheusAPI())
	t.Cleanup(srv.Close)
	require.True(t, strings.HasPrefix(srv.URL, "http://127.0.0.1:"), srv.URL)
	client, err := api.NewClient(api.Config{Address: srv.URL})
	require.NoError(t, err)
	prom := promv1.NewAPI(client)

	v, _, _, err := prom.Query(ctx, `up{job="fake"}`, time.Time{})
	require.NoError(t, err, "instant query without time")
	vec, ok := v.(model.Vector)
	require.True(t, ok, "%T", v)
	require.Len(t, vec, 1)
	assert.Equal(t, model.SampleValue(0), vec[0].Value)
	assert.Equal(t, now.UnixMilli(), vec[0].Timestamp.Time().UnixMilli(), "no time: the drill's current tick, not the wall clock")

	v, _, _, err = prom.Query(ctx, `up{job="fake"}`, clock.At(15*time.Second))
	require.NoError(t, err)
	assert.Equal(t, model.SampleValue(1), v.(model.Vector)[0].Value, "time= reads the drill's past")

	v, _, _, err = prom.QueryRange(ctx, `job:up:sum{job="fake"}`, promv1.Range{Start: epoch, End: now, Step: 15 * time.Second})
	require.NoError(t, err)
	mat, ok := v.(model.Matrix)
	require.True(t, ok, "%T", v)
	require.Len(t, mat, 1)
	var got []float64
	for _, p := range mat[0].Values {
		got = append(got, float64(p.Value))
	}
	assert.Equal(t, []float64{1, 1, 0, 0, 0, 0}, got, "the recording rule's series, tick by tick")

	alerts, err := prom.Alerts(ctx)
	require.NoError(t, err)
	require.Len(t, alerts.Alerts, 1)
	a := alerts.Alerts[0]
	assert.Equal(t, promv1.AlertStateFiring, a.State)
	assert.Equal(t, model.LabelValue("FakeDown"), a.Labels["alertname"])
	assert.Equal(t, model.LabelValue("P1"), a.Labels["severity"])
	assert.Equal(t, model.LabelValue("fake is down"), a.Annotations["summary"])
	assert.Equal(t, clock.At(30*time.Second), a.ActiveAt.UTC(), "active since the drill tick it went pending")

	rules, err := prom.Rules(ctx, nil)
	require.NoError(t, err)
	require.Len(t, rules.Groups, 1)
	g := rules.Groups[0]
	assert.Equal(t, "availability", g.Name)
	assert.Equal(t, rulesFile, g.File)
	assert.Equal(t, 15.0, g.Interval, "a group without interval runs every tick")
	require.Len(t, g.Rules, 2)
	rec, ok := g.Rules[0].(promv1.RecordingRule)
	require.True(t, ok, "%T", g.Rules[0])
	assert.Equal(t, "job:up:sum", rec.Name)
	assert.Equal(t, promv1.RuleHealth(promv1.RuleHealthGood), rec.Health)
	assert.Equal(t, now, rec.LastEvaluation.UTC(), "rules last ran at the drill's tick")
	ar, ok := g.Rules[1].(promv1.AlertingRule)
	require.True(t, ok, "%T", g.Rules[1])
	assert.Equal(t, "FakeDown", ar.Name)
	assert.Equal(t, "firing", ar.State)
	assert.Equal(t, 30.0, ar.Duration)
	require.Len(t, ar.Alerts, 1)

	// The JSON a script's jq reads: .data.result[0].value[1] is the value
	// as a string, value[0] the drill timestamp in Unix seconds.
	raw := getJSON(t, srv.URL+"/api/v1/query?query="+url.QueryEscape(`up{job="fake"}`))
	assert.Equal(t, "success", raw["status"])
	data := raw["data"].(map[string]any)
	assert.Equal(t, "vector", data["resultType"])
	val := data["result"].([]any)[0].(map[string]any)["value"].([]any)
	assert.Equal(t, float64(now.Unix()), val[0])
	assert.Equal(t, "0", val[1])

	bad := getJSON(t, srv.URL+"/api/v1/query?query="+url.QueryEscape("up{"))
	assert.Equal(t, "error", bad["status"])
	assert.Equal(t, "bad_data", bad["errorType"], "PromQL errors as Prometheus reports them")

	resp, err := http.Get(srv.URL + "/api/v1/targets")
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode, "what a drill does not run is not answered")
}

func getJSON(t *testing.T, u string) map[string]any {
	t.Helper()
	resp, err := http.Get(u)
	require.NoError(t, err)
	defer resp.Body.Close()
	var out map[string]any
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
	return out
}
