package injectors

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/internal/stacktest"
	"github.com/firedrill/firedrill/stack"
)

// startStack starts one docker stack for a test function; its subtests
// share it.
func startStack(t *testing.T) (*stack.Env, context.Context) {
	t.Helper()
	env := stacktest.Start(t, "docker", stacktest.Config(t).Stack)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	t.Cleanup(cancel)
	return env, ctx
}

var httpClient = &http.Client{Timeout: 10 * time.Second}

// call makes one request and returns its status code.
func call(ctx context.Context, method, url, body string) (int, error) {
	return callAt(ctx, method, url, body, time.Time{})
}

// trafficSeconds hands out the seconds test traffic stands for (its Date
// headers), each second once per test binary, so no two bursts share a
// rate-limit window.
var trafficSeconds = func() *atomic.Int64 {
	var n atomic.Int64
	n.Store(time.Now().Unix() + 3600)
	return &n
}()

// callAt is call with a Date header saying when the request stands for
// (the zero time: none).
func callAt(ctx context.Context, method, url, body string, date time.Time) (int, error) {
	var r io.Reader
	if body != "" {
		r = bytes.NewBufferString(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, r)
	if err != nil {
		return 0, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if !date.IsZero() {
		req.Header.Set("Date", date.UTC().Format(http.TimeFormat))
	}
	resp, err := httpClient.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// waitStatus polls url until it answers want; the machine is shared and
// slow, so the timeout is generous and only bounds a hang.
func waitStatus(ctx context.Context, t *testing.T, url string, want int) {
	t.Helper()
	waitFor(ctx, t, fmt.Sprintf("GET %s answers %d", url, want), func() (bool, string) {
		code, err := call(ctx, http.MethodGet, url, "")
		return err == nil && code == want, fmt.Sprintf("last: %d %v", code, err)
	})
}

// waitFor polls cond until it holds or a minute passes.
func waitFor(ctx context.Context, t *testing.T, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		ok, last := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			require.FailNow(t, "condition never held", "%s (%s)", what, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// faultSessions counts the Postgres sessions whose name starts with prefix.
func faultSessions(ctx context.Context, t *testing.T, env *stack.Env, prefix string) int {
	t.Helper()
	var n int
	require.NoError(t, env.Postgres.QueryRow(ctx,
		`SELECT count(*) FROM pg_stat_activity WHERE starts_with(application_name, $1)`, prefix).Scan(&n))
	return n
}

// waitNoFaultSessions waits until no session named with prefix is left.
func waitNoFaultSessions(ctx context.Context, t *testing.T, env *stack.Env, prefix string) {
	t.Helper()
	waitFor(ctx, t, "no session named "+prefix+"*", func() (bool, string) {
		n := faultSessions(ctx, t, env, prefix)
		return n == 0, fmt.Sprintf("%d left", n)
	})
}

// decodeJSON reads a response's JSON body into v.
func decodeJSON(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }

// onEachProvider runs test on a stack of each provider, as a subtest named
// after it; a provider this host lacks skips (or, under CI, fails) its
// subtest only.
func onEachProvider(t *testing.T, test func(t *testing.T, env *stack.Env, ctx context.Context)) {
	for _, p := range []string{"docker", "local"} {
		t.Run(p, func(t *testing.T) {
			env := stacktest.Start(t, p, stacktest.Config(t).Stack)
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
			t.Cleanup(cancel)
			test(t, env, ctx)
		})
	}
}
