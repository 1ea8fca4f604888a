package stack

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sleeper starts a process that sleeps with env, ended with the test.
func sleeper(t *testing.T, env ...string) int {
	t.Helper()
	c := exec.Command("sleep", "600")
	c.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, c.Start())
	done := make(chan struct{})
	go func() { _ = c.Wait(); close(done) }()
	t.Cleanup(func() { _ = c.Process.Kill(); <-done })
	return c.Process.Pid
}

// On a host several runs share, a cleanup of every run leaves alone the
// runs whose firedrill still runs: their processes and files stay. A run
// whose owner is gone (here: a pid now held by another process) is a
// leftover.
func TestCleanupOfEveryRunLeavesLiveRunsAlone(t *testing.T) {
	host, _ := os.Hostname()
	firedrill := sleeper(t) // stands for another run's firedrill process
	mark := host + "/" + strconv.Itoa(firedrill) + "/" + procStart(firedrill)
	require.True(t, ownerAlive(mark))
	assert.True(t, ownerAlive(owner()), "this process")
	stale := host + "/" + strconv.Itoa(firedrill) + "/1" // the pid, reused
	assert.False(t, ownerAlive(stale))
	assert.False(t, ownerAlive("elsewhere/"+strconv.Itoa(firedrill)+"/"+procStart(firedrill)), "another host's run cannot be checked from here")

	live, dead := "20990101-000000-11aa11", "20990101-000000-22bb22"
	livePID := sleeper(t, "FIREDRILL_RUN="+live, "FIREDRILL_OWNER="+mark)
	deadPID := sleeper(t, "FIREDRILL_RUN="+dead, "FIREDRILL_OWNER="+stale)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// Read only: other people's runs on this host are never removed here.
	l, err := FindLeftovers(ctx, "")
	require.NoError(t, err)
	assert.Contains(t, l.Live, live)
	assert.NotContains(t, l.Live, dead)
	assert.Contains(t, l.Processes, deadPID)
	assert.NotContains(t, l.Processes, livePID)
	// Asked for by id, a live run is listed: the user named it.
	l, err = FindLeftovers(ctx, live)
	require.NoError(t, err)
	assert.Equal(t, []int{livePID}, l.Processes)

	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	for _, run := range []string{live, dead} {
		require.NoError(t, os.Mkdir(filepath.Join(tmp, runDirPrefix+run+"-tsdb-1"), 0o700))
	}
	require.NoError(t, removeRunFiles("", live))
	assert.DirExists(t, filepath.Join(tmp, runDirPrefix+live+"-tsdb-1"), "a live run's monitoring storage stays")
	assert.NoDirExists(t, filepath.Join(tmp, runDirPrefix+dead+"-tsdb-1"))
}
