package injectors

import (
	"context"
	"net/http"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const poolSessions = SessionPrefix + "db-pool-exhaustion-"

// login is a request that always needs a database session (a wrong
// password, so it answers 401 when the database answers).
const login = `{"email":"user1@example.com","password":"wrong"}`

func TestPoolExhaustion(t *testing.T) {
	env, ctx := startStack(t)
	target := Target{Env: env}
	health := env.AppURL + env.Config.App.HealthPath

	// healthy checks the stack is back to normal: the app healthy, its
	// database work answering, new connections accepted, no fault session.
	healthy := func(t *testing.T) {
		t.Helper()
		waitStatus(ctx, t, health, http.StatusOK)
		code, err := call(ctx, http.MethodPost, env.AppURL+"/api/auth/login", login)
		require.NoError(t, err)
		assert.Equal(t, http.StatusUnauthorized, code, "login reaches the database again")
		conn, err := pgx.Connect(ctx, env.PostgresURL)
		require.NoError(t, err, "new connections are accepted again")
		require.NoError(t, conn.Close(ctx))
		waitNoFaultSessions(ctx, t, env, poolSessions)
	}

	t.Run("starves the app until recovered", func(t *testing.T) {
		inj, err := New("db-pool-exhaustion", nil)
		require.NoError(t, err)
		t.Cleanup(func() { _ = inj.Recover(context.Background(), target) })
		require.NoError(t, inj.Inject(ctx, target))

		_, err = pgx.Connect(ctx, env.PostgresURL)
		require.Error(t, err, "a new connection must be refused")
		assert.True(t, tooManyClients(err), "refused for want of a slot (53300), got: %v", err)

		waitStatus(ctx, t, health, http.StatusServiceUnavailable)
		code, err := call(ctx, http.MethodPost, env.AppURL+"/api/auth/login", login)
		require.NoError(t, err)
		assert.Equal(t, http.StatusServiceUnavailable, code, "the app's database work fails")

		// The harness still acts, through its own (spared) pool.
		var sleeping int
		require.NoError(t, env.Postgres.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE starts_with(application_name, $1) AND state = 'active' AND query LIKE '%pg_sleep%'`, poolSessions).Scan(&sleeping))
		assert.Positive(t, sleeping, "the fault's sessions sit in pg_sleep")
		var maxConns, total int
		require.NoError(t, env.Postgres.QueryRow(ctx, `SELECT current_setting('max_connections')::int,
			(SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend')`).Scan(&maxConns, &total))
		assert.Equal(t, maxConns, total, "every slot is taken, the superuser-reserved ones included")

		require.NoError(t, inj.Recover(ctx, target))
		healthy(t)
		require.NoError(t, inj.Recover(ctx, target), "a second recover is harmless")
		healthy(t)
	})

	t.Run("holds the number of sessions asked for", func(t *testing.T) {
		inj, err := New("db-pool-exhaustion", map[string]string{"connections": "3"})
		require.NoError(t, err)
		t.Cleanup(func() { _ = inj.Recover(context.Background(), target) })
		require.NoError(t, inj.Inject(ctx, target))
		var sleeping int
		require.NoError(t, env.Postgres.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE starts_with(application_name, $1) AND query LIKE '%pg_sleep%'`, poolSessions).Scan(&sleeping))
		assert.Equal(t, 3, sleeping)
		require.NoError(t, inj.Recover(ctx, target))
		healthy(t)
	})

	t.Run("recovers after an inject with a cancelled context", func(t *testing.T) {
		inj, err := New("db-pool-exhaustion", nil)
		require.NoError(t, err)
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		require.Error(t, inj.Inject(cancelled, target))
		require.NoError(t, inj.Recover(ctx, target))
		healthy(t)
	})

	t.Run("recovers after an inject that failed midway", func(t *testing.T) {
		inj := &PoolExhaustion{failAfter: 5}
		t.Cleanup(func() { _ = inj.Recover(context.Background(), target) })
		err := inj.Inject(ctx, target)
		require.ErrorIs(t, err, errFailAfter)
		assert.Equal(t, 6, faultSessions(ctx, t, env, poolSessions), "five sleeping sessions and the control one are left behind")
		require.NoError(t, inj.Recover(ctx, target))
		healthy(t)
		require.NoError(t, inj.Recover(ctx, target))
	})

	t.Run("recover without inject is harmless", func(t *testing.T) {
		require.NoError(t, new(PoolExhaustion).Recover(ctx, target))
	})
}
