package scenarios

import (
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/cucumber/godog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/config"
)

const mineRules = `groups:
  - name: mine
    rules:
      - alert: Mine
        expr: vector(1)
        labels:
          severity: P4
        annotations:
          summary: always
`

const mineRouting = `route:
  receiver: on-call
receivers:
  - name: on-call
`

// besideFeature lays out a feature directory with its rules and
// Alertmanager configuration beside the feature, and moves the working
// directory elsewhere: the layout of a team's repository validated or run
// from another directory. It returns the feature's directory and the
// working directory, both absolute and free of symbolic links.
func besideFeature(t *testing.T, feature string) (dir, wd string) {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	dir, wd = filepath.Join(root, "drills"), filepath.Join(root, "elsewhere")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "rules"), 0o755))
	require.NoError(t, os.MkdirAll(wd, 0o755))
	for name, text := range map[string]string{
		"rules/mine.rules.yml": mineRules,
		"alertmanager.yml":     mineRouting,
		"drill.feature":        feature,
	} {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	t.Chdir(wd)
	return dir, wd
}

func TestResolvePathLooksFromTheWorkingDirectoryThenBesideTheFeature(t *testing.T) {
	dir, wd := besideFeature(t, "Feature: f\n")
	feature := filepath.Join(dir, "drill.feature")

	got, err := resolvePath(feature, "rule file", "rules/mine.rules.yml")
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "rules/mine.rules.yml"), got, "not in the working directory: beside the feature")

	got, err = resolvePath(feature+":12", "rule file", "rules/mine.rules.yml")
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(dir, "rules/mine.rules.yml"), got, "godog's file:line is still the feature's directory")

	// The working directory's file wins: every feature written before
	// names its files from there, and keeps reading the same file.
	require.NoError(t, os.MkdirAll(filepath.Join(wd, "rules"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(wd, "rules/mine.rules.yml"), []byte(mineRules), 0o644))
	got, err = resolvePath(feature, "rule file", "rules/mine.rules.yml")
	require.NoError(t, err)
	assert.Equal(t, "rules/mine.rules.yml", got, "as written")

	got, err = resolvePath(feature, "rule file", "rules/default.rules.yml")
	require.NoError(t, err)
	assert.Equal(t, "rules/default.rules.yml", got, "on disk nowhere, but shipped: the loader reads the binary's copy")

	_, err = resolvePath(feature, "rule file", "rules/x.yml")
	require.Error(t, err)
	assert.Equal(t, `rule file "rules/x.yml" not found: looked in `+filepath.Join(wd, "rules/x.yml")+
		" and "+filepath.Join(dir, "rules/x.yml"), err.Error())

	_, err = resolvePath(feature, "Alertmanager configuration", "/no/such/alertmanager.yml")
	require.Error(t, err)
	assert.Equal(t, `Alertmanager configuration "/no/such/alertmanager.yml" not found: looked in /no/such/alertmanager.yml`,
		err.Error(), "an absolute path is looked for once")

	_, err = resolvePath("drill.feature", "rule file", "x.yml")
	require.Error(t, err)
	assert.Equal(t, `rule file "x.yml" not found: looked in `+filepath.Join(wd, "x.yml"), err.Error(),
		"a feature in the working directory: one place")
}

// validate reads the files a feature names beside it, from any working
// directory, and says where it looked for one it cannot find.
func TestValidateFindsFilesBesideTheFeature(t *testing.T) {
	playbooks, err := filepath.Abs("../playbooks")
	require.NoError(t, err)
	dir, wd := besideFeature(t, `Feature: f
  Scenario: its own files
    Given the stack is running
    And the alert rules in "rules/mine.rules.yml"
    And the Alertmanager configuration in "alertmanager.yml"
    When the drill runs until the incident is resolved or 10 minutes pass
    Then the alert "Mine" fires with no fault

  Scenario: a file nowhere
    Given the stack is running
    And the alert rules in "rules/x.yml"
    And the Alertmanager configuration in "am.yml"
    When the drill runs until the incident is resolved or 10 minutes pass
`)
	feature := filepath.Join(dir, "drill.feature")
	problems, err := Validate([]string{feature}, config.Default(), playbooks)
	require.ErrorIs(t, err, ErrInvalid)
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	assert.Equal(t, []string{
		feature + `:11: rule file "rules/x.yml" not found: looked in ` + filepath.Join(wd, "rules/x.yml") + " and " + filepath.Join(dir, "rules/x.yml"),
		feature + `:12: Alertmanager configuration "am.yml" not found: looked in ` + filepath.Join(wd, "am.yml") + " and " + filepath.Join(dir, "am.yml"),
	}, got, "the first scenario is valid: its rules define Mine")

	// The same feature named relative to the working directory.
	problems, _ = Validate([]string{"../drills/drill.feature"}, config.Default(), playbooks)
	require.Len(t, problems, 2, problems)
	assert.Equal(t, 11, problems[0].Line)
	assert.Contains(t, problems[0].Msg, "and "+filepath.Join(dir, "rules/x.yml"))
}

// A run reads the files validation found: the step's check passes, and
// the drill keeps the file beside the feature for its engine.
func TestARunFindsFilesBesideTheFeature(t *testing.T) {
	playbooks, err := filepath.Abs("../playbooks")
	require.NoError(t, err)
	dir, _ := besideFeature(t, `Feature: f
  Scenario: its own files
    Given the alert rules in "rules/mine.rules.yml"
    And the Alertmanager configuration in "alertmanager.yml"
    Then the alert "Mine" does not fire
`)
	feature := filepath.Join(dir, "drill.feature")
	suite := NewSuite(Options{Config: config.Default(), PlaybookDir: playbooks})
	ts := godog.TestSuite{
		ScenarioInitializer: suite.InitializeScenario,
		Options:             &godog.Options{Format: "progress", Output: io.Discard, Strict: true, Paths: []string{feature}},
	}
	assert.NotZero(t, ts.Run(), "no stack: the Then step cannot pass")
	drills := suite.Result().Drills
	require.Len(t, drills, 1)
	require.Len(t, drills[0].Checks, 1)
	assert.Contains(t, drills[0].Checks[0].Error, "the drill has not run",
		"the Given steps found their files, and the Then step's check found Mine in them")

	d := newDrill(suite, &godog.Scenario{Uri: feature})
	require.NoError(t, d.AddRuleFile("rules/mine.rules.yml"))
	require.NoError(t, d.SetAlertmanagerConfig("alertmanager.yml"))
	assert.Equal(t, []string{filepath.Join(dir, "rules/mine.rules.yml")}, d.ruleFiles)
	assert.Equal(t, filepath.Join(dir, "alertmanager.yml"), d.alertmanager)
	err = d.AddRuleFile("rules/x.yml")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `rule file "rules/x.yml" not found: looked in `)
}
