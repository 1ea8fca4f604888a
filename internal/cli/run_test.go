package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/internal/stacktest"
	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/scenarios"
	"github.com/firedrill/firedrill/scorer"
	"github.com/firedrill/firedrill/stack/mocks"
)

// chdirRoot runs the test from the repository root, where rule files and
// playbooks are found, as a user runs firedrill.
func chdirRoot(t *testing.T) {
	t.Helper()
	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	t.Chdir(root)
}

// Each bad input fails validation with its file and line, exit 2, and
// nothing starts: the mock stack allows no call.
func TestValidateRejectsBadInputWithFileAndLine(t *testing.T) {
	chdirRoot(t)
	cases := map[string]string{
		"internal/cli/testdata/bad/unknown_step.feature":     "internal/cli/testdata/bad/unknown_step.feature:4: undefined step \"the moon turns blue\"",
		"internal/cli/testdata/bad/unknown_fault.feature":    "internal/cli/testdata/bad/unknown_fault.feature:4: new fault \"db-pool-exhausted\": unknown fault",
		"internal/cli/testdata/bad/unknown_playbook.feature": "internal/cli/testdata/bad/unknown_playbook.feature:4: unknown playbook \"db-recovry\"",
		"internal/cli/testdata/bad/bad_parameter.feature":    "internal/cli/testdata/bad/bad_parameter.feature:4: new fault \"data-deletion\": bad parameter: percent = \"300\"",
		"internal/cli/testdata/bad/invalid_promql.feature":   "internal/cli/testdata/bad_rules.yml:5:",
		"internal/cli/testdata/bad/unknown_alert.feature": "internal/cli/testdata/bad/unknown_alert.feature:6: alert \"NoSuchAlert\" is defined by no rule file of this drill " +
			"(defined in rules/default.rules.yml: CompleteServiceOutage, HighErrorRate, DatabaseConnectionFailure",
		"internal/cli/testdata/bad/think_time_without_playbook.feature": "internal/cli/testdata/bad/think_time_without_playbook.feature:4: " +
			"think time without a playbook: no on-call responder of this scenario runs a playbook (nobody answers its pages)",
		"internal/cli/testdata/bad/too_much_traffic.feature": "internal/cli/testdata/bad/too_much_traffic.feature:4: " +
			"steady traffic of 100000000 requests per second is above the bound of 1000: the traffic generator sends every tick's requests for real",
		"internal/cli/testdata/bad/then_before_when.feature": "internal/cli/testdata/bad/then_before_when.feature:4: " +
			"Then step before the When step at line 5",
		"internal/cli/testdata/bad/contradicting_alerts.feature": "internal/cli/testdata/bad/contradicting_alerts.feature:7: " +
			"`Then the alert \"HighErrorRate\" does not fire` contradicts line 6",
		"internal/cli/testdata/bad/reworded_step.feature": "internal/cli/testdata/bad/reworded_step.feature:4: " +
			"undefined step \"the alert \"HighErrorRate\" fires in 2 minutes\"; did you mean `Then the alert \"HighErrorRate\" fires within 2 minutes`?",
	}
	for file, want := range cases {
		t.Run(filepath.Base(file), func(t *testing.T) {
			for _, cmd := range []string{"validate", "run"} {
				p := mocks.NewStack(t)
				code, _, errOut := runCLI(t, p, nil, cmd, file)
				assert.Equal(t, ExitBadInput, code, "%s: %s", cmd, errOut)
				assert.Contains(t, errOut, want, cmd)
			}
		})
	}
	t.Run("malformed config", func(t *testing.T) {
		p := mocks.NewStack(t)
		code, _, errOut := runCLI(t, p, nil, "validate", "--config", "internal/cli/testdata/bad_config.yaml")
		assert.Equal(t, ExitBadInput, code)
		assert.Contains(t, errOut, "internal/cli/testdata/bad_config.yaml:")
		assert.Contains(t, errOut, "did not find expected")
	})
	t.Run("the shipped drills are valid", func(t *testing.T) {
		code, out, errOut := runCLI(t, mocks.NewStack(t), nil, "validate")
		assert.Equal(t, ExitOK, code, errOut)
		shipped, err := scenarios.FeatureFiles([]string{"features"})
		require.NoError(t, err)
		assert.Contains(t, out, fmt.Sprintf("ok: %d feature file(s)", len(shipped)))
	})
}

// Nothing to check is bad input, not "ok": a features directory with no
// .feature file, and a --playbooks directory that is not there (the
// shipped playbooks would stand in for it unseen). Both commands exit 2
// and nothing starts.
func TestValidateAndRunRefuseNothingToCheck(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "features", "empty"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "playbooks"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "features", "notes.txt"), []byte("no drill\n"), 0o644))
	t.Chdir(dir)
	noFeature := "features: no .feature file in this directory or below it, so there is no drill to validate or run; " +
		"write one there (`firedrill init` scaffolds one), or name another path"
	for name, tc := range map[string]struct {
		args []string
		want string
	}{
		"the default directory, empty": {nil, "invalid drill: " + noFeature},
		"a directory named, empty":     {[]string{"features/empty"}, "invalid drill: features/empty: no .feature file in this directory"},
		"a missing playbooks directory": {[]string{"--playbooks", "nope"}, "usage: --playbooks nope: no such directory; " +
			"name the directory of your playbook YAML files, or leave --playbooks out for ./playbooks and the shipped playbooks"},
		"a file as the playbooks directory": {[]string{"--playbooks", "features/notes.txt"}, "--playbooks features/notes.txt: not a directory"},
	} {
		t.Run(name, func(t *testing.T) {
			for _, cmd := range []string{"validate", "run"} {
				code, out, errOut := runCLI(t, mocks.NewStack(t), nil, append([]string{cmd}, tc.args...)...)
				assert.Equal(t, ExitBadInput, code, "%s: %s", cmd, errOut)
				assert.Contains(t, errOut, tc.want, cmd)
				assert.NotContains(t, out, "ok:", cmd)
			}
		})
	}

	// The default playbooks directory may be missing: the shipped ones are
	// the playbooks, as before.
	require.NoError(t, os.Remove("playbooks"))
	require.NoError(t, os.WriteFile(filepath.Join("features", "steady.feature"), []byte("Feature: f\n  Scenario: s\n"+
		"    Given the stack is running\n    When the drill runs until the incident is resolved or 10 minutes pass\n"), 0o644))
	code, out, errOut := runCLI(t, mocks.NewStack(t), nil, "validate", "features/steady.feature")
	require.Equal(t, ExitOK, code, errOut)
	assert.Contains(t, out, "ok: 1 feature file(s) from features/steady.feature; playbooks: 0 in playbooks")
}

// The scorer can fail: a drill nobody answers is detected but never
// acknowledged or resolved, and a 20-minute ack misses the 15-minute MTTA.
func TestRunScoresMissedResponses(t *testing.T) {
	chdirRoot(t)
	stacktest.Provider(t, "docker")
	out := t.TempDir()
	code, stdout, errOut := runCLI(t, nil, envOf(t), "run", "internal/cli/testdata/drills", "--provider", "docker", "--out", out)
	require.Equal(t, ExitFailed, code, "stdout:\n%s\nstderr:\n%s", stdout, errOut)
	assert.Contains(t, stdout, "report: "+filepath.Join(out, "report.html"))

	res, err := reports.ReadResultFile(filepath.Join(out, "result.json"))
	require.NoError(t, err)
	require.Len(t, res.Drills, 2)
	byName := map[string]reports.Drill{}
	for _, d := range res.Drills {
		byName[d.Scenario] = d
	}

	nobody := byName["Nobody answers the page"]
	assert.Equal(t, reports.Failed, nobody.Status, nobody.Error)
	require.NotNil(t, nobody.Verdict)
	_, detected := nobody.Verdict.MTTD.Get()
	assert.True(t, detected, "the incident is detected")
	_, acked := nobody.Verdict.MTTA.Get()
	_, resolved := nobody.Verdict.MTTR.Get()
	assert.False(t, acked, "never acknowledged")
	assert.False(t, resolved, "never resolved")
	for _, id := range []string{scorer.IDMTTA, scorer.IDMTTR} {
		c, ok := nobody.Verdict.Criterion(id)
		require.True(t, ok, id)
		assert.Equal(t, scorer.StatusMissing, c.Status, id)
	}
	assert.Less(t, nobody.Verdict.Score, 100.0)

	slow := byName["The on-call takes 20 minutes to acknowledge"]
	require.NotNil(t, slow.Verdict, slow.Error)
	mtta, ok := slow.Verdict.MTTA.Get()
	require.True(t, ok, "acknowledged: %s", slow.Error)
	// The page waits the default routing's group_wait (30s) after
	// detection; the on-call then thinks 20 minutes.
	assert.InDelta(t, (20*time.Minute + 30*time.Second).Seconds(), mtta.Seconds(), res.Environment.Tick.Seconds(),
		"MTTA is group_wait plus the declared think time, to one tick")
	c, ok := slow.Verdict.Criterion(scorer.IDMTTA)
	require.True(t, ok)
	assert.Equal(t, scorer.StatusLate, c.Status)
	assert.Equal(t, reports.Failed, slow.Status)
}
