package injectors

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/internal/stacktest"
	"github.com/firedrill/firedrill/stack"
)

// TestLocalProvider drills the service faults on the local provider's
// processes: every fault must work on both providers (the docker tests of
// each fault go further).
func TestLocalProvider(t *testing.T) {
	env := stacktest.Start(t, "local", stacktest.Config(t).Stack)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	t.Cleanup(cancel)
	target := Target{Env: env}
	health := env.AppURL + env.Config.App.HealthPath

	cycle := func(t *testing.T, fault string, params map[string]string, down func(t *testing.T)) {
		t.Helper()
		inj, err := New(fault, params)
		require.NoError(t, err)
		t.Cleanup(func() { _ = inj.Recover(context.Background(), target) })
		require.NoError(t, inj.Inject(ctx, target))
		down(t)
		require.NoError(t, inj.Recover(ctx, target))
		waitStatus(ctx, t, health, http.StatusOK)
		require.NoError(t, inj.Recover(ctx, target), "a second recover is harmless")
		waitStatus(ctx, t, health, http.StatusOK)
	}

	for _, mode := range []string{"kill", "stop", "pause"} {
		t.Run("service-outage "+mode, func(t *testing.T) {
			cycle(t, "service-outage", map[string]string{"mode": mode}, func(t *testing.T) {
				assert.False(t, appAnswers(ctx, env))
			})
		})
	}
	t.Run("service-outage crash-loop", func(t *testing.T) {
		cycle(t, "service-outage", map[string]string{"mode": "crash-loop"}, func(t *testing.T) {
			app, err := env.Service(stack.App)
			require.NoError(t, err)
			rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			_ = app.Start(rctx)
			cancel()
			waitFor(ctx, t, "the restarted app is killed again", func() (bool, string) {
				return !appAnswers(ctx, env), ""
			})
		})
	})
	for _, mode := range []string{"stop", "kill", "pause"} {
		t.Run("db-down "+mode, func(t *testing.T) {
			cycle(t, "db-down", map[string]string{"mode": mode}, func(t *testing.T) {
				waitStatus(ctx, t, health, http.StatusServiceUnavailable)
			})
		})
	}
	t.Run("cache-loss stop", func(t *testing.T) {
		cycle(t, "cache-loss", map[string]string{"mode": "stop"}, func(t *testing.T) {
			waitStatus(ctx, t, health, http.StatusServiceUnavailable)
			assert.Error(t, env.Redis.Ping(ctx).Err())
		})
	})
	t.Run("cache-loss flush", func(t *testing.T) {
		cycle(t, "cache-loss", map[string]string{"mode": "flush"}, func(t *testing.T) {
			n, err := env.Redis.DBSize(ctx).Result()
			require.NoError(t, err)
			assert.Zero(t, n)
		})
	})
	t.Run("slow-queries table", func(t *testing.T) {
		cycle(t, "slow-queries", map[string]string{"sessions": "2"}, func(t *testing.T) {
			require.NoError(t, env.Redis.FlushAll(ctx).Err())
			code, err := call(ctx, http.MethodGet, env.AppURL+"/api/content/public?page=2", "")
			require.NoError(t, err)
			assert.Equal(t, http.StatusServiceUnavailable, code, "an uncached read waits behind the lock and times out")
		})
	})
}
