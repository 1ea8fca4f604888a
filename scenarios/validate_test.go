package scenarios

import (
	"os"
	"path/filepath"
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
`)
	_, err := Validate([]string{good}, cfg, "../playbooks")
	assert.NoError(t, err)

	twice := write("twice.feature", `Feature: f
  Scenario: s
    Given the stack is running
    When the fault "data-deletion" is injected with:
      | percent | 30 |
      | percent | 40 |
`)
	problems, err := Validate([]string{twice}, cfg, "../playbooks")
	require.ErrorIs(t, err, ErrInvalid)
	require.Len(t, problems, 1)
	assert.Equal(t, 4, problems[0].Line)
	assert.Contains(t, problems[0].Msg, `"percent" given twice`)
}
