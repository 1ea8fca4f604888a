package injectors

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/stack"
)

// appVersion is the version the app reports, or "" when it does not answer.
func appVersion(ctx context.Context, t *testing.T, env *stack.Env) string {
	t.Helper()
	var v struct {
		Version string `json:"version"`
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, env.AppURL+"/version", nil)
	require.NoError(t, err)
	resp, err := httpClient.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	require.NoError(t, decodeJSON(resp, &v))
	return v.Version
}

func releases(ctx context.Context, t *testing.T, env *stack.Env) []string {
	t.Helper()
	rows, err := env.Postgres.Query(ctx, `SELECT version || coalesce(nullif(':' || defect, ':'), '') FROM deployments ORDER BY id`)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

// TestBadDeploy runs on both providers: the fault needs nothing only one has.
func TestBadDeploy(t *testing.T) { onEachProvider(t, testBadDeploy) }

func testBadDeploy(t *testing.T, env *stack.Env, ctx context.Context) {
	target := Target{Env: env}
	const n = 200
	before := appVersion(ctx, t, env)
	require.NotEmpty(t, before)

	t.Run("errors: the new version fails its share until rolled back", func(t *testing.T) {
		require.NoError(t, env.Reset(ctx))
		inj, err := New("bad-deploy", map[string]string{"version": "2.0.0", "failure": "errors", "percent": "30"})
		require.NoError(t, err)
		t.Cleanup(func() { _ = inj.Recover(context.Background(), target) })

		require.NoError(t, inj.Inject(ctx, target))
		assert.Equal(t, "2.0.0", appVersion(ctx, t, env))
		got := failures(ctx, t, env, "/api/content/public", n)
		assert.InDelta(t, 0.30, float64(got)/n, 0.02, "%d of %d failed", got, n)
		code, err := call(ctx, http.MethodGet, env.AppURL+"/health", "")
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, code, "health is not an API endpoint: the release passes its health check")

		require.NoError(t, inj.Recover(ctx, target))
		assert.Equal(t, before, appVersion(ctx, t, env), "back on the previous version")
		assert.Zero(t, failures(ctx, t, env, "/api/content/public", n))
		require.NoError(t, inj.Recover(ctx, target), "a second recover is harmless")
		assert.Equal(t, before, appVersion(ctx, t, env))
		assert.Equal(t, []string{before, "2.0.0:errors", before}, releases(ctx, t, env), "the history keeps every release")
	})

	t.Run("crash: the new version does not start until rolled back", func(t *testing.T) {
		require.NoError(t, env.Reset(ctx))
		inj, err := New("bad-deploy", map[string]string{"failure": "crash"})
		require.NoError(t, err)
		t.Cleanup(func() { _ = inj.Recover(context.Background(), target) })

		require.NoError(t, inj.Inject(ctx, target))
		_, err = call(ctx, http.MethodGet, env.AppURL+"/health", "")
		require.Error(t, err, "the app is down")

		require.NoError(t, inj.Recover(ctx, target))
		waitStatus(ctx, t, env.AppURL+"/health", http.StatusOK)
		assert.Equal(t, before, appVersion(ctx, t, env))
		require.NoError(t, inj.Recover(ctx, target), "a second recover is harmless")
		assert.Equal(t, before, appVersion(ctx, t, env))
	})

	t.Run("recovers after an inject with a cancelled context", func(t *testing.T) {
		require.NoError(t, env.Reset(ctx))
		inj, err := New("bad-deploy", nil)
		require.NoError(t, err)
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		require.Error(t, inj.Inject(cancelled, target))
		require.NoError(t, inj.Recover(ctx, target))
		assert.Equal(t, before, appVersion(ctx, t, env))
		assert.Zero(t, failures(ctx, t, env, "/api/content/public", n))
	})

	t.Run("recovers after an inject that recorded the release but never restarted", func(t *testing.T) {
		require.NoError(t, env.Reset(ctx))
		_, err := env.Postgres.Exec(ctx, `INSERT INTO deployments (version, defect) VALUES ('9.9.9', 'crash')`)
		require.NoError(t, err)
		inj, err := New("bad-deploy", map[string]string{"failure": "crash"})
		require.NoError(t, err)
		require.NoError(t, inj.Recover(ctx, target))
		assert.Equal(t, before, appVersion(ctx, t, env))
		app, err := env.Service(stack.App)
		require.NoError(t, err)
		require.NoError(t, app.Restart(ctx), "the release the app would start now is a good one")
		assert.Equal(t, before, appVersion(ctx, t, env))
	})
}
