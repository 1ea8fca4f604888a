package stack_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/internal/poll"
	"github.com/firedrill/firedrill/stack"
)

// testAppLogin: the app logs in with a role of its own, whose password a
// drill rotates while the app keeps serving, and Reset puts the pair back.
func testAppLogin(ctx context.Context, t *testing.T, env *stack.Env) {
	user := env.Config.Postgres.AppUser
	require.NotEmpty(t, user, "the default configuration gives the app a login of its own")
	u, err := pgx.ParseConfig(env.AppDatabaseURL)
	require.NoError(t, err)
	require.Equal(t, user, u.User)
	startPassword := u.Password
	require.NotEqual(t, env.Config.Postgres.Password, startPassword, "generated per run")

	var super bool
	require.NoError(t, env.Postgres.QueryRow(ctx, `SELECT rolsuper FROM pg_roles WHERE rolname = $1`, user).Scan(&super))
	assert.False(t, super)
	var sessions int
	require.NoError(t, env.Postgres.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE usename = $1`, user).Scan(&sessions))
	assert.Positive(t, sessions, "the app's pool logs in as its own role")
	require.ErrorIs(t, env.AppPasswordRotated(ctx), stack.ErrNotRotated)

	t.Run("rotated under the running app", func(t *testing.T) {
		next := password(t)
		alterPassword(ctx, t, env, user, next)
		code, body := post(t, env.AppURL+"/admin/db-password", `{"password":"`+next+`"}`)
		require.Equal(t, http.StatusOK, code, body)
		assert.Contains(t, body, `"changed":true`)
		assert.NotContains(t, body, next, "the app never shows the password")

		// Sessions that logged in before are ended; the app logs in afresh.
		terminate(ctx, t, env, user)
		assertServes(ctx, t, env)
		require.NoError(t, env.AppPasswordRotated(ctx), "Postgres refuses the start password")

		code, body = post(t, env.AppURL+"/admin/db-password", `{"password":"wrong"}`)
		assert.Equal(t, http.StatusConflict, code, body)
		terminate(ctx, t, env, user)
		assertServes(ctx, t, env)

		// Reset hands the app its start password back; twice is harmless.
		require.NoError(t, env.Reset(ctx))
		require.NoError(t, env.Reset(ctx))
		require.ErrorIs(t, env.AppPasswordRotated(ctx), stack.ErrNotRotated)
		terminate(ctx, t, env, user)
		assertServes(ctx, t, env)
	})

	t.Run("an app that cannot be handed its password is restarted", func(t *testing.T) {
		path := env.Config.App.PasswordPath
		env.Config.App.PasswordPath = ""
		defer func() { env.Config.App.PasswordPath = path }()
		// The role changes and nobody tells the app: its new sessions fail.
		alterPassword(ctx, t, env, user, password(t))
		terminate(ctx, t, env, user)
		code, _ := post(t, env.AppURL+"/api/auth/login", `{"email":"user1@example.com","password":"password-1"}`)
		require.NotEqual(t, http.StatusOK, code, "the app's new sessions are refused")
		require.NoError(t, env.Reset(ctx))
		require.ErrorIs(t, env.AppPasswordRotated(ctx), stack.ErrNotRotated)
		assertServes(ctx, t, env)
	})
}

func password(t *testing.T) string {
	b := make([]byte, 16)
	_, err := rand.Read(b)
	require.NoError(t, err)
	return hex.EncodeToString(b)
}

func alterPassword(ctx context.Context, t *testing.T, env *stack.Env, user, pw string) {
	t.Helper()
	_, err := env.Postgres.Exec(ctx, `ALTER ROLE `+pgx.Identifier{user}.Sanitize()+` WITH PASSWORD '`+pw+`'`)
	require.NoError(t, err)
}

// terminate ends every session of role user, so the app's next request
// needs a new login.
func terminate(ctx context.Context, t *testing.T, env *stack.Env, user string) {
	t.Helper()
	_, err := env.Postgres.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1`, user)
	require.NoError(t, err)
}

// assertServes waits until the app answers a login, which reads the users
// table through its pool: a session ended under the pool may fail the first
// request, a login the database refuses fails every one.
func assertServes(ctx context.Context, t *testing.T, env *stack.Env) {
	t.Helper()
	var last string
	err := poll.Until(ctx, 10*time.Second, 100*time.Millisecond, func(context.Context) error {
		code, body := post(t, env.AppURL+"/api/auth/login", `{"email":"user1@example.com","password":"password-1"}`)
		if code != http.StatusOK {
			last = body
			return assert.AnError
		}
		return nil
	})
	require.NoError(t, err, "the app does not serve logins: %s", last)
}

func post(t *testing.T, url, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
