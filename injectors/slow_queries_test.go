package injectors

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const slowSessions = SessionPrefix + "slow-queries-"

func TestSlowQueries(t *testing.T) {
	env, ctx := startStack(t)
	target := Target{Env: env}
	health := env.AppURL + env.Config.App.HealthPath

	// try runs sql on a fresh session, giving up after half a second: a
	// statement that waits for a lock fails with a lock timeout (55P03).
	try := func(t *testing.T, sql string) error {
		t.Helper()
		conn, err := pgx.Connect(ctx, env.PostgresURL)
		require.NoError(t, err)
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, "SET lock_timeout = '500ms'")
		require.NoError(t, err)
		_, err = conn.Exec(ctx, sql)
		return err
	}
	lockTimeout := func(err error) bool {
		var pgErr *pgconn.PgError
		return assert.ErrorAs(t, err, &pgErr) && pgErr.Code == "55P03"
	}
	const read, write = "SELECT count(*) FROM content", "UPDATE content SET title = title WHERE id = 1"
	// contentMiss asks the app for a content page that is not cached.
	contentMiss := func(t *testing.T) int {
		t.Helper()
		require.NoError(t, env.Redis.FlushAll(ctx).Err())
		code, err := call(ctx, http.MethodGet, env.AppURL+"/api/content/public?page=3", "")
		require.NoError(t, err)
		return code
	}
	active := func(t *testing.T) int {
		t.Helper()
		var n int
		require.NoError(t, env.Postgres.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE starts_with(application_name, $1) AND state = 'active'`, slowSessions).Scan(&n))
		return n
	}
	healthy := func(t *testing.T) {
		t.Helper()
		waitNoFaultSessions(ctx, t, env, slowSessions)
		require.NoError(t, try(t, read))
		require.NoError(t, try(t, write))
		waitStatus(ctx, t, health, http.StatusOK)
		assert.Equal(t, http.StatusOK, contentMiss(t))
	}

	t.Run("table lock queues every read of the table", func(t *testing.T) {
		inj, err := New("slow-queries", map[string]string{"sessions": "3"})
		require.NoError(t, err)
		t.Cleanup(func() { _ = inj.Recover(context.Background(), target) })
		require.NoError(t, inj.Inject(ctx, target))
		lockTimeout(try(t, read))
		lockTimeout(try(t, write))
		waitFor(ctx, t, "the long transaction and 3 runaway queries are active", func() (bool, string) {
			n := active(t)
			return n == 4, fmt.Sprintf("active: %d", n)
		})
		// The app's uncached reads wait behind the lock until its own 2 s
		// database timeout, and fail.
		assert.Equal(t, http.StatusServiceUnavailable, contentMiss(t))

		require.NoError(t, inj.Recover(ctx, target))
		healthy(t)
		require.NoError(t, inj.Recover(ctx, target), "a second recover is harmless")
		healthy(t)
	})

	t.Run("row locks stop writers, not readers", func(t *testing.T) {
		inj, err := New("slow-queries", map[string]string{"lock": "row", "sessions": "0"})
		require.NoError(t, err)
		t.Cleanup(func() { _ = inj.Recover(context.Background(), target) })
		require.NoError(t, inj.Inject(ctx, target))
		require.NoError(t, try(t, read))
		lockTimeout(try(t, write))
		assert.Equal(t, http.StatusOK, contentMiss(t), "the app only reads the table")
		require.NoError(t, inj.Recover(ctx, target))
		healthy(t)
	})

	t.Run("runaway queries alone lock nothing the app needs", func(t *testing.T) {
		inj, err := New("slow-queries", map[string]string{"lock": "none", "sessions": "2"})
		require.NoError(t, err)
		t.Cleanup(func() { _ = inj.Recover(context.Background(), target) })
		require.NoError(t, inj.Inject(ctx, target))
		waitFor(ctx, t, "2 runaway queries are active", func() (bool, string) { return active(t) == 2, "" })
		require.NoError(t, try(t, read))
		require.NoError(t, try(t, write))
		require.NoError(t, inj.Recover(ctx, target))
		healthy(t)
	})

	t.Run("recovers after an inject with a cancelled context", func(t *testing.T) {
		inj, err := New("slow-queries", nil)
		require.NoError(t, err)
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		require.Error(t, inj.Inject(cancelled, target))
		require.NoError(t, inj.Recover(ctx, target))
		healthy(t)
	})

	t.Run("recovers after an inject that failed midway", func(t *testing.T) {
		inj := &SlowQueries{Sessions: 2, Lock: "table", Table: "content", failAfterLock: true}
		t.Cleanup(func() { _ = inj.Recover(context.Background(), target) })
		require.ErrorIs(t, inj.Inject(ctx, target), errFailAfter)
		assert.Equal(t, 1, faultSessions(ctx, t, env, slowSessions), "the lock holder is left behind")
		lockTimeout(try(t, read))
		require.NoError(t, inj.Recover(ctx, target))
		healthy(t)
		require.NoError(t, inj.Recover(ctx, target))
	})

	t.Run("recover without inject is harmless", func(t *testing.T) {
		require.NoError(t, new(SlowQueries).Recover(ctx, target))
	})

	t.Run("bad parameters are refused before anything starts", func(t *testing.T) {
		_, err := New("slow-queries", map[string]string{"lock": "page"})
		require.ErrorIs(t, err, ErrBadParam)
		_, err = New("slow-queries", map[string]string{"table": "content; drop"})
		require.ErrorIs(t, err, ErrBadParam)
		_, err = New("slow-queries", map[string]string{"lock": "none", "sessions": "0"})
		require.ErrorIs(t, err, ErrBadParam)
	})
}
