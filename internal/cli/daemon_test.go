// Built with -tags slow (make test-slow, CI after make test): a minute or
// more of real stacks, kept out of make test's 15-minute budget.

//go:build slow

package cli

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/internal/stacktest"
	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/stack"
)

// dockerProxy forwards a unix socket of its own to the Docker daemon's
// until stop: to a client of the proxy, stop is the daemon stopping, while
// the daemon itself, and every other stack on this shared host, runs on.
type dockerProxy struct {
	ln     net.Listener
	mu     sync.Mutex
	conns  []net.Conn
	closed bool
}

func startDockerProxy(t *testing.T, path, daemon string) *dockerProxy {
	t.Helper()
	ln, err := net.Listen("unix", path)
	require.NoError(t, err)
	p := &dockerProxy{ln: ln}
	t.Cleanup(p.stop)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("unix", daemon)
			if err != nil {
				c.Close()
				continue
			}
			if !p.track(c, up) {
				return
			}
			go func() { _, _ = io.Copy(up, c); up.Close(); c.Close() }()
			go func() { _, _ = io.Copy(c, up); up.Close(); c.Close() }()
		}
	}()
	return p
}

func (p *dockerProxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		for _, c := range cs {
			c.Close()
		}
		return false
	}
	p.conns = append(p.conns, cs...)
	return true
}

// stop is the daemon going away: no new connection, every open one cut.
func (p *dockerProxy) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	p.ln.Close()
	for _, c := range p.conns {
		c.Close()
	}
}

const daemonChildEnv = "FIREDRILL_TEST_DAEMON_CHILD"

// The Docker daemon stops mid-drill: the run ends within seconds with exit
// 3, says the daemon stopped answering and how to remove what it could not,
// and writes the partial report with the drill errored. The run talks to
// the daemon through a proxy that this test stops (stopping this host's
// daemon would take every other stack on it down); testcontainers reads
// DOCKER_HOST once per process, so the run is a child process: this test
// binary again, in child mode.
func TestRunEndsWithExit3WhenTheDaemonStops(t *testing.T) {
	if os.Getenv(daemonChildEnv) != "" {
		daemonStopsChild(t)
		return
	}
	stacktest.Provider(t, "docker")
	daemon := "/var/run/docker.sock"
	if h, ok := strings.CutPrefix(os.Getenv("DOCKER_HOST"), "unix://"); ok {
		daemon = h
	}
	dir := t.TempDir()
	proxy := startDockerProxy(t, filepath.Join(dir, "docker.sock"), daemon)
	childTmp := filepath.Join(dir, "tmp")
	require.NoError(t, os.Mkdir(childTmp, 0o755))

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	child := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestRunEndsWithExit3WhenTheDaemonStops$", "-test.v", "-test.count=1")
	child.Env = append(os.Environ(), daemonChildEnv+"=1", "DOCKER_HOST=unix://"+filepath.Join(dir, "docker.sock"),
		"TMPDIR="+childTmp, "FIREDRILL_TEST_OUT="+filepath.Join(dir, "out"))
	stdout, err := child.StdoutPipe()
	require.NoError(t, err)
	var childErr bytes.Buffer
	child.Stderr = &childErr
	require.NoError(t, child.Start())
	var out strings.Builder
	var runID string
	var stoppedAt time.Time
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		out.WriteString(line + "\n")
		if id, ok := strings.CutPrefix(line, "daemon-child: fault injected in run "); ok && runID == "" {
			runID = id
			proxy.stop()
			stoppedAt = time.Now()
			// Whatever the checks below find, the run's containers go.
			t.Cleanup(func() {
				cctx, ccancel := context.WithTimeout(context.Background(), time.Minute)
				defer ccancel()
				_, _ = stack.Cleanup(cctx, id)
			})
		}
	}
	err = child.Wait()
	ended := time.Now()
	t.Logf("child:\n%s%s", out.String(), childErr.String())
	require.NoError(t, err, "the child's checks")
	require.NotEmpty(t, runID, "the child never reached its fault")
	assert.Less(t, ended.Sub(stoppedAt), 45*time.Second, "the run ends within seconds of the daemon stopping")

	entries, err := os.ReadDir(childTmp)
	require.NoError(t, err)
	assert.Empty(t, entries, "the run leaves no file of its own")

	// The containers were out of the run's reach; with the daemon back
	// (the real one), the cleanup the run asked for removes them.
	cctx, ccancel := context.WithTimeout(context.Background(), time.Minute)
	defer ccancel()
	_, err = stack.Cleanup(cctx, runID)
	require.NoError(t, err)
	left, err := stack.FindLeftovers(cctx, runID)
	require.NoError(t, err)
	assert.Zero(t, left.Count(), "leftovers of run %s: %+v", runID, left)
}

// daemonStopsChild is the run whose daemon stops: it says when its fault
// is in, and checks how the run ends.
func daemonStopsChild(t *testing.T) {
	chdirRoot(t)
	var once sync.Once
	errOut := &onLine{trigger: "fault error-spike injected", do: func(id string) {
		once.Do(func() { fmt.Printf("daemon-child: fault injected in run %s\n", id) })
	}}
	var out bytes.Buffer
	env := envOf(t)
	st := &State{Stdout: &out, Stderr: errOut, Getenv: func(k string) string { return env[k] }, SelectStack: stack.Select}
	dir := os.Getenv("FIREDRILL_TEST_OUT")
	code := Run(context.Background(), st, []string{"run", "internal/cli/testdata/interrupt", "--provider", "docker", "--out", dir})

	t.Logf("stderr:\n%s", errOut)
	require.Equal(t, ExitEnvironment, code, "stdout:\n%s", out.String())
	msg := errOut.String()
	assert.Contains(t, msg, "stack gone: the Docker daemon stopped answering")
	assert.Contains(t, msg, "firedrill cleanup --run ")
	res, err := reports.ReadResultFile(filepath.Join(dir, "result.json"))
	require.NoError(t, err)
	require.Len(t, res.Drills, 2)
	for _, d := range res.Drills {
		assert.Equal(t, reports.Errored, d.Status, d.Scenario)
		assert.Nil(t, d.Verdict, d.Scenario)
		assert.Contains(t, d.Error, "Docker daemon stopped answering", d.Scenario)
	}
}
