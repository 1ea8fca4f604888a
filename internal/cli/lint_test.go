package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/internal/stacktest"
	"github.com/firedrill/firedrill/stack/mocks"
)

// lint runs rules over a healthy stack: a P1 rule that fires there fails
// it (exit 1) with its expression and series; a warning is listed but
// passes; a rule on a metric nothing exports cannot fire here; a rule that
// does not fire is not listed.
func TestLintListsRulesThatFireOnAHealthyStack(t *testing.T) {
	chdirRoot(t)
	stacktest.Provider(t, "docker")
	code, out, errOut := runCLI(t, nil, envOf(t), "lint", "internal/cli/testdata/lint.rules.yml", "--provider", "docker", "--for", "3m")
	require.Equal(t, ExitFailed, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, out, "fires on a healthy stack (2):")
	assert.Contains(t, out, "AlwaysPages  P1")
	assert.Contains(t, out, `expr:   max(up{job="app"}) == 1`)
	assert.Contains(t, out, "HealthyWarning  P3")
	assert.Contains(t, out, `series: {instance="redis-exporter:9121", job="redis"}`, "the series that made it fire")
	assert.Contains(t, out, "cannot fire here, metrics never scraped (1):")
	assert.Contains(t, out, "ReadsNothing  (internal/cli/testdata/lint.rules.yml): no_such_metric_total")
	assert.NotContains(t, out, "Quiet")
	assert.Contains(t, errOut, "1 rule(s) of severity P1/P2 fire with no fault")
}

// A rule file that does not load is bad input, and nothing starts.
func TestLintRejectsABadRuleFile(t *testing.T) {
	chdirRoot(t)
	code, _, errOut := runCLI(t, mocks.NewStack(t), nil, "lint", "internal/cli/testdata/bad_rules.yml")
	assert.Equal(t, ExitBadInput, code, errOut)
	assert.Contains(t, errOut, "internal/cli/testdata/bad_rules.yml:5:")
}
