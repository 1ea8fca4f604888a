package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"

	"github.com/firedrill/firedrill/internal/stacktest"
	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/stack"
)

// onLine is a progress writer that calls do, once and on its own
// goroutine, the first time a line contains trigger; it hands do the run
// id the run printed first.
type onLine struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	trigger string
	do      func(runID string)
	done    bool
}

var runLine = regexp.MustCompile(`firedrill: run (\S+):`)

func (o *onLine) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	n, err := o.buf.Write(p)
	if !o.done && strings.Contains(string(p), o.trigger) {
		o.done = true
		if m := runLine.FindStringSubmatch(o.buf.String()); m != nil {
			go o.do(m[1])
		}
	}
	return n, err
}

func (o *onLine) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.buf.String()
}

// Someone removes a service container of a running drill (docker rm -f on
// a shared CI host): the run ends within seconds with exit 3, names the
// container, writes the partial report with the drill errored and not
// scored, and nothing with the run's label is left.
func TestRunEndsWithExit3WhenAContainerIsRemoved(t *testing.T) {
	chdirRoot(t)
	stacktest.Provider(t, "docker")
	cli, err := testcontainers.NewDockerClientWithOpts(context.Background())
	require.NoError(t, err)
	defer cli.Close()

	var removedAt time.Time
	var runID string
	removed := make(chan error, 1)
	errOut := &onLine{trigger: "fault error-spike injected", do: func(id string) {
		runID = id
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		// Only this test's own run's container: its name carries the run id.
		_, err := cli.ContainerRemove(ctx, "firedrill-"+id+"-redis", client.ContainerRemoveOptions{Force: true})
		removedAt = time.Now()
		removed <- err
	}}
	var out bytes.Buffer
	env := envOf(t)
	st := &State{Stdout: &out, Stderr: errOut, Getenv: func(k string) string { return env[k] }, SelectStack: stack.Select}
	dir := t.TempDir()

	code := Run(context.Background(), st, []string{"run", "internal/cli/testdata/interrupt", "--provider", "docker", "--out", dir})
	ended := time.Now()
	t.Logf("run ended %s after the removal; stderr:\n%s", ended.Sub(removedAt).Round(time.Millisecond), errOut)

	select {
	case err := <-removed:
		require.NoError(t, err, "removing the redis container")
	default:
		t.Fatalf("the container was never removed; stderr:\n%s", errOut)
	}
	require.Equal(t, ExitEnvironment, code, "stdout:\n%s\nstderr:\n%s", out.String(), errOut)
	assert.Less(t, ended.Sub(removedAt), 30*time.Second, "the run ends within seconds of the removal")
	msg := errOut.String()
	assert.Contains(t, msg, "stack gone")
	assert.Contains(t, msg, "firedrill-"+runID+"-redis", "the error names the container that disappeared")

	res, err := reports.ReadResultFile(filepath.Join(dir, "result.json"))
	require.NoError(t, err)
	require.Len(t, res.Drills, 2)
	for _, d := range res.Drills {
		assert.Equal(t, reports.Errored, d.Status, d.Scenario)
		assert.Nil(t, d.Verdict, "%s: a drill whose stack went is not scored", d.Scenario)
		assert.Contains(t, d.Error, "redis", d.Scenario)
	}
	assert.NotEmpty(t, res.Drills[0].Timeline, "the partial timeline is kept")

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	left, err := stack.FindLeftovers(ctx, runID)
	require.NoError(t, err)
	assert.Zero(t, left.Count(), "leftovers of run %s: %+v", runID, left)
}
