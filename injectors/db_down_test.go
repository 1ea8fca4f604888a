package injectors

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/stack"
)

func TestDBDown(t *testing.T) {
	env, ctx := startStack(t)
	target := Target{Env: env}
	health := env.AppURL + env.Config.App.HealthPath

	// connects says whether a new session gets through within two seconds.
	connects := func() error {
		cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		defer cancel()
		conn, err := pgx.Connect(cctx, env.PostgresURL)
		if err != nil {
			return err
		}
		return conn.Close(cctx)
	}
	counts := func(t *testing.T) map[string]int {
		t.Helper()
		out := map[string]int{}
		for _, table := range []string{"users", "content", "analytics", "payments"} {
			var n int
			require.NoError(t, env.Postgres.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n))
			out[table] = n
		}
		return out
	}
	healthy := func(t *testing.T) {
		t.Helper()
		waitStatus(ctx, t, health, http.StatusOK)
		code, err := call(ctx, http.MethodPost, env.AppURL+"/api/auth/login", login)
		require.NoError(t, err)
		assert.Equal(t, http.StatusUnauthorized, code, "login reaches the database again")
		require.NoError(t, connects(), "new connections are accepted again")
	}
	before := counts(t)

	for _, mode := range []string{"stop", "kill", "pause"} {
		t.Run(mode+" takes the database away until recovered", func(t *testing.T) {
			inj, err := New("db-down", map[string]string{"mode": mode})
			require.NoError(t, err)
			t.Cleanup(func() { _ = inj.Recover(context.Background(), target) })
			require.NoError(t, inj.Inject(ctx, target))

			require.Error(t, connects(), "a new connection fails while %s", mode)
			waitStatus(ctx, t, health, http.StatusServiceUnavailable)
			code, err := call(ctx, http.MethodPost, env.AppURL+"/api/auth/login", login)
			require.NoError(t, err, "the app itself still answers")
			assert.Equal(t, http.StatusServiceUnavailable, code, "its database work fails")

			require.NoError(t, inj.Recover(ctx, target))
			healthy(t)
			require.NoError(t, inj.Recover(ctx, target), "a second recover is harmless")
			healthy(t)
			assert.Equal(t, before, counts(t), "no committed row is lost")
		})
	}

	t.Run("recovers after an inject with a cancelled context", func(t *testing.T) {
		for _, mode := range []string{"stop", "kill", "pause"} {
			inj, err := New("db-down", map[string]string{"mode": mode})
			require.NoError(t, err)
			cancelled, cancel := context.WithCancel(ctx)
			cancel()
			require.Error(t, inj.Inject(cancelled, target), mode)
			require.NoError(t, inj.Recover(ctx, target), mode)
			healthy(t)
		}
	})

	t.Run("recovers a database a half-done inject left paused", func(t *testing.T) {
		pg, err := env.Service(stack.Postgres)
		require.NoError(t, err)
		require.NoError(t, pg.Pause(ctx))
		require.Error(t, connects())
		require.NoError(t, new(DBDown).Recover(ctx, target))
		healthy(t)
	})

	t.Run("recover without inject is harmless", func(t *testing.T) {
		require.NoError(t, new(DBDown).Recover(ctx, target))
		healthy(t)
	})
}
