package scenarios

import (
	"io"
	"testing"

	"github.com/cucumber/godog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/reports"
)

// Every Then step of a scenario (And and But after Then included) is
// recorded with how it ended, in the feature's order: the one that failed
// with its message, the ones godog never reached as skipped. Given and
// When steps are not checks. No stack is needed: a Then step before the
// drill ran fails at once.
func TestDrillRecordsItsThenSteps(t *testing.T) {
	cfg := config.Default()
	cfg.Monitoring.RuleFiles = []string{"../rules/default.rules.yml"}
	suite := NewSuite(Options{Config: cfg, PlaybookDir: "../playbooks"})
	feature := `Feature: then steps
  Scenario: a Then step fails before the drill ran
    Given steady traffic of 5 requests per second
    Then MTTD is at most 5 minutes
    And no data is lost
    But MTTR is at most 60 minutes

  Scenario: an undefined Then step
    Given steady traffic of 5 requests per second
    And the alert rules in "../rules/default.rules.yml"
    Then the moon turns blue
    And MTTA is at most 15 minutes

  Scenario: no Then step
    Given steady traffic of 5 requests per second
`
	ts := godog.TestSuite{
		ScenarioInitializer: suite.InitializeScenario,
		Options: &godog.Options{
			Format: "progress", Output: io.Discard, Strict: true,
			FeatureContents: []godog.Feature{{Name: "then.feature", Contents: []byte(feature)}},
		},
	}
	assert.NotZero(t, ts.Run())
	drills := map[string]reports.Drill{}
	for _, d := range suite.Result().Drills {
		drills[d.Scenario] = d
	}
	require.Len(t, drills, 3)

	failed := drills["a Then step fails before the drill ran"]
	assert.Equal(t, reports.Errored, failed.Status, "it could not run: no When step")
	require.Len(t, failed.Checks, 3)
	assert.Equal(t, reports.Check{Step: "MTTD is at most 5 minutes", Status: "failed",
		Error: `the drill has not run: add "When the drill runs until the incident is resolved or 45 minutes pass"`}, failed.Checks[0],
		"the message without the 'expectation not met' prefix: the status says it")
	assert.Equal(t, reports.Check{Step: "no data is lost", Status: "skipped"}, failed.Checks[1])
	assert.Equal(t, reports.Check{Step: "MTTR is at most 60 minutes", Status: "skipped"}, failed.Checks[2])
	assert.Equal(t, failed.Checks[0].Error, failed.Why(), "the failed Then step is why the drill failed")

	undefined := drills["an undefined Then step"]
	require.Len(t, undefined.Checks, 2, "Given steps, And after Given included, are not checks")
	assert.Equal(t, "the moon turns blue", undefined.Checks[0].Step)
	assert.Equal(t, "undefined", undefined.Checks[0].Status)
	assert.Equal(t, "skipped", undefined.Checks[1].Status)
	assert.NotEmpty(t, undefined.Why())

	assert.Empty(t, drills["no Then step"].Checks)
}
