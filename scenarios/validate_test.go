package scenarios

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/config"
)

// The validator reads a fault's table as the run does: a header row is
// fine, a parameter given twice is not.
func TestValidateReadsTablesAsTheRunDoes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		return p
	}
	cfg := config.Default()
	cfg.Monitoring.RuleFiles = nil
	good := write("good.feature", `Feature: f
  Scenario: s
    Given the stack is running
    When the fault "data-deletion" is injected with:
      | parameter | value   |
      | table     | content |
      | percent   | 30      |
    And the drill runs until the incident is resolved or 10 minutes pass
`)
	_, err := Validate([]string{good}, cfg, "../playbooks")
	assert.NoError(t, err)

	twice := write("twice.feature", `Feature: f
  Scenario: s
    Given the stack is running
    When the fault "data-deletion" is injected with:
      | percent | 30 |
      | percent | 40 |
    And the drill runs until the incident is resolved or 10 minutes pass
`)
	problems, err := Validate([]string{twice}, cfg, "../playbooks")
	require.ErrorIs(t, err, ErrInvalid)
	require.Len(t, problems, 1)
	assert.Equal(t, 4, problems[0].Line)
	assert.Contains(t, problems[0].Msg, `"percent" given twice`)
}

// validateText validates one feature, with the shipped rules and
// playbooks, and returns its problems as file:line: message lines.
func validateText(t *testing.T, feature string) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "drill.feature")
	require.NoError(t, os.WriteFile(path, []byte(feature), 0o644))
	cfg := config.Default()
	cfg.Monitoring.RuleFiles = []string{"../rules/default.rules.yml"}
	problems, err := Validate([]string{path}, cfg, "../playbooks")
	var out []string
	for _, p := range problems {
		require.ErrorIs(t, err, ErrInvalid)
		out = append(out, strings.TrimPrefix(p.String(), path))
	}
	return out
}

func TestValidateNamesAnAlertNoRuleFileDefines(t *testing.T) {
	t.Parallel()
	got := validateText(t, `Feature: f
  Scenario: the configuration's rule files
    Given the stack is running
    When the drill runs until the incident is resolved or 10 minutes pass
    Then the alert "NoSuchAlert" fires within 2 minutes
    And the alert "DatabaseConectionFailure" does not fire
    And the alert "HighErrorRate" does not fire

  Scenario: the feature's own rule files replace them
    Given the stack is running
    And the alert rules in "../internal/cli/testdata/always.rules.yml"
    When the drill runs until the incident is resolved or 10 minutes pass
    Then the alert "HighErrorRate" does not fire
`)
	require.Len(t, got, 3, got)
	assert.Equal(t, `:5: alert "NoSuchAlert" is defined by no rule file of this drill (defined in ../rules/default.rules.yml: `+
		`CompleteServiceOutage, HighErrorRate, DatabaseConnectionFailure, PaymentProcessingFailure, SecurityBreachDetected, `+
		`DataLossSuspected, PerformanceDegradation); name one of those, or add the rule file that defines it with `+
		"`Given the alert rules in \"FILE\"`", got[0])
	assert.Contains(t, got[1], `:6: alert "DatabaseConectionFailure" is defined by no rule file of this drill: did you mean "DatabaseConnectionFailure"?`)
	assert.Contains(t, got[2], `:13: alert "HighErrorRate" is defined by no rule file of this drill (defined in ../internal/cli/testdata/always.rules.yml: `)
}

func TestValidateRefusesThinkTimeWithoutAPlaybook(t *testing.T) {
	t.Parallel()
	got := validateText(t, `Feature: f
  Scenario: nobody
    Given the stack is running
    And the on-call responder acknowledges after 3 minutes

  Scenario: a person
    Given the on-call responder acknowledges after 90s
    And the on-call responder is a person

  Scenario: a playbook, given after
    Given the on-call responder acknowledges after 2m
    And the on-call responder runs playbook "db-recovery"
`)
	require.Len(t, got, 2, got)
	assert.Equal(t, ":4: think time without a playbook: no on-call responder of this scenario runs a playbook "+
		"(nobody answers its pages), so this step would be ignored; add `Given the on-call responder runs playbook \"NAME\"` "+
		"or remove this step", got[0])
	assert.Contains(t, got[1], ":7: think time without a playbook: no on-call responder of this scenario runs a playbook (a person acknowledges when they answer)")
}

func TestValidateBoundsTrafficAsTheRunDoes(t *testing.T) {
	t.Parallel()
	got := validateText(t, `Feature: f
  Scenario: s
    Given steady traffic of 100000000 requests per second
    And steady traffic of 1000 requests per second
    And steady traffic of 1000.5 requests per second
`)
	require.Len(t, got, 2, got)
	assert.Equal(t, ":3: steady traffic of 100000000 requests per second is above the bound of 1000: the traffic generator "+
		"sends every tick's requests for real on this machine (1000 per second × a 15s tick = 15000 requests a tick), "+
		"and must not become the fault; give at most 1000", got[0])
	assert.Contains(t, got[1], ":5: steady traffic of 1000.5 requests per second is above the bound of 1000")

	// The run's bound is the same constant.
	d := &Drill{}
	assert.NoError(t, d.SetTraffic(MaxTrafficRate))
	assert.ErrorContains(t, d.SetTraffic(MaxTrafficRate+0.5), "outside 0..1000")
}

// A sentence reworded out of the vocabulary is an error at its line, with
// the sentence it is nearest to; it never passes unchecked.
func TestValidateRefusesAnUnknownSentence(t *testing.T) {
	t.Parallel()
	got := validateText(t, `Feature: f
  Background:
    Given the stack is running
    And the on-call responder will run playbook "db-recovry"

  Scenario: one
    Then the alert "NoSuchAlert" fires in 2 minutes

  Scenario: two
    Then the drill meets its targets
`)
	require.Len(t, got, 2, got, "a background's problem is said once")
	assert.Equal(t, ":4: undefined step \"the on-call responder will run playbook \"db-recovry\"\"; did you mean "+
		"`Given the on-call responder runs playbook \"db-recovry\"`? (`firedrill list` prints the step vocabulary)", got[0])
	assert.Contains(t, got[1], ":7: undefined step \"the alert \"NoSuchAlert\" fires in 2 minutes\"; did you mean `Then the alert \"NoSuchAlert\" fires within 2 minutes`?")
}

// Every check a step defines runs in validation: a definition's check
// cannot be lost by rewording, since it belongs to the definition.
func TestValidateRunsEveryDefinitionsCheck(t *testing.T) {
	t.Parallel()
	bad := map[*Step]string{
		alertRules:         `the alert rules in "no/such.rules.yml"`,
		steadyTraffic:      `steady traffic of 5000 requests per second`,
		runsPlaybook:       `the on-call responder runs playbook "db-recovry"`,
		acknowledgesAfter:  `the on-call responder acknowledges after 3 minutes`,
		faultInjected:      `the fault "db-pool-exhausted" is injected`,
		faultInjectedWith:  `the fault "data-deletion" is injected with:` + "\n      | percent | 300 |",
		alertFires:         `the alert "Nope" fires within 2 minutes`,
		alertDoesNotFire:   `the alert "Nope" does not fire`,
		alertNotPaged:      `the alert "Nope" pages nobody`,
		alertIsNoise:       `the alert "Nope" fires with no fault`,
		alertmanagerConfig: `the Alertmanager configuration in "no/such/alertmanager.yml"`,
		teamOnCall:         "the team is on call\n    And the on-call responder is a person",
		receiverPagesRole:  `the receiver "database-pager" pages the role "dba"`,
		isPerson:           "the on-call responder is a person\n    And the on-call responder runs playbook \"db-recovery\"",
	}
	const runs = "the drill runs until the incident is resolved or 10 minutes pass"
	for _, s := range Steps() {
		if s.Check == nil {
			continue
		}
		text, ok := bad[s]
		require.True(t, ok, "no bad example for %q: add one", s.Pattern)
		// A drill of its shape: the step on line 3, before the run or,
		// for a Then step, after it.
		feature, at := "Feature: f\n  Scenario: s\n    Given "+text+"\n    When "+runs+"\n", ":3: "
		if s.Keyword == "Then" {
			feature, at = "Feature: f\n  Scenario: s\n    When "+runs+"\n    Then "+text+"\n", ":4: "
		}
		got := validateText(t, feature)
		assert.Len(t, got, 1, "%s: %v", text, got)
		for _, g := range got {
			assert.True(t, strings.HasPrefix(g, at), g)
		}
	}
}

// A drill is judged as a whole: a fault the drill never runs, Then steps
// with nothing happening or before what happens, and two assertions no run
// passes both are errors at the scenario's or the step's line, with what
// to do. A Background's steps are part of every scenario.
func TestValidateChecksTheDrillsShape(t *testing.T) {
	t.Parallel()
	const runs = "When the drill runs until the incident is resolved or 10 minutes pass"
	for name, tc := range map[string]struct {
		steps string
		want  []string
	}{
		"a fault the drill never runs": {
			steps: `    When the fault "db-pool-exhaustion" is injected
    Then the alert "DatabaseConnectionFailure" fires within 2 minutes`,
			want: []string{":4: the fault \"db-pool-exhaustion\" is injected but the drill never runs: nothing is detected or " +
				"measured after it, and every Then step fails; add `When the drill runs until the incident is resolved or 45 minutes pass` after it"},
		},
		"a fault in the Background the scenario never runs": {
			steps: `    Then the drill meets its targets`,
			want:  []string{":4: the fault \"db-pool-exhaustion\" is injected but the drill never runs"},
		},
		"Then steps and no When": {
			steps: `    Then the alert "HighErrorRate" does not fire
    And the drill meets its targets`,
			want: []string{":2: scenario \"s\": Then steps but no When step: nothing happens, so nothing can be judged; add " +
				"`When the fault \"NAME\" is injected` then `When the drill runs until the incident is resolved or 45 minutes pass` " +
				"(the latter alone for a steady-state drill)"},
		},
		"Then steps before the When steps": {
			steps: `    Then the alert "HighErrorRate" does not fire
    And the drill meets its targets
    When the fault "error-spike" is injected
    And ` + runs[5:],
			want: []string{":4: Then step before the When step at line 6: Then steps judge what the When steps did, so here " +
				"it judges a drill that has not happened yet; move it after the last When step (line 7)"},
		},
		"a Then step between the fault and the run": {
			steps: `    When the fault "error-spike" is injected
    Then the alert "HighErrorRate" fires within 2 minutes
    ` + runs,
			want: []string{":5: Then step before the When step at line 6"},
		},
		"fires and does not fire": {
			steps: `    ` + runs + `
    Then the alert "HighErrorRate" fires within 2 minutes
    And the incident is declared as P2
    And the alert "HighErrorRate" does not fire`,
			want: []string{":7: `Then the alert \"HighErrorRate\" does not fire` contradicts line 5 (`Then the alert \"HighErrorRate\" " +
				"fires within 2 minutes`): no run passes both, so the drill always fails; keep the one this drill means"},
		},
		"does not fire, then pages nobody": {
			steps: `    ` + runs + `
    Then the alert "HighErrorRate" does not fire
    And the alert "HighErrorRate" pages nobody`,
			want: []string{":6: `Then the alert \"HighErrorRate\" pages nobody` contradicts line 5 (`Then the alert \"HighErrorRate\" does not fire`)"},
		},
		// What is fine stays fine.
		"a steady-state drill": {
			steps: `    ` + runs + `
    Then the alert "HighErrorRate" does not fire
    And the alert "CompleteServiceOutage" does not fire`,
		},
		"a fault and a run with no Then": {
			steps: `    When the fault "error-spike" is injected
    ` + runs,
		},
		"only Given steps": {
			steps: `    Given steady traffic of 20 requests per second`,
		},
		"fires, about two alerts": {
			steps: `    When the fault "error-spike" is injected
    ` + runs + `
    Then the alert "HighErrorRate" fires within 2 minutes
    And the alert "CompleteServiceOutage" does not fire
    And the alert "HighErrorRate" pages nobody`,
		},
		// An undefined step may be the missing When: its own problem is
		// said, the shape is judged once it is fixed.
		"an undefined step": {
			steps: `    When the drill runs until it is resolved
    Then the drill meets its targets`,
			want: []string{":4: undefined step"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			feature := "Feature: f\n  Scenario: s\n    Given the stack is running\n" + tc.steps + "\n"
			if strings.Contains(name, "Background") {
				feature = "Feature: f\n  Background:\n    Given the stack is running\n    When the fault \"db-pool-exhaustion\" is injected\n\n" +
					"  Scenario: s\n" + tc.steps + "\n\n  Scenario: t\n" + tc.steps + "\n"
			}
			got := validateText(t, feature)
			require.Len(t, got, len(tc.want), "%v", got)
			for i, w := range tc.want {
				assert.True(t, strings.HasPrefix(got[i], w), "got  %s\nwant %s", got[i], w)
			}
		})
	}
}

// A directory with no .feature file is an error naming it, not a pass
// that checked nothing; a directory with one is read as before.
func TestValidateRefusesADirectoryWithNoFeature(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	empty, drills := filepath.Join(dir, "empty"), filepath.Join(dir, "drills")
	require.NoError(t, os.MkdirAll(filepath.Join(empty, "sub"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(drills, "sub"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(drills, "sub", "a.feature"), nil, 0o644))
	for name, tc := range map[string]struct {
		paths []string
		want  string
	}{
		"empty":             {[]string{empty}, empty + ": no .feature file in this directory or below it"},
		"one of two, empty": {[]string{drills, empty}, empty + ": no .feature file"},
		"one below":         {[]string{drills}, ""},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			files, err := FeatureFiles(tc.paths)
			if tc.want == "" {
				require.NoError(t, err)
				assert.Equal(t, []string{filepath.Join(drills, "sub", "a.feature")}, files)
				return
			}
			require.ErrorIs(t, err, ErrInvalid)
			assert.ErrorContains(t, err, tc.want)
			_, err = Validate(tc.paths, config.Default(), "../playbooks")
			assert.ErrorContains(t, err, tc.want, "validation says so too")
		})
	}
}

// Several faults in one drill are by design, not a mistake of shape: the
// engine keeps T0 at the first, the incident is what they caused together,
// and it recovers them in reverse order (engine.Inject, engine.Recover);
// the game-day facilitator injects more as the drill goes. validate
// accepts them.
func TestValidateAcceptsSeveralFaults(t *testing.T) {
	t.Parallel()
	assert.Empty(t, validateText(t, `Feature: f
  Scenario: a cascade
    Given the stack is running
    When the fault "cache-loss" is injected
    And the fault "error-spike" is injected with:
      | percent | 20 |
    And the drill runs until the incident is resolved or 10 minutes pass
    Then the alert "HighErrorRate" fires within 5 minutes
`))
}

// A misspelt fault gets the nearest name, as a misspelt step does.
func TestValidateSuggestsTheNearestFault(t *testing.T) {
	t.Parallel()
	got := validateText(t, "Feature: f\n  Scenario: s\n    When the fault \"db-pool-exhausted\" is injected\n"+
		"    And the drill runs until the incident is resolved or 10 minutes pass\n")
	require.Len(t, got, 1)
	assert.Contains(t, got[0], `unknown fault`)
	assert.Contains(t, got[0], `did you mean "db-pool-exhaustion"?`)
}
