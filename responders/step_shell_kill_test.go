package responders_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/stack"
)

// A shell step that outlives its context takes its children with it, and a
// runaway script's output is capped.
func TestShellStepEndsItsChildren(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "child.pid")
	rt := responders.NewRuntime(&stack.Env{Config: config.Default().Stack}, nil, nil)
	rt.Dir = dir
	step := &responders.ShellStep{Script: "sleep 300 & echo $! > child.pid; yes | head -c 10000000; wait"}

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var out string
	go func() {
		var err error
		_, out, err = step.Run(ctx, rt)
		done <- err
	}()
	var pid int
	require.Eventually(t, func() bool {
		b, err := os.ReadFile(pidFile)
		pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		return err == nil && pid > 0
	}, 30*time.Second, 10*time.Millisecond)
	cancel()
	require.Error(t, <-done)
	require.Eventually(t, func() bool {
		return syscall.Kill(pid, 0) == syscall.ESRCH
	}, 10*time.Second, 10*time.Millisecond, "the script's child sleep is gone")
	assert.LessOrEqual(t, len(out), 4*responders.MaxOutput)
}
