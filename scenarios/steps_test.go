package scenarios

import (
	"regexp"
	"testing"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The sentences of DESIGN.md's vocabulary, exactly as written there: a
// public API, so each must match exactly one step.
var designSentences = []string{
	`the stack is running`,
	`the alert rules in "rules/default.rules.yml"`,
	`steady traffic of 20 requests per second`,
	`the on-call responder runs playbook "db-recovery"`,
	`the on-call responder acknowledges after 3 minutes`,
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

func matching(text string) []StepDef {
	var out []StepDef
	for _, s := range Steps() {
		if regexp.MustCompile(s.Pattern).MatchString(text) {
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
	for _, s := range Steps() {
		require.NotEmpty(t, s.Example)
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
