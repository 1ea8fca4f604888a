package alerting_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/alerting"
	"github.com/firedrill/firedrill/internal/tooltest"
)

// The shipped Alertmanager configurations are ones Alertmanager itself
// accepts: amtool, the real checker, says so.
func TestAmtoolAcceptsTheShippedConfigs(t *testing.T) {
	amtool := tooltest.Need(t, "amtool", "prometheus-alertmanager")
	for _, f := range []string{"alertmanager.yml", "../features/community/alertmanager.yml"} {
		out, err := exec.Command(amtool, "check-config", f).CombinedOutput()
		require.NoError(t, err, "%s:\n%s", f, out)
		assert.Contains(t, string(out), "SUCCESS", f)
	}
	// And it rejects what firedrill rejects.
	bad := filepath.Join(t.TempDir(), "bad.yml")
	require.NoError(t, os.WriteFile(bad, []byte("route:\n  receiver: nobody\nreceivers:\n  - name: on-call\n"), 0o644))
	out, err := exec.Command(amtool, "check-config", bad).CombinedOutput()
	require.Error(t, err, "%s", out)
}

// The embedded default is the file itself, not a copy that can drift.
func TestDefaultConfigIsTheShippedFile(t *testing.T) {
	b, err := os.ReadFile("alertmanager.yml")
	require.NoError(t, err)
	assert.Equal(t, string(b), alerting.DefaultConfig)
}

// Every rule file the project ships loads in Prometheus' own checker.
func TestPromtoolAcceptsTheShippedRules(t *testing.T) {
	promtool := tooltest.Need(t, "promtool", "prometheus")
	files, err := filepath.Glob("../rules/*.yml")
	require.NoError(t, err)
	more, err := filepath.Glob("../features/*/*.rules.yml")
	require.NoError(t, err)
	files = append(files, more...)
	require.NotEmpty(t, files)
	out, err := exec.Command(promtool, append([]string{"check", "rules"}, files...)...).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, len(files), strings.Count(string(out), "SUCCESS"), "%s", out)
}
