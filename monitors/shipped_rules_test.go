package monitors

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Drills name rules/default.rules.yml; a repository that has no such file
// drills with the one firedrill ships, and one that has it, with its own.
func TestRuleFilesFallBackToTheShippedOnes(t *testing.T) {
	t.Chdir(t.TempDir())
	groups, err := LoadRuleFiles("rules/default.rules.yml")
	require.NoError(t, err)
	var names []string
	for _, g := range groups {
		for _, r := range g.Rules {
			names = append(names, r.Name())
		}
	}
	assert.Contains(t, names, "DatabaseConnectionFailure")

	require.NoError(t, os.MkdirAll("rules", 0o755))
	require.NoError(t, os.WriteFile("rules/default.rules.yml", []byte(`groups:
  - name: ours
    rules:
      - alert: OnlyOurs
        expr: vector(1)
`), 0o644))
	groups, err = LoadRuleFiles("rules/default.rules.yml")
	require.NoError(t, err)
	require.Len(t, groups, 1)
	require.Len(t, groups[0].Rules, 1)
	assert.Equal(t, "OnlyOurs", groups[0].Rules[0].Name())
}
