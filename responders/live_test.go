package responders_test

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/internal/stacktest"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/stack"
)

// TestLive runs every step kind, and every shipped playbook against the
// fault it answers, on one real stack (docker provider); each subtest
// starts from env.Reset. The subtests live beside what they test
// (step_sql_test.go, ..., e2e_test.go).
func TestLive(t *testing.T) {
	env := stacktest.Start(t, "docker", stacktest.Config(t).Stack)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	t.Cleanup(cancel)
	// The app's flags outlive env.Reset: put them back after each test.
	reset := func(t *testing.T) {
		t.Helper()
		require.NoError(t, env.Reset(ctx))
		setFlags(ctx, t, env, `{"features":{"new_feature":true},"maintenance":false,"read_only":false,"failure":{"percent":0}}`)
	}
	for _, c := range []struct {
		name string
		test func(context.Context, *testing.T, *stack.Env)
	}{
		{"sql", testSQLStep},
		{"redis", testRedisStep},
		{"http", testHTTPStep},
		{"shell", testShellStep},
		{"container", testContainerStep},
		{"flag", testFlagStep},
		{"exec", testExecStep},
		{"wait", testWaitStep},
		{"db-recovery after db-pool-exhaustion", testDBRecovery},
		{"disable-feature after error-spike", testDisableFeature},
		{"data-restore after data-deletion", testDataRestore},
	} {
		t.Run(c.name, func(t *testing.T) {
			reset(t)
			c.test(ctx, t, env)
		})
	}
}

// result is a playbook run's end.
type result struct {
	tl  *incident.Timeline
	err error
}

// finished is the StepFinished milestone of the named step.
func (r result) finished(t *testing.T, step string) incident.Milestone {
	t.Helper()
	m, ok := r.tl.First(incident.StepFinished, func(m incident.Milestone) bool { return m.Subject == step })
	require.True(t, ok, "step %q finished", step)
	return m
}

// runPlaybook writes text as a playbook in dir (a temporary one when
// empty) and runs it to its end on a compressed drill clock, ticking it
// as the drill would (without monitoring: q answers wait steps).
func runPlaybook(ctx context.Context, t *testing.T, env *stack.Env, dir, text string, q responders.Querier) result {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	path := filepath.Join(dir, "test.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	t.Cleanup(func() { _ = os.Remove(path) })
	pb, err := responders.Load(path)
	require.NoError(t, err)
	clock := incident.NewClock(incident.Compressed, 15*time.Second, time.Time{})
	return runLoaded(ctx, t, responders.NewRuntime(env, clock, q), pb, nil)
}

// runLoaded ticks a run of pb until it ends; tick, when set, runs first on
// each tick (a monitor's Tick).
func runLoaded(ctx context.Context, t *testing.T, rt *responders.Runtime, pb *responders.Playbook, tick func() error) result {
	t.Helper()
	tl := incident.NewTimeline(rt.Clock)
	run := responders.NewRun(pb, rt, tl, "responder:test", nil)
	for i := 0; ; i++ {
		require.Less(t, i, 2000, "the run ends")
		if tick != nil {
			require.NoError(t, tick())
		}
		done, err := run.Tick(ctx)
		if done {
			return result{tl: tl, err: err}
		}
		require.NoError(t, err)
		_, err = rt.Clock.Advance(ctx)
		require.NoError(t, err)
	}
}

var client = &http.Client{Timeout: 10 * time.Second}

// get returns a GET's status and body.
func get(ctx context.Context, t *testing.T, url string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	require.NoError(t, err)
	resp, err := client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func setFlags(ctx context.Context, t *testing.T, env *stack.Env, body string) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, env.AppURL+"/admin/flags", bytesReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
}

// eventually polls cond until it holds; the machine is shared and slow, so
// the timeout is generous and only bounds a hang.
func eventually(ctx context.Context, t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		ok, last := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			require.FailNow(t, "condition never held", "%s (last: %s)", what, last)
		}
		select {
		case <-ctx.Done():
		case <-time.After(100 * time.Millisecond):
		}
	}
}
