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

// quick answers whether the app answers anything within a second: a frozen
// app accepts the connection and never answers.
var quick = &http.Client{Timeout: time.Second}

func appAnswers(ctx context.Context, env *stack.Env) bool {
	return answers(ctx, quick, env.AppURL+env.Config.App.HealthPath)
}

func TestServiceOutage(t *testing.T) {
	env, ctx := startStack(t)
	target := Target{Env: env}
	health := env.AppURL + env.Config.App.HealthPath

	healthy := func(t *testing.T) {
		t.Helper()
		waitStatus(ctx, t, health, http.StatusOK)
	}

	for _, mode := range []string{"kill", "stop", "pause"} {
		t.Run(mode+" takes the app down until recovered", func(t *testing.T) {
			inj, err := New("service-outage", map[string]string{"mode": mode})
			require.NoError(t, err)
			t.Cleanup(func() { _ = inj.Recover(context.Background(), target) })
			require.NoError(t, inj.Inject(ctx, target))
			assert.False(t, appAnswers(ctx, env), "the app answers nothing while %s", mode)
			code, err := call(ctx, http.MethodGet, env.AppURL+"/metrics", "")
			assert.Error(t, err, "its metrics do not answer either (got %d)", code)

			require.NoError(t, inj.Recover(ctx, target))
			healthy(t)
			require.NoError(t, inj.Recover(ctx, target), "a second recover is harmless")
			healthy(t)
		})
	}

	t.Run("crash-loop kills the app again when it is restarted", func(t *testing.T) {
		inj, err := New("service-outage", map[string]string{"mode": "crash-loop"})
		require.NoError(t, err)
		t.Cleanup(func() { _ = inj.Recover(context.Background(), target) })
		require.NoError(t, inj.Inject(ctx, target))
		so := inj.(*ServiceOutage)
		assert.Equal(t, 1, so.Crashes())
		assert.False(t, appAnswers(ctx, env))

		// The on-call's quick fix 1: restart. The app comes back and dies.
		app, err := env.Service(stack.App)
		require.NoError(t, err)
		rctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		_ = app.Restart(rctx) // may report the app never became ready: it died
		cancel()
		waitFor(ctx, t, "the restarted app is killed again", func() (bool, string) {
			return so.Crashes() >= 2 && !appAnswers(ctx, env), ""
		})

		require.NoError(t, inj.Recover(ctx, target))
		healthy(t)
		crashes := so.Crashes()
		time.Sleep(500 * time.Millisecond) // the loop polls every 50 ms
		assert.Equal(t, crashes, so.Crashes(), "no kill after recover")
		assert.True(t, appAnswers(ctx, env))
		require.NoError(t, inj.Recover(ctx, target))
		healthy(t)
	})

	t.Run("recovers after an inject with a cancelled context", func(t *testing.T) {
		for _, mode := range []string{"kill", "stop", "pause", "crash-loop"} {
			inj, err := New("service-outage", map[string]string{"mode": mode})
			require.NoError(t, err)
			cancelled, cancel := context.WithCancel(ctx)
			cancel()
			require.Error(t, inj.Inject(cancelled, target), mode)
			require.NoError(t, inj.Recover(ctx, target), mode)
			healthy(t)
		}
	})

	t.Run("recovers an app a half-done inject left down", func(t *testing.T) {
		// The kill went through but Inject never returned (the drill was
		// interrupted): Recover must still bring the app back.
		inj := new(ServiceOutage)
		app, err := env.Service(stack.App)
		require.NoError(t, err)
		require.NoError(t, app.(stack.Killer).Kill(ctx))
		require.False(t, appAnswers(ctx, env))
		require.NoError(t, inj.Recover(ctx, target))
		healthy(t)
	})

	t.Run("recover without inject is harmless", func(t *testing.T) {
		require.NoError(t, new(ServiceOutage).Recover(ctx, target))
		healthy(t)
	})

	t.Run("bad mode is refused before anything starts", func(t *testing.T) {
		_, err := New("service-outage", map[string]string{"mode": "explode"})
		require.ErrorIs(t, err, ErrBadParam)
	})
}
