package injectors

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/internal/demoapp"
	"github.com/firedrill/firedrill/stack"
)

// deliver posts one payment webhook for payment id, signed as Stripe signs
// it with the secret the app was configured with, and returns the status.
func deliver(ctx context.Context, t *testing.T, env *stack.Env, id string) int {
	t.Helper()
	body := fmt.Appendf(nil, `{"id":"evt_%s","type":"payment_intent.succeeded","data":{"object":{"id":%q,"amount":4200,"currency":"eur"}}}`, id, id)
	secret := cmp.Or(env.Config.App.Env["WEBHOOK_SECRET"], demoapp.DefaultWebhookSecret)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, env.AppURL+"/webhooks/stripe", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Stripe-Signature", demoapp.SignWebhook(secret, time.Now(), body))
	resp, err := httpClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// recorded counts the payments rows of a Stripe id.
func recorded(ctx context.Context, t *testing.T, env *stack.Env, id string) int {
	t.Helper()
	var n int
	require.NoError(t, env.Postgres.QueryRow(ctx, `SELECT count(*) FROM payments WHERE stripe_id = $1`, id).Scan(&n))
	return n
}

func replay(ctx context.Context, t *testing.T, env *stack.Env) int {
	t.Helper()
	code, err := call(ctx, http.MethodPost, env.AppURL+"/admin/webhooks/replay", "")
	require.NoError(t, err)
	return code
}

// TestWebhookFailure runs on both providers: the fault needs nothing only one has.
func TestWebhookFailure(t *testing.T) { onEachProvider(t, testWebhookFailure) }

func testWebhookFailure(t *testing.T, env *stack.Env, ctx context.Context) {
	target := Target{Env: env}

	for _, mode := range []string{"bad-secret", "db-readonly"} {
		t.Run(mode+": payments fail until recovered, then the replay records them once", func(t *testing.T) {
			require.NoError(t, env.Reset(ctx))
			inj, err := New("webhook-failure", map[string]string{"mode": mode})
			require.NoError(t, err)
			t.Cleanup(func() { _ = inj.Recover(context.Background(), target) })
			id := "pi_drill_" + mode
			require.Equal(t, http.StatusOK, deliver(ctx, t, env, "pi_before_"+mode))

			require.NoError(t, inj.Inject(ctx, target))
			want := http.StatusBadRequest
			if mode == "db-readonly" {
				want = http.StatusInternalServerError
			}
			// The app's pool may hand out one connection ended by the
			// fault before it reconnects: wait for the fault's answer.
			waitFor(ctx, t, "the webhook fails", func() (bool, string) {
				code := deliver(ctx, t, env, id)
				return code == want, fmt.Sprint(code)
			})
			assert.Zero(t, recorded(ctx, t, env, id), "nothing recorded while the fault holds")
			code, err := call(ctx, http.MethodGet, env.AppURL+"/api/content/public", "")
			require.NoError(t, err)
			assert.Equal(t, http.StatusOK, code, "the rest of the app serves")
			assert.Equal(t, http.StatusServiceUnavailable, replay(ctx, t, env), "a replay before the fix fails again")
			assert.Zero(t, recorded(ctx, t, env, id))

			require.NoError(t, inj.Recover(ctx, target))
			require.NoError(t, inj.Recover(ctx, target), "a second recover is harmless")
			waitFor(ctx, t, "webhooks are recorded again", func() (bool, string) {
				code := deliver(ctx, t, env, "pi_after_"+mode)
				return code == http.StatusOK, fmt.Sprint(code)
			})
			require.Equal(t, http.StatusOK, replay(ctx, t, env))
			assert.Equal(t, 1, recorded(ctx, t, env, id), "the failed payment is recorded, once")
			require.Equal(t, http.StatusOK, replay(ctx, t, env), "nothing left to replay")
			assert.Equal(t, 1, recorded(ctx, t, env, id))
		})
	}

	t.Run("recovers after an inject with a cancelled context", func(t *testing.T) {
		for _, mode := range []string{"bad-secret", "db-readonly"} {
			inj, err := New("webhook-failure", map[string]string{"mode": mode})
			require.NoError(t, err)
			cancelled, cancel := context.WithCancel(ctx)
			cancel()
			require.Error(t, inj.Inject(cancelled, target))
			require.NoError(t, inj.Recover(ctx, target))
			waitFor(ctx, t, "webhooks are recorded", func() (bool, string) {
				code := deliver(ctx, t, env, "pi_cancelled_"+mode)
				return code == http.StatusOK, fmt.Sprint(code)
			})
		}
	})

	t.Run("an unknown mode is bad input", func(t *testing.T) {
		_, err := New("webhook-failure", map[string]string{"mode": "dns"})
		require.ErrorIs(t, err, ErrBadParam)
	})
}
