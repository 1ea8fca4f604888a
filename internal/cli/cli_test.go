package cli

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/internal/stacktest"
	"github.com/firedrill/firedrill/stack"
	"github.com/firedrill/firedrill/stack/mocks"
)

// runCLI runs the command line in-process with a mock stack provider, or
// with the real one when p is nil (the test must have asked
// stacktest.Provider for it first).
func runCLI(t *testing.T, p stack.Stack, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	st := &State{
		Stdout: &out, Stderr: &errOut,
		Getenv: func(k string) string { return env[k] },
		SelectStack: func(ctx context.Context, provider, runID string, progress stack.Progress) (stack.Stack, error) {
			if p != nil {
				return p, nil
			}
			real, err := stack.Select(ctx, provider, runID, progress)
			if err == nil && !stacktest.Asked(t) {
				// Errorf, not Fatal: this runs on the command's goroutine.
				t.Errorf("%s starts a real %s stack without stacktest.Provider: it would fail, not skip, where the provider is missing, and go uncounted", t.Name(), provider)
			}
			return real, err
		},
	}
	code := Run(context.Background(), st, args)
	return code, out.String(), errOut.String()
}

func TestUpPrintsTheRunningStack(t *testing.T) {
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/health":
			fmt.Fprint(w, `{"status":"ok"}`)
		case "/metrics":
			fmt.Fprint(w, "# HELP go_goroutines x\ngo_goroutines 7\nhttp_requests_total{code=\"200\"} 3\n")
		}
	}))
	defer app.Close()
	cfg := config.Default().Stack
	env := &stack.Env{RunID: "run-1", Provider: "mock", Config: cfg,
		PostgresURL: "postgres://firedrill:s3cret@127.0.0.1:1/app", RedisURL: "redis://127.0.0.1:2/0", AppURL: app.URL,
		Targets: []stack.MetricsTarget{{Job: "app", Instance: "app:8080", URL: app.URL + "/metrics"}}}

	p := mocks.NewStack(t)
	p.EXPECT().Name().Return("mock")
	p.EXPECT().Start(mock.Anything, cfg).Return(env, nil).Once()

	code, out, errOut := runCLI(t, p, nil, "up")
	require.Equal(t, ExitOK, code, errOut)
	assert.Contains(t, out, "stack run-1 (mock provider)")
	assert.Contains(t, out, "postgres://firedrill:xxxxx@127.0.0.1:1/app", "the password is redacted")
	assert.NotContains(t, out, "s3cret")
	assert.Contains(t, out, `health: 200 {"status":"ok"}`)
	assert.Contains(t, out, `http_requests_total{code="200"} 3`)
	assert.NotContains(t, out, "go_goroutines", "runtime series are left out of the sample")
	assert.Contains(t, errOut, "stopping the stack")
}

func TestUpMapsAnUnavailableStackToExit3(t *testing.T) {
	p := mocks.NewStack(t)
	p.EXPECT().Name().Return("mock")
	p.EXPECT().Start(mock.Anything, mock.Anything).
		Return(&stack.Env{}, fmt.Errorf("start mock stack: %w: image missing", stack.ErrUnavailable)).Once()
	code, _, errOut := runCLI(t, p, nil, "up")
	assert.Equal(t, ExitEnvironment, code)
	assert.Contains(t, errOut, "image missing")
}

func TestUpFailsOnAStartError(t *testing.T) {
	p := mocks.NewStack(t)
	p.EXPECT().Name().Return("mock")
	p.EXPECT().Start(mock.Anything, mock.Anything).Return(nil, fmt.Errorf("start mock stack: app never healthy")).Once()
	code, _, errOut := runCLI(t, p, nil, "up")
	assert.Equal(t, ExitFailed, code)
	assert.Contains(t, errOut, "app never healthy")
}

func TestBadInputExits2(t *testing.T) {
	path := filepath.Join(t.TempDir(), "firedrill.yaml")
	require.NoError(t, os.WriteFile(path, []byte("stack:\n  postgres:\n    max_connections: 1\n"), 0o644))
	p := mocks.NewStack(t) // nothing may start
	code, _, errOut := runCLI(t, p, nil, "up", "--config", path)
	assert.Equal(t, ExitBadInput, code)
	assert.Contains(t, errOut, path+":3: stack.postgres.max_connections")

	code, _, errOut = runCLI(t, p, nil, "up", "--provider", "kubernetes")
	assert.Equal(t, ExitBadInput, code)
	assert.Contains(t, errOut, "--provider")

	code, _, _ = runCLI(t, p, nil, "up", "--no-such-flag")
	assert.Equal(t, ExitBadInput, code)
}

// A real selection with Docker unreachable: exit 3 and what to install.
func TestDockerUnreachableExits3(t *testing.T) {
	// A closed loopback port: testcontainers would skip a missing unix socket
	// and find the real daemon.
	t.Setenv("DOCKER_HOST", "tcp://127.0.0.1:1")
	code, _, errOut := runCLI(t, nil, nil, "up", "--provider", "docker")
	assert.Equal(t, ExitEnvironment, code, errOut)
	assert.Contains(t, errOut, "no daemon answers")
	assert.Contains(t, errOut, "docker.io")
}

// An image that is neither here nor pullable is the host's problem: exit 3.
func TestMissingImageExits3(t *testing.T) {
	stacktest.Provider(t, "docker")
	code, _, errOut := runCLI(t, nil, map[string]string{"FIREDRILL_POSTGRES_IMAGE": "firedrill/no-such-image:0"}, "up", "--provider", "docker")
	assert.Equal(t, ExitEnvironment, code, errOut)
	assert.Contains(t, errOut, "firedrill/no-such-image:0")
	assert.Contains(t, errOut, "make images")
	// Outside make, the user learns which variables reach the stand-ins this
	// host has (docker images firedrill/*), or to build them.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	have, err := stack.LocalStandIns(ctx)
	require.NoError(t, err)
	if len(have) == 0 {
		assert.Contains(t, errOut, "run `make images`")
	}
	for _, s := range have {
		assert.Contains(t, errOut, " "+s.Var+"="+s.Image, "the exact variable to set")
	}
}

// envOf is the process environment (the host's image settings) as a map.
func envOf(t *testing.T) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env
}

// Every usage mistake is exit 2 and says what was wrong; nothing starts.
func TestUsageErrorsExit2(t *testing.T) {
	chdirRoot(t)
	for args, want := range map[string]string{
		"bogus":                                 `unknown command "bogus"`,
		"report":                                "requires at least 1 arg(s)",
		"mark":                                  "accepts 1 arg(s)",
		"--config /nonexistent.yaml validate":   "--config: stat /nonexistent.yaml",
		"report --report bogus drill-results/x": `--report: unknown format "bogus"`,
		"report --format bogus drill-results/x": `--report: unknown format "bogus"`,
		"run --shard 3/2":                       "--shard",
		"report merge internal/cli/testdata":    "merge needs --out DIR",
		"run --tags @a&&":                       `--tags "@a&&": "" is not a tag`,
		"run --tags ((@a":                       `"((@a" is not a tag`,
	} {
		code, _, errOut := runCLI(t, mocks.NewStack(t), nil, strings.Fields(args)...)
		assert.Equal(t, ExitBadInput, code, "%s: %s", args, errOut)
		assert.Contains(t, errOut, want, args)
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, errOut := runCLI(t, mocks.NewStack(t), nil, args...)
		require.Equal(t, ExitOK, code, errOut)
		assert.Regexp(t, `^firedrill \S+.* go1\.\d+`, out, args)
	}
}
