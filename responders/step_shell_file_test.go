package responders_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/internal/defaults"
	"github.com/firedrill/firedrill/responders"
)

// report prints what a runbook script sees: its $0, first argument,
// working directory and the drill's API addresses.
const report = `#!/bin/bash
echo "$0|$1|$PWD|$PROMETHEUS_URL|$ALERTMANAGER_URL"
`

func fileRuntime(dir string) *responders.Runtime {
	rt := responders.NewRuntime(nil, incident.NewClock(incident.Compressed, 15*time.Second, time.Time{}), nil)
	rt.Dir = dir
	rt.PrometheusURL, rt.AlertmanagerURL = "http://127.0.0.1:19090", "http://127.0.0.1:19093"
	return rt
}

// A team's script beside its playbook runs in place, by its #! line's
// interpreter (init writes it without the executable bit), in the
// playbook's directory, with the drill's API addresses.
func TestShellFileRunsTheScriptBesideThePlaybook(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "scripts"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "scripts", "report.sh"), []byte(report), 0o644))

	step := &responders.ShellStep{File: "scripts/report.sh", Args: []string{"first"}}
	require.NoError(t, step.Validate())
	_, out, err := step.Run(context.Background(), fileRuntime(dir))
	require.NoError(t, err, out)
	assert.Equal(t, strings.Join([]string{filepath.Join(dir, "scripts", "report.sh"), "first", dir,
		"http://127.0.0.1:19090", "http://127.0.0.1:19093"}, "|"), out)
}

// A shipped playbook's script comes from the binary: it runs from a
// temporary copy that is gone afterwards, in the playbook's directory.
func TestShellFileOfAShippedPlaybookRunsFromTheBinary(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rt := fileRuntime(dir)
	pbs, err := responders.LoadDir(filepath.Join(dir, "none"))
	require.NoError(t, err)
	pb := pbs["db-recovery"]
	require.True(t, pb.Embedded)

	// The shipped verify script, with no Prometheus answering, fails loudly
	// rather than passing on no data.
	rt.PrometheusURL = "http://127.0.0.1:1"
	shipped, err := fs.Sub(defaults.FS, "playbooks")
	require.NoError(t, err)
	rt.Files = shipped
	step := &responders.ShellStep{File: "scripts/verify-recovery.sh"}
	_, out, err := step.Run(context.Background(), rt)
	require.Error(t, err, out)
	assert.Contains(t, out, "✗ Error Rate: no data (FAIL)")
	assert.Contains(t, out, "=== Verification Complete ===")

	rt.Files = os.DirFS(filepath.Join(dir, "shipped"))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "shipped", "scripts"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "shipped", "scripts", "report.sh"), []byte(report), 0o644))
	_, out, err = (&responders.ShellStep{File: "scripts/report.sh"}).Run(context.Background(), rt)
	require.NoError(t, err, out)
	fields := strings.Split(out, "|")
	require.Len(t, fields, 5, out)
	assert.NotEqual(t, filepath.Join(dir, "shipped", "scripts", "report.sh"), fields[0], "a copy runs, not the file system's")
	assert.Equal(t, "report.sh", filepath.Base(fields[0]))
	assert.NoFileExists(t, fields[0], "the copy is removed")
	assert.Equal(t, dir, fields[2])
}

func TestShellFileValidation(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]struct {
		step responders.ShellStep
		want string
	}{
		"run and file":       {responders.ShellStep{Script: "true", File: "x.sh"}, "give one of run"},
		"none":               {responders.ShellStep{}, "give one of run"},
		"args without file":  {responders.ShellStep{Script: "true", Args: []string{"a"}}, "args: only with file"},
		"outside the folder": {responders.ShellStep{File: "../x.sh"}, "not a path inside"},
		"absolute":           {responders.ShellStep{File: "/bin/true"}, "not a path inside"},
	} {
		t.Run(name, func(t *testing.T) {
			err := c.step.Validate()
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
		})
	}
}

// A missing script is found when the playbook loads, at the step's line.
func TestShellFileMissingIsAnErrorAtLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "pb.yaml")
	require.NoError(t, os.WriteFile(path, []byte(`name: x
steps:
  - {name: look, phase: diagnose, kind: shell, file: scripts/assess.sh}
  - {name: check, phase: verify, kind: wait, for: 1m}
`), 0o644))
	_, err := responders.Load(path)
	require.ErrorIs(t, err, responders.ErrInvalid)
	assert.Contains(t, err.Error(), path+`:3: step "look": file scripts/assess.sh: not found beside the playbook`)

	require.NoError(t, os.MkdirAll(filepath.Join(dir, "scripts"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "scripts", "assess.sh"), []byte(report), 0o644))
	_, err = responders.Load(path)
	require.NoError(t, err)
}

// With retry, a failing script asks to run again at the next tick (the
// runner ends it at the step's timeout); without, it fails the step.
func TestShellRetryRunsAFailingScriptAgain(t *testing.T) {
	t.Parallel()
	rt := fileRuntime(t.TempDir())
	retry, out, err := (&responders.ShellStep{Script: "echo not yet; exit 1", Retry: true}).Run(context.Background(), rt)
	require.Error(t, err)
	assert.True(t, retry)
	assert.Equal(t, "not yet", out, "the failed run's output is kept")
	retry, _, err = (&responders.ShellStep{Script: "exit 1"}).Run(context.Background(), rt)
	require.Error(t, err)
	assert.False(t, retry)
	retry, _, err = (&responders.ShellStep{Script: "true", Retry: true}).Run(context.Background(), rt)
	require.NoError(t, err)
	assert.False(t, retry)
}

// A step keeps what it collects in the drill's own output directory,
// FIREDRILL_OUT_DIR, which is there before the step runs.
func TestShellStepWritesToTheDrillsOutputDirectory(t *testing.T) {
	t.Parallel()
	rt := fileRuntime(t.TempDir())
	rt.OutDir = filepath.Join(t.TempDir(), "drills", "auth-attack", "the-drill")
	step := &responders.ShellStep{Script: `echo kept > "$FIREDRILL_OUT_DIR/evidence.txt" && echo "$FIREDRILL_OUT_DIR"`}
	require.NoError(t, step.Validate())
	_, out, err := step.Run(context.Background(), rt)
	require.NoError(t, err, out)
	assert.Equal(t, rt.OutDir, out)
	b, err := os.ReadFile(filepath.Join(rt.OutDir, "evidence.txt"))
	require.NoError(t, err)
	assert.Equal(t, "kept\n", string(b))
}
