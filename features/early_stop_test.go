package features

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cucumber/godog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/internal/stacktest"
	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/scenarios"
)

// nobodyAnswers is the drill teams ask of their monthly page: what if
// nobody answers? Its outcome is decided once the alert fires (nobody can
// acknowledge or resolve), twice: once stopping early, once to the limit.
const nobodyAnswers = "Feature: Nobody answers the page\n" +
	"  Scenario: Stops once decided\n" + unansweredSteps +
	"\n  @run-to-limit\n  Scenario: Runs to its limit\n" + unansweredSteps

const unansweredSteps = `    Given the stack is running
    And the alert rules in "rules/default.rules.yml"
    And steady traffic of 20 requests per second
    When the fault "error-spike" is injected with:
      | percent | 50 |
    And the drill runs until the incident is resolved or 40 minutes pass
    Then the alert "HighErrorRate" fires within 7 minutes
    And MTTA is not measured
    And the service recovers within 30 minutes
    And the drill meets its targets
`

// A drill whose outcome is decided stops early, says so on its timeline,
// and is judged exactly as the same drill run to its limit.
func TestDecidedDrillStopsEarlyWithTheSameVerdicts(t *testing.T) {
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	t.Chdir(root)
	feature := filepath.Join(t.TempDir(), "nobody.feature")
	require.NoError(t, os.WriteFile(feature, []byte(nobodyAnswers), 0o644))
	cfg, err := config.Load("", os.Getenv)
	require.NoError(t, err)
	stacktest.Provider(t, cfg.Stack.Provider)
	suite := scenarios.NewSuite(scenarios.Options{Config: cfg, Progress: func(f string, a ...any) { t.Logf(f, a...) }})
	t.Cleanup(func() { _ = suite.Close(context.Background()) })
	godog.TestSuite{
		ScenarioInitializer: suite.InitializeScenario,
		Options:             &godog.Options{Format: "progress", Output: io.Discard, Paths: []string{feature}, Strict: true},
	}.Run()

	drills := suite.Result().Drills
	require.Len(t, drills, 2)
	early, full := drills[0], drills[1]
	require.Equal(t, "Stops once decided", early.Scenario)

	stopped := lastNote(early.Timeline)
	assert.True(t, strings.HasPrefix(stopped.Subject, "stopped early"), "the timeline says why: %q", stopped.Subject)
	assert.Contains(t, stopped.Subject, "nobody is on call")
	assert.Equal(t, "time limit reached", lastNote(full.Timeline).Subject)
	t0 := first(t, early.Timeline, incident.FaultInjected).Drill
	fired := first(t, early.Timeline, incident.AlertFiring).Drill
	assert.Equal(t, fired, stopped.Drill, "decided at the tick the alert fired: nobody can answer, every other criterion is final")
	assert.Less(t, stopped.Drill-t0, 40*time.Minute)
	// T0 falls between ticks (a fault acts at once), the limit on one.
	assert.InDelta(t, (40 * time.Minute).Seconds(), (lastNote(full.Timeline).Drill - first(t, full.Timeline, incident.FaultInjected).Drill).Seconds(), 15)

	require.NotNil(t, early.Verdict)
	require.NotNil(t, full.Verdict)
	// The two runs' T0s fall at slightly different moments between ticks.
	assert.InDelta(t, full.Verdict.Score, early.Verdict.Score, 0.1)
	assert.InDelta(t, full.Verdict.MTTD.Value.Seconds(), early.Verdict.MTTD.Value.Seconds(), 15)
	assert.Equal(t, full.Verdict.MTTA, early.Verdict.MTTA)
	assert.Equal(t, full.Verdict.MTTR, early.Verdict.MTTR)
	t.Logf("stopped early: %s of wall time; to the limit: %s", time.Duration(early.Timing.Wall), time.Duration(full.Timing.Wall))
	assert.Equal(t, full.Status, early.Status)
	assert.Equal(t, reports.Failed, early.Status, "nobody answered: the targets are missed")
	require.Len(t, early.Checks, 4)
	for i := range early.Checks {
		assert.Equal(t, full.Checks[i].Status, early.Checks[i].Status, early.Checks[i].Step)
	}
	assert.Equal(t, "passed", early.Checks[0].Status, "the alert fired")
	assert.Equal(t, "failed", early.Checks[2].Status, "nothing recovers")
}

func lastNote(ms []incident.Milestone) incident.Milestone {
	var out incident.Milestone
	for _, m := range ms {
		if m.Kind == incident.Note && m.Actor == "drill" {
			out = m
		}
	}
	return out
}

func first(t *testing.T, ms []incident.Milestone, kind incident.Kind) incident.Milestone {
	t.Helper()
	for _, m := range ms {
		if m.Kind == kind {
			return m
		}
	}
	t.Fatalf("no %s on the timeline", kind)
	return incident.Milestone{}
}
