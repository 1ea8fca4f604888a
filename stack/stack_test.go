package stack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/internal/stacktest"
	"github.com/firedrill/firedrill/stack"
)

func get(t *testing.T, url string, timeout time.Duration) (int, string, error) {
	t.Helper()
	c := http.Client{Timeout: timeout}
	resp, err := c.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

func TestDockerStack(t *testing.T) { testProvider(t, "docker") }

func TestLocalStack(t *testing.T) { testProvider(t, "local") }

// testProvider runs the same checks on each provider: services answer,
// metrics are exported, stop/start and pause/unpause act, reset restores.
func testProvider(t *testing.T, provider string) {
	cfg := stacktest.Config(t)
	env := stacktest.Start(t, provider, cfg.Stack)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	var one int
	require.NoError(t, env.Postgres.QueryRow(ctx, "SELECT 1").Scan(&one))
	assert.Equal(t, "PONG", env.Redis.Ping(ctx).Val())

	code, body, err := get(t, env.AppURL+"/health", 5*time.Second)
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code, body)
	if provider == "docker" {
		assert.Equal(t, "/tmp/firedrill-backup-"+env.RunID+".dump", env.BackupPath(), "backups are in the container's /tmp")
	}

	t.Run("metrics", func(t *testing.T) {
		// Traffic first, so the labelled series exist.
		for _, p := range []string{"/api/content/public", "/api/content/public", "/api/auth/status"} {
			_, _, err := get(t, env.AppURL+p, 5*time.Second)
			require.NoError(t, err)
		}
		req, _ := http.NewRequest(http.MethodGet, env.AppURL+"/api/auth/status", nil)
		req.Header.Set("Authorization", "Bearer 1.forged")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
		_, metrics, err := get(t, env.AppURL+"/metrics", 5*time.Second)
		require.NoError(t, err)
		assertSeries(t, metrics, "\nhttp_requests_total{", "\nhttp_request_duration_seconds_bucket{",
			"\ndb_pool_acquired_connections ", "\ndb_pool_idle_connections ", "\ndb_pool_max_connections 10",
			"\ndb_pool_acquire_wait_seconds_total ", "\ncache_hits_total 1", "\ncache_misses_total 1",
			"\nauth_failures_total{source=", "\nwebhook_errors_total{reason=")
		byJob := map[string]stack.MetricsTarget{}
		for _, tg := range env.Targets {
			byJob[tg.Job] = tg
		}
		require.Contains(t, byJob, "postgres")
		require.Contains(t, byJob, "redis")
		_, pgm, err := get(t, byJob["postgres"].URL, 10*time.Second)
		require.NoError(t, err)
		assertSeries(t, pgm, "\npg_up 1", "\npg_stat_activity_count{", "\npg_settings_max_connections{")
		assert.Regexp(t, `\npg_settings_max_connections\{[^}]*\} 30\n`, pgm)
		_, rm, err := get(t, byJob["redis"].URL, 10*time.Second)
		require.NoError(t, err)
		assertSeries(t, rm, "\nredis_up 1", "\nredis_connected_clients ")
	})

	t.Run("postgres stop and start", func(t *testing.T) {
		pg, err := env.Service(stack.Postgres)
		require.NoError(t, err)
		require.NoError(t, pg.Stop(ctx))
		code, body, err := get(t, env.AppURL+"/health", 10*time.Second)
		require.NoError(t, err)
		assert.Equal(t, http.StatusServiceUnavailable, code)
		var h struct {
			Failed []string `json:"failed"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &h), body)
		assert.Equal(t, []string{"postgres"}, h.Failed)

		require.NoError(t, pg.Start(ctx))
		require.NoError(t, env.WaitHealthy(ctx, 30*time.Second))
	})

	t.Run("app pause and unpause", func(t *testing.T) {
		app, err := env.Service(stack.App)
		require.NoError(t, err)
		require.NoError(t, app.Pause(ctx))
		_, _, err = get(t, env.AppURL+"/health", 500*time.Millisecond)
		require.Error(t, err, "a paused app must not answer")
		require.NoError(t, app.Unpause(ctx))
		code, _, err := get(t, env.AppURL+"/health", 5*time.Second)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, code)
	})

	t.Run("exec", func(t *testing.T) {
		pg, err := env.Service(stack.Postgres)
		require.NoError(t, err)
		res, err := pg.Exec(ctx, "psql", "-U", cfg.Stack.Postgres.User, "-d", cfg.Stack.Postgres.Database, "-tAc", "SELECT count(*) FROM users")
		require.NoError(t, err)
		assert.Equal(t, 0, res.ExitCode, res.Output)
		assert.Contains(t, res.Output, "2000")
	})

	t.Run("app login", func(t *testing.T) { testAppLogin(ctx, t, env) })

	t.Run("reset restores seeded data", func(t *testing.T) {
		before := tableStates(ctx, t, env)
		_, err := env.Postgres.Exec(ctx, "DELETE FROM analytics WHERE id % 3 = 0")
		require.NoError(t, err)
		_, err = env.Postgres.Exec(ctx, "DELETE FROM payments WHERE id % 2 = 0")
		require.NoError(t, err)
		_, err = env.Postgres.Exec(ctx, "UPDATE content SET title = 'defaced' WHERE id < 100")
		require.NoError(t, err)
		require.NoError(t, env.Redis.Set(ctx, "junk", "1", 0).Err())
		require.NotEqual(t, before, tableStates(ctx, t, env))

		require.NoError(t, env.Reset(ctx))
		assert.Equal(t, before, tableStates(ctx, t, env))
		assert.Zero(t, env.Redis.Exists(ctx, "junk").Val())
		code, _, err := get(t, env.AppURL+"/api/content/public", 5*time.Second)
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, code)
	})

	// What rows alone cannot undo: a schema change and a database setting.
	t.Run("reset undoes schema and settings changes", func(t *testing.T) {
		before := tableStates(ctx, t, env)
		_, err := env.Postgres.Exec(ctx, "ALTER TABLE payments ADD COLUMN refunded boolean")
		require.NoError(t, err)
		_, err = env.Postgres.Exec(ctx, "DELETE FROM users WHERE id > 1500")
		require.Error(t, err, "content rows reference these users")
		_, err = env.Postgres.Exec(ctx, "ALTER DATABASE "+cfg.Stack.Postgres.Database+" SET default_transaction_read_only = on")
		require.NoError(t, err)

		require.NoError(t, env.Reset(ctx))
		var cols int
		require.NoError(t, env.Postgres.QueryRow(ctx, `SELECT count(*) FROM information_schema.columns
			WHERE table_name = 'payments' AND column_name = 'refunded'`).Scan(&cols))
		assert.Zero(t, cols)
		var ro string
		require.NoError(t, env.Postgres.QueryRow(ctx, "SHOW default_transaction_read_only").Scan(&ro))
		assert.Equal(t, "off", ro)
		assert.Equal(t, before, tableStates(ctx, t, env))
	})
}

// assertSeries names each series prefix missing from a metrics page,
// without printing the whole page.
func assertSeries(t *testing.T, page string, prefixes ...string) {
	t.Helper()
	for _, p := range prefixes {
		if !strings.Contains(page, p) {
			t.Errorf("metrics page lacks %q", strings.TrimPrefix(p, "\n"))
		}
	}
}

// tableStates is each seeded table's row count and content checksum.
func tableStates(ctx context.Context, t *testing.T, env *stack.Env) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, table := range []string{"users", "content", "analytics", "payments"} {
		var n int
		var sum string
		err := env.Postgres.QueryRow(ctx, `SELECT count(*), coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM `+table+` t`).Scan(&n, &sum)
		require.NoError(t, err)
		out[table] = fmt.Sprintf("%d:%s", n, sum)
	}
	return out
}
