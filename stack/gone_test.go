package stack

import (
	"context"
	"errors"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeDaemon answers ContainerList with its containers, after failing
// the first fails calls.
type fakeDaemon struct {
	items []container.Summary
	fails int32
	calls atomic.Int32
}

func (f *fakeDaemon) ContainerList(context.Context, client.ContainerListOptions) (client.ContainerListResult, error) {
	if f.calls.Add(1) <= f.fails {
		return client.ContainerListResult{}, errors.New("Cannot connect to the Docker daemon")
	}
	return client.ContainerListResult{Items: f.items}, nil
}

func shortPatience(t *testing.T) {
	old := daemonPatience
	daemonPatience = 300 * time.Millisecond
	t.Cleanup(func() { daemonPatience = old })
}

var runServices = map[string]string{Postgres: "pg1", Redis: "rd1", App: "app1"}

// Stopped, exited and paused containers are a fault's doing: not gone.
func TestGoneIgnoresServicesThatAreDown(t *testing.T) {
	d := &fakeDaemon{items: []container.Summary{
		{ID: "pg1", State: container.StateExited}, {ID: "rd1", State: container.StatePaused}, {ID: "app1", State: container.StateRunning},
	}}
	assert.NoError(t, goneCheck(context.Background(), d, "run-1", runServices))
}

func TestGoneNamesARemovedContainer(t *testing.T) {
	d := &fakeDaemon{items: []container.Summary{{ID: "pg1", State: container.StateRunning}, {ID: "app1", State: container.StateRemoving}}}
	err := goneCheck(context.Background(), d, "run-1", runServices)
	require.ErrorIs(t, err, ErrGone)
	assert.Contains(t, err.Error(), "redis (container firedrill-run-1-redis, rd1)")
	assert.Contains(t, err.Error(), "app (container firedrill-run-1-app, app1)", "a container being removed is gone")
	assert.NotContains(t, err.Error(), "postgres")
}

// A daemon that misses an answer or two is slow, not stopped.
func TestGoneToleratesADaemonThatAnswersLate(t *testing.T) {
	shortPatience(t)
	d := &fakeDaemon{fails: 1, items: []container.Summary{{ID: "pg1"}, {ID: "rd1"}, {ID: "app1"}}}
	assert.NoError(t, goneCheck(context.Background(), d, "run-1", runServices))
	assert.Equal(t, int32(2), d.calls.Load())
}

// The daemon stopped: a real Docker client on a socket nobody serves, as
// after `systemctl stop docker` (stopping this host's daemon in a test
// would take every other stack on it down).
func TestGoneWhenTheDaemonStops(t *testing.T) {
	shortPatience(t)
	cli, err := client.New(client.WithHost("unix://"+filepath.Join(t.TempDir(), "docker.sock")), client.WithAPIVersionNegotiation())
	require.NoError(t, err)
	defer cli.Close()
	// A hang would end with the context, not with ErrGone.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = goneCheck(ctx, cli, "run-1", runServices)
	require.ErrorIs(t, err, ErrGone)
	assert.NotErrorIs(t, err, context.DeadlineExceeded, "decided by the check, not by the test's deadline")
	assert.Contains(t, err.Error(), "the Docker daemon stopped answering")
	assert.Contains(t, err.Error(), "firedrill cleanup --run run-1")
}

// Cancelled is the caller stopping (Ctrl-C), not the host failing.
func TestGoneIsQuietWhenCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.NoError(t, goneCheck(ctx, &fakeDaemon{fails: 100}, "run-1", runServices))
}

func TestGoneLocalDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	check := localGone(dir)
	err := check(context.Background())
	require.ErrorIs(t, err, ErrGone)
	assert.Contains(t, err.Error(), dir)
	assert.NoError(t, localGone(t.TempDir())(context.Background()))
	assert.NoError(t, (*Env)(nil).Gone(context.Background()))
}
