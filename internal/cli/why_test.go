package cli

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/stack/mocks"
)

// A run writes each drill's Then steps with their verdicts and says in one
// line why a drill did not pass, in every report. This drill cannot start
// (it never asks for the stack), so its Then steps are skipped and the
// reason is the drill's error; the mock stack allows no call. (A failed
// Then step's message is the reason otherwise: TestDrillWhyPrecedence.)
func TestRunReportsWhyADrillFailed(t *testing.T) {
	chdirRoot(t)
	dir, out := t.TempDir(), t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "why.feature"), []byte(`Feature: why
  Scenario: A drill that never starts its stack
    Given steady traffic of 5 requests per second
    When the drill runs until the incident is resolved or 1 minute pass
    Then MTTD is at most 5 minutes
    And no data is lost
`), 0o644))
	code, stdout, errOut := runCLI(t, mocks.NewStack(t), nil, "run", dir, "--out", out)
	require.NotEqual(t, ExitOK, code, "stdout:\n%s\nstderr:\n%s", stdout, errOut)

	res, err := reports.ReadResultFile(filepath.Join(out, "result.json"))
	require.NoError(t, err)
	require.Len(t, res.Drills, 1)
	d := res.Drills[0]
	assert.Equal(t, []reports.Check{
		{Step: "MTTD is at most 5 minutes", Status: "skipped"},
		{Step: "no data is lost", Status: "skipped"},
	}, d.Checks)
	why := d.Why()
	assert.Equal(t, d.Error, why)
	assert.Contains(t, why, "the stack is not running")

	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(out, name))
		require.NoError(t, err)
		return string(b)
	}
	assert.Contains(t, read("summary.txt"), "A drill that never starts its stack: not scored:")
	assert.Contains(t, read("summary.txt"), "the stack is not running")
	assert.Contains(t, read("junit.xml"), `message="the stack is not running`)
	html := read("report.html")
	assert.Contains(t, html, `<p class="why"><strong>Why:</strong> the stack is not running`)
	assert.Contains(t, html, `<tr><td>no data is lost</td><td class="na">skipped</td><td></td></tr>`)
}
