// Built with -tags slow (make test-slow, CI after make test): a minute or
// more of real stacks, kept out of make test's 15-minute budget.

//go:build slow

package cli

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/internal/stacktest"
	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/stack"
)

// Two runs at once on one host, as CI runners sharing a daemon do: each
// gets its own stack, ports, files and verdict, and neither leaves
// anything behind.
func TestTwoRunsAtOnce(t *testing.T) {
	chdirRoot(t)
	stacktest.Provider(t, "docker")
	type run struct {
		feature, out, ack string
		code              int
		stdout, stderr    string
	}
	runs := []*run{
		{feature: "internal/cli/testdata/concurrent/answered.feature", out: t.TempDir(), ack: "127.0.0.1:0"},
		{feature: "internal/cli/testdata/concurrent/unanswered.feature", out: t.TempDir(), ack: "127.0.0.1:0"},
	}
	var wg sync.WaitGroup
	for _, r := range runs {
		wg.Go(func() {
			r.code, r.stdout, r.stderr = runCLI(t, nil, envOf(t), "run", r.feature, "--provider", "docker", "--out", r.out, "--ack-addr", r.ack)
		})
	}
	wg.Wait()

	results := make([]reports.Result, len(runs))
	for i, r := range runs {
		res, err := reports.ReadResultFile(filepath.Join(r.out, "result.json"))
		require.NoError(t, err, "%s\nstderr:\n%s", r.feature, r.stderr)
		require.Len(t, res.Drills, 1, r.feature)
		results[i] = res
	}
	answered, unanswered := results[0].Drills[0], results[1].Drills[0]
	assert.Equal(t, ExitOK, runs[0].code, "stdout:\n%s\nstderr:\n%s", runs[0].stdout, runs[0].stderr)
	assert.Equal(t, reports.Passed, answered.Status, answered.Error)
	require.NotNil(t, answered.Verdict)
	_, resolved := answered.Verdict.MTTR.Get()
	assert.True(t, resolved, "the answered drill is resolved")

	assert.Equal(t, ExitFailed, runs[1].code, "stdout:\n%s\nstderr:\n%s", runs[1].stdout, runs[1].stderr)
	assert.Equal(t, reports.Failed, unanswered.Status, unanswered.Error)
	require.NotNil(t, unanswered.Verdict)
	_, detected := unanswered.Verdict.MTTD.Get()
	_, acked := unanswered.Verdict.MTTA.Get()
	assert.True(t, detected, "the unanswered drill is detected")
	assert.False(t, acked, "and never acknowledged: the other run's responder did not answer it")

	assert.NotEqual(t, results[0].RunID, results[1].RunID)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, res := range results {
		left, err := stack.FindLeftovers(ctx, res.RunID)
		require.NoError(t, err)
		assert.Zero(t, left.Count(), "leftovers of run %s: %+v", res.RunID, left)
	}
}
