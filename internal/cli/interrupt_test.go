package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/internal/stacktest"
	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/stack"
)

// cancelOn is a progress writer that cancels the run the first time a line
// contains trigger, as Ctrl-C would at that moment.
type cancelOn struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	trigger string
	cancel  context.CancelFunc
}

func (c *cancelOn) Write(p []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if strings.Contains(string(p), c.trigger) {
		c.cancel()
	}
	return c.buf.Write(p)
}

func (c *cancelOn) String() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.buf.String()
}

// An interrupted run is not a failed drill: exit 130, the unfinished drills
// are aborted and unscored in every format, and the fault is recovered.
func TestRunInterruptedExits130AndAbortsUnfinishedDrills(t *testing.T) {
	chdirRoot(t)
	stacktest.Provider(t, "docker") // fails under CI, skips with a reason elsewhere
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	errOut := &cancelOn{trigger: "fault error-spike injected", cancel: cancel}
	var out bytes.Buffer
	env := envOf(t)
	st := &State{Stdout: &out, Stderr: errOut, Getenv: func(k string) string { return env[k] }, SelectStack: stack.Select}
	dir := t.TempDir()

	code := Run(ctx, st, []string{"run", "internal/cli/testdata/interrupt", "--provider", "docker", "--out", dir})

	require.Equal(t, ExitInterrupted, code, "stdout:\n%s\nstderr:\n%s", out.String(), errOut)
	assert.Contains(t, errOut.String(), "interrupted: 2 drill(s) aborted")
	res, err := reports.ReadResultFile(filepath.Join(dir, "result.json"))
	require.NoError(t, err)
	require.Len(t, res.Drills, 2)
	for _, d := range res.Drills {
		assert.Equal(t, reports.Aborted, d.Status, d.Scenario)
		assert.Nil(t, d.Verdict, "%s: an aborted drill is not scored", d.Scenario)
	}
	recovered := false
	for _, m := range res.Drills[0].Timeline {
		recovered = recovered || m.Kind == "fault_recovered"
	}
	assert.True(t, recovered, "the injected fault is recovered before the run exits")
	assert.Contains(t, out.String(), "ABORTED")
	assert.Contains(t, out.String(), "2 aborted")
}
