package injectors

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/stack"
)

func TestCacheLoss(t *testing.T) {
	env, ctx := startStack(t)
	target := Target{Env: env}
	health := env.AppURL + env.Config.App.HealthPath
	page := env.AppURL + "/api/content/public?page=1"

	// cacheHeader is what the app says about one content request: hit or
	// miss (X-Cache), and its status.
	cacheHeader := func(t *testing.T) (string, int) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, page, nil)
		require.NoError(t, err)
		resp, err := httpClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.Header.Get("X-Cache"), resp.StatusCode
	}
	warm := func(t *testing.T) {
		t.Helper()
		waitFor(ctx, t, "a content page is served from the cache", func() (bool, string) {
			c, code := cacheHeader(t)
			return c == "hit" && code == http.StatusOK, c
		})
	}
	healthy := func(t *testing.T) {
		t.Helper()
		waitStatus(ctx, t, health, http.StatusOK)
		require.NoError(t, env.Redis.Ping(ctx).Err())
		warm(t)
	}

	t.Run("flush empties the cache and the app reads the database", func(t *testing.T) {
		warm(t)
		keys, err := env.Redis.DBSize(ctx).Result()
		require.NoError(t, err)
		require.Positive(t, keys)
		inj, err := New("cache-loss", map[string]string{"mode": "flush"})
		require.NoError(t, err)
		t.Cleanup(func() { _ = inj.Recover(context.Background(), target) })
		require.NoError(t, inj.Inject(ctx, target))
		keys, err = env.Redis.DBSize(ctx).Result()
		require.NoError(t, err)
		assert.Zero(t, keys, "every key is gone")
		c, code := cacheHeader(t)
		assert.Equal(t, "miss", c, "the next request misses")
		assert.Equal(t, http.StatusOK, code, "and is served from Postgres")
		require.NoError(t, inj.Recover(ctx, target))
		require.NoError(t, inj.Recover(ctx, target), "a second recover is harmless")
		healthy(t)
	})

	t.Run("stop takes Redis away until recovered", func(t *testing.T) {
		inj, err := New("cache-loss", nil)
		require.NoError(t, err)
		t.Cleanup(func() { _ = inj.Recover(context.Background(), target) })
		require.NoError(t, inj.Inject(ctx, target))
		assert.Error(t, env.Redis.Ping(ctx).Err(), "redis answers nothing")
		waitStatus(ctx, t, health, http.StatusServiceUnavailable)
		for range 3 {
			c, code := cacheHeader(t)
			assert.Equal(t, "miss", c, "no request is served from the cache")
			assert.Equal(t, http.StatusOK, code, "content is still served, from Postgres")
		}
		require.NoError(t, inj.Recover(ctx, target))
		healthy(t)
		require.NoError(t, inj.Recover(ctx, target), "a second recover is harmless")
		healthy(t)
	})

	t.Run("recovers after an inject with a cancelled context", func(t *testing.T) {
		for _, mode := range []string{"flush", "stop"} {
			inj, err := New("cache-loss", map[string]string{"mode": mode})
			require.NoError(t, err)
			cancelled, cancel := context.WithCancel(ctx)
			cancel()
			require.Error(t, inj.Inject(cancelled, target), mode)
			require.NoError(t, inj.Recover(ctx, target), mode)
			healthy(t)
		}
	})

	t.Run("recovers a Redis a half-done inject left stopped", func(t *testing.T) {
		r, err := env.Service(stack.Redis)
		require.NoError(t, err)
		require.NoError(t, r.Stop(ctx))
		require.NoError(t, new(CacheLoss).Recover(ctx, target))
		healthy(t)
	})
}
