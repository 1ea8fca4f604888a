package scenarios

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/incident"
)

// The sentences of DESIGN.md's vocabulary, exactly as written there: a
// public API, so each must match exactly one step.
var designSentences = []string{
	`the stack is running`,
	`the alert rules in "rules/default.rules.yml"`,
	`steady traffic of 20 requests per second`,
	`the on-call responder runs playbook "db-recovery"`,
	`the on-call responder acknowledges after 3 minutes`,
	`the on-call responder is a person`,
	`the fault "db-pool-exhaustion" is injected`,
	`the fault "data-deletion" is injected with:`,
	`the drill runs until the incident is resolved or 45 minutes pass`,
	`the alert "DatabaseConnectionFailure" fires within 2 minutes`,
	`the alert "HighErrorRate" does not fire`,
	`the incident is declared as P1`,
	`the incident is acknowledged within 5 minutes`,
	`the service recovers within 30 minutes`,
	`MTTD is at most 5 minutes`,
	`MTTA is at most 15 minutes`,
	`MTTR is at most 60 minutes`,
	`the drill meets its targets`,
	`no data is lost`,
}

func matching(text string) []*Step {
	var out []*Step
	for _, s := range Steps() {
		if s.Regexp().MatchString(text) {
			out = append(out, s)
		}
	}
	return out
}

func TestEveryDesignSentenceMatchesOneStep(t *testing.T) {
	t.Parallel()
	for _, s := range designSentences {
		assert.Len(t, matching(s), 1, s)
	}
	// Each example is its own sentence, keyword first.
	for _, s := range Steps() {
		require.True(t, strings.HasPrefix(s.Example, s.Keyword+" "), s.Example)
		assert.Equal(t, []*Step{s}, matching(strings.TrimPrefix(s.Example, s.Keyword+" ")), s.Example)
	}
}

func TestDurationsReadEitherWay(t *testing.T) {
	t.Parallel()
	for _, d := range []string{"2 minutes", "90 seconds", "1 hour", "2m", "90s", "1h30m", "1.5 hours"} {
		assert.Len(t, matching(`the alert "X" fires within `+d), 1, d)
		assert.Len(t, matching(`the drill runs until the incident is resolved or `+d+` pass`), 1, d)
	}
	assert.Empty(t, matching(`the alert "X" fires within soon`))
}

func TestTableParams(t *testing.T) {
	t.Parallel()
	row := func(k, v string) *messages.PickleTableRow {
		return &messages.PickleTableRow{Cells: []*messages.PickleTableCell{{Value: k}, {Value: v}}}
	}
	got, err := tableParams(&godog.Table{Rows: []*messages.PickleTableRow{row("parameter", "value"), row("table", "content"), row("percent", "30")}})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"table": "content", "percent": "30"}, got)
	for _, header := range [][2]string{{"name", "value"}, {"Key", "Value"}} {
		got, err = tableParams(&godog.Table{Rows: []*messages.PickleTableRow{row(header[0], header[1]), row("percent", "30")}})
		require.NoError(t, err)
		assert.Equal(t, map[string]string{"percent": "30"}, got, "a %v header row is skipped", header)
	}

	_, err = tableParams(&godog.Table{Rows: []*messages.PickleTableRow{row("percent", "30"), row("percent", "40")}})
	assert.ErrorContains(t, err, `"percent" given twice`)
	_, err = tableParams(&godog.Table{Rows: []*messages.PickleTableRow{{Cells: []*messages.PickleTableCell{{Value: "x"}}}}})
	assert.ErrorContains(t, err, "two cells")
}

func TestCompareStatesNamesEveryLoss(t *testing.T) {
	t.Parallel()
	before := map[string]tableState{"public.content": {10, "a"}, "public.users": {5, "b"}, "public.payments": {3, "c"}}
	assert.NoError(t, compareStates(before, before))
	err := compareStates(before, map[string]tableState{"public.content": {7, "x"}, "public.users": {5, "changed"}})
	require.ErrorIs(t, err, ErrAssertion)
	assert.Contains(t, err.Error(), "public.content has 7 rows, had 10")
	assert.Contains(t, err.Error(), "public.users has its 5 rows but their content changed")
	assert.Contains(t, err.Error(), "public.payments is gone")
}

// Each placeholder parses into its typed argument, durations either way.
func TestArgumentsAreTyped(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]time.Duration{
		"2 minutes": 2 * time.Minute, "90 seconds": 90 * time.Second, "1 hour": time.Hour,
		"2m": 2 * time.Minute, "90s": 90 * time.Second, "1 hour 30 minutes": 90 * time.Minute,
	} {
		m := matchStep(`the alert "HighErrorRate" fires within `+text, nil)
		require.Same(t, alertFires, m.step, text)
		require.NoError(t, m.err, text)
		assert.Equal(t, []string{"HighErrorRate"}, m.args.Strings, text)
		assert.Equal(t, []time.Duration{want}, m.args.Durations, text)
	}
	m := matchStep(`steady traffic of 2.5 requests per second`, nil)
	require.Same(t, steadyTraffic, m.step)
	assert.Equal(t, []float64{2.5}, m.args.Numbers)
	m = matchStep(`the incident is declared as P2`, nil)
	assert.Equal(t, incident.P2, m.args.Severity)
	m = matchStep(`MTTA is at most 15 minutes`, nil)
	assert.Equal(t, "MTTA", m.args.Measure)

	// A duration the pattern takes but no unit it knows: the parse says so.
	m = matchStep(`the drill runs until the incident is resolved or 2 fortnights pass`, nil)
	require.Same(t, drillRuns, m.step)
	assert.ErrorContains(t, m.err, `unknown unit "fortnights"`)
}

// A definition's mistakes are found when the package loads, not when a
// drill happens to use the sentence.
func TestDefineRefusesAMistakenDefinition(t *testing.T) {
	t.Parallel()
	do := func(context.Context, *Drill, Args) error { return nil }
	before := len(Steps())
	assert.PanicsWithValue(t, `step "the {colour} alert": unknown placeholder {colour}`, func() {
		define(&Step{Keyword: "Then", Pattern: `the {colour} alert`, Example: "Then the red alert", Do: do})
	})
	assert.Panics(t, func() {
		define(&Step{Keyword: "Then", Pattern: `the (red|blue) alert`, Example: "Then the red alert", Do: do})
	}, "a capturing group of its own would shift the arguments")
	assert.Panics(t, func() {
		define(&Step{Keyword: "Then", Pattern: noDataLost.Pattern, Example: "Then no data is lost", Do: do})
	}, "defined twice")
	assert.Panics(t, func() { define(&Step{Keyword: "Then", Pattern: `the sky falls`, Example: "Then the sky falls"}) })
	assert.Len(t, Steps(), before, "the panics left the registry as it was")
}

func TestUndefinedSuggestsTheNearestSentence(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "undefined step \"the alert \"HighErrorRate\" fires in 2 minutes\"; did you mean "+
		"`Then the alert \"HighErrorRate\" fires within 2 minutes`? (`firedrill list` prints the step vocabulary)",
		undefined(`the alert "HighErrorRate" fires in 2 minutes`))
	assert.Contains(t, undefined(`the on-call responder acknowledge after 3 minutes`),
		"did you mean `Given the on-call responder acknowledges after 3 minutes`?")
	assert.Contains(t, undefined(`the incident is declared as P5`), "did you mean `Then the incident is declared as P1`?")
	assert.Equal(t, "undefined step \"the moon turns blue\" (`firedrill list` prints the step vocabulary)",
		undefined(`the moon turns blue`), "nothing near: no guess")
}

func TestLevenshtein(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		a, b string
		want int
	}{{"", "", 0}, {"abc", "", 3}, {"kitten", "sitting", 3}, {"flaw", "lawn", 2}, {"één", "een", 2}} {
		assert.Equal(t, c.want, levenshtein(c.a, c.b), "%s/%s", c.a, c.b)
		assert.Equal(t, c.want, levenshtein(c.b, c.a), "%s/%s", c.b, c.a)
	}
	assert.Equal(t, "DatabaseConnectionFailure", Nearest("DatabaseConectionFailure", []string{"HighErrorRate", "DatabaseConnectionFailure"}))
	assert.Equal(t, "", Nearest("NoSuchAlert", []string{"HighErrorRate", "DatabaseConnectionFailure"}))
}

// A run refuses a step as validation does, from the same check, and
// godog calls the definitions with their typed arguments: no stack is
// needed for either.
func TestARunChecksEachStepAsValidationDoes(t *testing.T) {
	cfg := config.Default()
	cfg.Monitoring.RuleFiles = []string{"../rules/default.rules.yml"}
	suite := NewSuite(Options{Config: cfg, PlaybookDir: "../playbooks"})
	feature := `Feature: checks at run time
  Scenario: think time with a playbook
    Given the on-call responder runs playbook "db-recovery"
    And the on-call responder acknowledges after 3 minutes
    And steady traffic of 5 requests per second

  Scenario: think time without a playbook
    Given the on-call responder acknowledges after 3 minutes
    And the on-call responder is a person

  Scenario: too much traffic
    Given steady traffic of 100000000 requests per second

  Scenario: a bad fault parameter
    When the fault "data-deletion" is injected with:
      | percent | 300 |

  Scenario: an alert no rule defines
    Then the alert "NoSuchAlert" does not fire
`
	ts := godog.TestSuite{
		ScenarioInitializer: suite.InitializeScenario,
		Options: &godog.Options{
			Format: "progress", Output: io.Discard, Strict: true,
			FeatureContents: []godog.Feature{{Name: "checks.feature", Contents: []byte(feature)}},
		},
	}
	assert.NotZero(t, ts.Run())
	byName := map[string]string{}
	for _, d := range suite.Result().Drills {
		byName[d.Scenario] = d.Error
	}
	require.Len(t, byName, 5)
	assert.Contains(t, byName, "think time with a playbook")
	assert.Empty(t, byName["think time with a playbook"])
	assert.Contains(t, byName["think time without a playbook"], "think time without a playbook")
	assert.Contains(t, byName["too much traffic"], "above the bound of 1000")
	assert.Contains(t, byName["a bad fault parameter"], `bad parameter: percent = "300"`)
	assert.Contains(t, byName["an alert no rule defines"], `alert "NoSuchAlert" is defined by no rule file`)
}
