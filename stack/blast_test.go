package stack_test

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"

	"github.com/firedrill/firedrill/injectors"
	"github.com/firedrill/firedrill/internal/stacktest"
	"github.com/firedrill/firedrill/stack"
)

// The service faults, in every mode that acts on a service.
var serviceFaults = []struct {
	fault  string
	params map[string]string
}{
	{"db-down", map[string]string{"mode": "stop"}},
	{"db-down", map[string]string{"mode": "kill"}},
	{"db-down", map[string]string{"mode": "pause"}},
	{"service-outage", map[string]string{"mode": "kill"}},
	{"service-outage", map[string]string{"mode": "stop"}},
	{"service-outage", map[string]string{"mode": "pause"}},
	{"service-outage", map[string]string{"mode": "crash-loop"}},
	{"cache-loss", map[string]string{"mode": "stop"}},
}

// injectRefused injects every service fault on env (whose services are
// all svc) and asserts each is refused as not this run's.
func injectRefused(t *testing.T, ctx context.Context, env *stack.Env) {
	t.Helper()
	for _, f := range serviceFaults {
		inj, err := injectors.New(f.fault, f.params)
		require.NoError(t, err)
		err = inj.Inject(ctx, injectors.Target{Env: env})
		require.ErrorIs(t, err, stack.ErrNotOurs, "%s %v", f.fault, f.params)
		_ = inj.Recover(ctx, injectors.Target{Env: env})
	}
}

// An injector handed a container that its run did not start (none of
// firedrill's labels, or another run's) refuses to stop, kill, pause,
// start or exec in it, and the container runs on untouched.
func TestFaultsRefuseAContainerNotOfTheirRun(t *testing.T) {
	stacktest.Provider(t, "docker")
	image := stacktest.Config(t).Stack.Redis.Image
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	require.NoError(t, err)
	defer cli.Close()

	for name, labels := range map[string]map[string]string{
		"unlabelled":    {"firedrill.test": "decoy"},
		"another run's": {"firedrill.test": "decoy", stack.RunLabel: "20990101-000000-000000"},
	} {
		t.Run(name, func(t *testing.T) {
			c, err := testcontainers.Run(ctx, image, testcontainers.WithLabels(labels))
			testcontainers.CleanupContainer(t, c)
			require.NoError(t, err)
			before, err := c.Inspect(ctx)
			require.NoError(t, err)

			svc := stack.DockerServiceOf("redis", "20990101-000000-abcdef", c, cli)
			for action, do := range map[string]func() error{
				"stop":    func() error { return svc.Stop(ctx) },
				"kill":    func() error { return svc.(stack.Killer).Kill(ctx) },
				"pause":   func() error { return svc.Pause(ctx) },
				"unpause": func() error { return svc.Unpause(ctx) },
				"start":   func() error { return svc.Start(ctx) },
				"restart": func() error { return svc.Restart(ctx) },
				"exec":    func() error { _, err := svc.Exec(ctx, "redis-cli", "FLUSHALL"); return err },
			} {
				err := do()
				require.ErrorIs(t, err, stack.ErrNotOurs, action)
				assert.Contains(t, err.Error(), `not this run's "20990101-000000-abcdef"`, action)
			}
			env := stack.EnvOf("20990101-000000-abcdef", map[string]stack.Service{stack.Postgres: svc, stack.Redis: svc, stack.App: svc})
			injectRefused(t, ctx, env)

			after, err := c.Inspect(ctx)
			require.NoError(t, err)
			assert.True(t, after.State.Running, "still running")
			assert.False(t, after.State.Paused, "not paused")
			assert.Equal(t, before.State.StartedAt, after.State.StartedAt, "never restarted")
		})
	}
}

// The local provider's guard: a process its service did not spawn (here
// another run's, though a child of this process) is never signalled.
func TestFaultsRefuseAProcessNotOfTheirRun(t *testing.T) {
	cmd := exec.Command("sleep", "600")
	cmd.Env = []string{"FIREDRILL_RUN=20990101-000000-000000", "PATH=" + os.Getenv("PATH")} // another run's
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}                                   // as the local provider starts its processes
	require.NoError(t, cmd.Start())
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-done })

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	svc := stack.ProcServiceOf("postgres", "20990101-000000-abcdef", cmd.Process, done)
	for action, do := range map[string]func() error{
		"stop":    func() error { return svc.Stop(ctx) },
		"kill":    func() error { return svc.(stack.Killer).Kill(ctx) },
		"pause":   func() error { return svc.Pause(ctx) },
		"unpause": func() error { return svc.Unpause(ctx) },
	} {
		require.ErrorIs(t, do(), stack.ErrNotOurs, action)
	}
	env := stack.EnvOf("20990101-000000-abcdef", map[string]stack.Service{stack.Postgres: svc, stack.Redis: svc, stack.App: svc})
	injectRefused(t, ctx, env)

	stat, err := os.ReadFile("/proc/" + strconv.Itoa(cmd.Process.Pid) + "/stat")
	require.NoError(t, err)
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	assert.NotContains(t, "TtZX", fields[0], "the process runs on, neither stopped (T) nor gone (Z, X)")
}

// Cleanup finds every process of a local run, also Redis and PostgreSQL,
// which write their process titles over the environment that carries
// FIREDRILL_RUN.
func TestLeftoversOfALocalRunIncludeRedisAndPostgres(t *testing.T) {
	env := stacktest.Start(t, "local", stacktest.Config(t).Stack)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	l, err := stack.FindLeftovers(ctx, env.RunID)
	require.NoError(t, err)
	comms := map[string]bool{}
	for _, pid := range l.Processes {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/comm")
		if err == nil {
			comms[strings.TrimSpace(string(b))] = true
		}
	}
	assert.True(t, comms["redis-server"], "redis-server among %v", comms)
	assert.True(t, comms["postgres"], "postgres among %v", comms)
}
