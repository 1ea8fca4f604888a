package injectors

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/stack"
)

func TestAuthAttack(t *testing.T) {
	onEachProvider(t, testAuthAttack)
}

func testAuthAttack(t *testing.T, env *stack.Env, ctx context.Context) {
	const src = "203.0.113.66"
	target := Target{Env: env, Rate: 20}
	failures := func(t *testing.T) float64 {
		t.Helper()
		return metricValue(ctx, t, env.AppURL, `auth_failures_total{source="`+src+`"}`)
	}
	denied := func(t *testing.T) float64 {
		t.Helper()
		return metricValue(ctx, t, env.AppURL, `denied_requests_total{source="`+src+`"}`)
	}
	// login logs a seeded user in as a normal client would and returns
	// the status and token.
	login := func(t *testing.T) (int, string) {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, env.AppURL+"/api/auth/login",
			strings.NewReader(`{"email":"user3@example.com","password":"password-3"}`))
		require.NoError(t, err)
		resp, err := httpClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var v struct{ Token string }
		_ = json.NewDecoder(resp.Body).Decode(&v)
		return resp.StatusCode, v.Token
	}
	authStatus := func(t *testing.T, token string) int {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, env.AppURL+"/api/auth/status", nil)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := httpClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	t.Cleanup(func() { _ = env.Redis.Del(context.Background(), "security:denylist").Err() })

	t.Run("failed logins from one source until it is denied", func(t *testing.T) {
		inj, err := New("auth-attack", map[string]string{"source": src, "rate": "2"})
		require.NoError(t, err)
		t.Cleanup(func() { _ = inj.Recover(context.Background(), target) })
		require.NoError(t, inj.Inject(ctx, target))
		tk, ok := inj.(Ticker)
		require.True(t, ok, "the attack is load sent each tick")
		from := time.Now().Add(2 * time.Hour)
		before := failures(t)
		require.NoError(t, tk.Tick(ctx, target, from, 15*time.Second))
		assert.Equal(t, 30.0, failures(t)-before, "2 a second over a 15-second tick, every one failed")
		code, _ := login(t)
		assert.Equal(t, http.StatusOK, code, "a normal user still logs in")

		// The Security Incident's "isolate": the source on the deny list.
		require.NoError(t, env.Redis.SAdd(ctx, "security:denylist", src).Err())
		before, deniedBefore := failures(t), denied(t)
		require.NoError(t, tk.Tick(ctx, target, from.Add(15*time.Second), 15*time.Second))
		assert.Equal(t, before, failures(t), "a denied source's logins are not even tried")
		assert.Equal(t, 30.0, denied(t)-deniedBefore, "they are refused")
		code, _ = login(t)
		assert.Equal(t, http.StatusOK, code, "a normal user still logs in")

		require.NoError(t, inj.Recover(ctx, target))
		require.NoError(t, inj.Recover(ctx, target), "a second recover is harmless")
		deniedBefore = denied(t)
		require.NoError(t, tk.Tick(ctx, target, from.Add(time.Hour), 15*time.Second))
		assert.Equal(t, deniedBefore, denied(t), "a recovered attack sends nothing")
	})

	t.Run("the token secret rotates without logging anyone out", func(t *testing.T) {
		code, old := login(t)
		require.Equal(t, http.StatusOK, code)
		require.Equal(t, http.StatusOK, authStatus(t, old))
		code, err := call(ctx, http.MethodPost, env.AppURL+"/admin/token-secret", `{"rotate": true}`)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, code)
		assert.Equal(t, http.StatusOK, authStatus(t, old), "a token signed before the rotation still works")
		code, fresh := login(t)
		require.Equal(t, http.StatusOK, code)
		assert.NotEqual(t, old, fresh, "new tokens are signed with the new key")
		assert.Equal(t, http.StatusOK, authStatus(t, fresh))
		assert.Equal(t, http.StatusUnauthorized, authStatus(t, "3.forged"), "a forged token is still refused")
	})

	t.Run("recovers after an inject with a cancelled context", func(t *testing.T) {
		inj, err := New("auth-attack", nil)
		require.NoError(t, err)
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		require.Error(t, inj.Inject(cancelled, target))
		require.NoError(t, inj.Recover(ctx, target))
		require.NoError(t, inj.Recover(ctx, target))
	})
}

func TestAuthAttackParams(t *testing.T) {
	t.Parallel()
	for k, v := range map[string]string{"source": "the internet", "rate": "0"} {
		_, err := New("auth-attack", map[string]string{k: v})
		assert.ErrorIs(t, err, ErrBadParam, k)
	}
}
