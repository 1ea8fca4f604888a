package injectors

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/stack"
)

// failures sends n GETs to path and counts the 5xx answers.
func failures(ctx context.Context, t *testing.T, env *stack.Env, path string, n int) int {
	t.Helper()
	failed := 0
	// The requests stand for steady traffic of 20 a second, as the drill's
	// traffic does (its Date header): a burst would meet the app's global
	// rate limit (429), which is not the fault under test.
	start := trafficSeconds.Add(int64(n/20+1)) - int64(n/20+1)
	for i := range n {
		date := time.Unix(start+int64(i/20), 0)
		code, err := callAt(ctx, http.MethodGet, env.AppURL+path, "", date)
		require.NoError(t, err)
		if code >= 500 {
			failed++
		}
	}
	return failed
}

// setFeature flips a feature flag the way the disable-feature playbook does.
func setFeature(ctx context.Context, t *testing.T, env *stack.Env, on bool) {
	t.Helper()
	body := `{"features":{"new_feature":false}}`
	if on {
		body = `{"features":{"new_feature":true}}`
	}
	code, err := call(ctx, http.MethodPost, env.AppURL+"/admin/flags", body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code)
}

func TestErrorSpike(t *testing.T) {
	env, ctx := startStack(t)
	target := Target{Env: env}
	const n = 200
	// The app's flags outlive env.Reset: leave the feature on for the next.
	t.Cleanup(func() { setFeature(context.Background(), t, env, true) })

	t.Run("fails the default share until recovered", func(t *testing.T) {
		inj, err := New("error-spike", nil)
		require.NoError(t, err)
		t.Cleanup(func() { _ = inj.Recover(context.Background(), target) })
		percent := inj.(*ErrorSpike).Percent

		// An earlier drill's playbook may have left the feature off: the
		// fault must still take effect.
		setFeature(ctx, t, env, false)
		require.NoError(t, inj.Inject(ctx, target))
		got := failures(ctx, t, env, "/api/content/public", n)
		assert.InDelta(t, float64(percent)/100, float64(got)/n, 0.02, "%d of %d failed", got, n)

		// The disable-feature playbook's fix: turning the feature off stops it.
		setFeature(ctx, t, env, false)
		assert.Zero(t, failures(ctx, t, env, "/api/content/public", n))
		setFeature(ctx, t, env, true)
		assert.Positive(t, failures(ctx, t, env, "/api/content/public", n), "the fault is still injected")

		require.NoError(t, inj.Recover(ctx, target))
		assert.Zero(t, failures(ctx, t, env, "/api/content/public", n))
		require.NoError(t, inj.Recover(ctx, target), "a second recover is harmless")
		assert.Zero(t, failures(ctx, t, env, "/api/content/public", n))
	})

	t.Run("fails only the endpoints asked for", func(t *testing.T) {
		inj, err := New("error-spike", map[string]string{"percent": "20", "endpoints": "/api/auth/status"})
		require.NoError(t, err)
		t.Cleanup(func() { _ = inj.Recover(context.Background(), target) })
		require.NoError(t, inj.Inject(ctx, target))
		got := failures(ctx, t, env, "/api/auth/status", n)
		assert.InDelta(t, 0.20, float64(got)/n, 0.02, "%d of %d failed", got, n)
		assert.Zero(t, failures(ctx, t, env, "/api/content/public", n), "other endpoints are untouched")
		require.NoError(t, inj.Recover(ctx, target))
		assert.Zero(t, failures(ctx, t, env, "/api/auth/status", n))
	})

	t.Run("recovers after an inject with a cancelled context", func(t *testing.T) {
		inj, err := New("error-spike", nil)
		require.NoError(t, err)
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		require.Error(t, inj.Inject(cancelled, target))
		require.NoError(t, inj.Recover(ctx, target))
		assert.Zero(t, failures(ctx, t, env, "/api/content/public", n))
	})

	t.Run("recovers after an inject the app refused", func(t *testing.T) {
		// Built by hand, past New's range check, so the app says no.
		inj := &ErrorSpike{Percent: 150, Feature: "new_feature"}
		err := inj.Inject(ctx, target)
		require.Error(t, err)
		assert.ErrorContains(t, err, "400")
		require.NoError(t, inj.Recover(ctx, target))
		assert.Zero(t, failures(ctx, t, env, "/api/content/public", n))
	})
}
