package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/internal/stacktest"
	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/scorer"
)

// storedRun writes a run's result.json as `firedrill run` leaves it.
func storedRun(t *testing.T, dir, runID string, mttd time.Duration) {
	t.Helper()
	t0 := time.Date(2026, 11, 1, 14, 0, 0, 0, time.UTC)
	tl := []incident.Milestone{
		{Kind: incident.FaultInjected, Drill: time.Minute, Subject: "db-pool-exhaustion"},
		{Kind: incident.AlertFiring, Drill: time.Minute + mttd, Subject: "DatabaseConnectionFailure", Severity: incident.P1},
		{Kind: incident.Acknowledged, Drill: 4 * time.Minute, Labels: map[string]string{incident.IncidentLabel: "1"}},
		{Kind: incident.Resolved, Drill: 6 * time.Minute, Labels: map[string]string{incident.IncidentLabel: "1"}},
	}
	targets := scorer.DefaultTargets()
	v := scorer.Score(tl, targets)
	r := reports.Result{
		Schema: reports.SchemaVersion, RunID: runID, Started: t0, Finished: t0.Add(time.Minute),
		Environment: reports.Environment{Provider: "docker", Clock: incident.Compressed, Tick: 15 * time.Second},
		Targets:     targets,
		Drills: []reports.Drill{{Feature: "db_pool_exhaustion.feature", Scenario: "monthly drill", Status: reports.Passed,
			Timeline: tl, Verdict: &v}},
	}
	_, err := reports.WriteAll(dir, r, []string{"json"})
	require.NoError(t, err)
}

func TestReportRerendersAndPrintsTheTrend(t *testing.T) {
	base := t.TempDir()
	a, b := filepath.Join(base, "run-a"), filepath.Join(base, "run-b")
	storedRun(t, a, "run-a", 30*time.Second)
	storedRun(t, b, "run-b", 2*time.Minute)

	code, out, errOut := runCLI(t, nil, nil, "report", a, filepath.Join(b, "result.json"))
	require.Equal(t, ExitOK, code, errOut)
	for _, dir := range []string{a, b} {
		for _, f := range []string{"report.html", "junit.xml", "postmortem.md", "summary.txt"} {
			_, err := os.Stat(filepath.Join(dir, f))
			assert.NoError(t, err, "%s/%s", dir, f)
		}
	}
	assert.Contains(t, out, "run-a")
	assert.Contains(t, out, "run-b")
	assert.Contains(t, out, "MTTD p50/p90")
	assert.Contains(t, out, "30s/30s")
	assert.Contains(t, out, "2m/2m")

	// The trend chart page goes beside the newest run (equal starts: the
	// last given), drawn from both runs.
	page, err := os.ReadFile(filepath.Join(b, "trend.html"))
	require.NoError(t, err)
	assert.Contains(t, errOut, "firedrill: trend: "+filepath.Join(b, "trend.html"))
	assert.Equal(t, 2, strings.Count(string(page), `<svg class="trend"`), "times and score of the one drill")
	assert.Contains(t, string(page), "<title>run-a MTTD: 30s (target 5m)</title>")
	assert.Contains(t, string(page), "<title>run-b MTTD: 2m (target 5m)</title>")
	elsewhere := filepath.Join(base, "trend-elsewhere.html")
	code, _, errOut = runCLI(t, nil, nil, "report", "--trend", elsewhere, a, b)
	require.Equal(t, ExitOK, code, errOut)
	_, err = os.Stat(elsewhere)
	assert.NoError(t, err, "--trend names the file")

	code, _, errOut = runCLI(t, nil, nil, "report", filepath.Join(base, "missing"))
	assert.Equal(t, ExitBadInput, code)
	assert.Contains(t, errOut, "missing")
}

// watch prints each tick's firing alerts, from the configured rule files,
// against the real stack.
func TestWatchPrintsFiringAlerts(t *testing.T) {
	chdirRoot(t)
	stacktest.Provider(t, "docker")
	code, out, errOut := runCLI(t, nil, envOf(t), "watch", "--provider", "docker", "--config", "internal/cli/testdata/watch.yaml",
		"--clock", "compressed", "--for", "1m")
	require.Equal(t, ExitOK, code, errOut)
	assert.Contains(t, out, "T+0s  no alert firing")
	assert.Contains(t, out, "T+15s  no alert firing", "pending for its 30s first")
	assert.Contains(t, out, "T+30s  FIRING AppIsUp (P4)")
	assert.Contains(t, out, "T+1m0s  FIRING AppIsUp (P4)")
}
