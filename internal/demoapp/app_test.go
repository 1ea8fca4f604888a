package demoapp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/internal/demoapp"
	"github.com/firedrill/firedrill/internal/stacktest"
)

type client struct {
	t    *testing.T
	base string
}

func (c client) do(method, path string, body []byte, header map[string]string) (int, string) {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	require.NoError(c.t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (c client) metric(line string) bool {
	_, page := c.do(http.MethodGet, "/metrics", nil, nil)
	return strings.Contains(page, "\n"+line+"\n")
}

// The demo app's endpoints, against the real app in its container.
func TestDemoAppEndpoints(t *testing.T) {
	cfg := stacktest.Config(t)
	env := stacktest.Start(t, "docker", cfg.Stack)
	c := client{t: t, base: env.AppURL}
	ctx := context.Background()

	t.Run("content is cached", func(t *testing.T) {
		code, body := c.do(http.MethodGet, "/api/content/public?page=3", nil, nil)
		require.Equal(t, http.StatusOK, code, body)
		var page struct {
			Items []struct{ ID int64 } `json:"items"`
		}
		require.NoError(t, json.Unmarshal([]byte(body), &page))
		assert.Len(t, page.Items, 20)
		code, again := c.do(http.MethodGet, "/api/content/public?page=3", nil, nil)
		require.Equal(t, http.StatusOK, code)
		assert.Equal(t, body, again)
		n, err := env.Redis.Exists(ctx, "content:public:3").Result()
		require.NoError(t, err)
		assert.EqualValues(t, 1, n)
	})

	t.Run("login and token", func(t *testing.T) {
		code, body := c.do(http.MethodPost, "/api/auth/login", []byte(`{"email":"user7@example.com","password":"password-7"}`), nil)
		require.Equal(t, http.StatusOK, code, body)
		var tok struct{ Token string }
		require.NoError(t, json.Unmarshal([]byte(body), &tok))
		code, body = c.do(http.MethodGet, "/api/auth/status", nil, map[string]string{"Authorization": "Bearer " + tok.Token})
		assert.Equal(t, http.StatusOK, code)
		assert.Contains(t, body, `"authenticated":true`)

		for range 3 {
			code, _ = c.do(http.MethodPost, "/api/auth/login", []byte(`{"email":"user7@example.com","password":"guess"}`),
				map[string]string{"X-Forwarded-For": "203.0.113.9"})
			assert.Equal(t, http.StatusUnauthorized, code)
		}
		assert.True(t, c.metric(`auth_failures_total{source="203.0.113.9"} 3`))
	})

	t.Run("webhooks record payments and count errors", func(t *testing.T) {
		body := []byte(`{"id":"evt_1","type":"payment_intent.succeeded","data":{"object":{"id":"pi_test_1","amount":1999,"currency":"eur","user_id":3}}}`)
		sig := demoapp.SignWebhook("whsec_firedrill", time.Now(), body)
		code, resp := c.do(http.MethodPost, "/webhooks/stripe", body, map[string]string{"Stripe-Signature": sig})
		require.Equal(t, http.StatusOK, code, resp)
		var amount int
		require.NoError(t, env.Postgres.QueryRow(ctx, `SELECT amount_cents FROM payments WHERE stripe_id = 'pi_test_1'`).Scan(&amount))
		assert.Equal(t, 1999, amount)

		code, _ = c.do(http.MethodPost, "/webhooks/stripe", body, map[string]string{"Stripe-Signature": "t=1,v1=deadbeef"})
		assert.Equal(t, http.StatusBadRequest, code)
		assert.True(t, c.metric(`webhook_errors_total{reason="signature"} 1`))
	})

	t.Run("flags: failure, maintenance, read-only", func(t *testing.T) {
		code, body := c.do(http.MethodPost, "/admin/flags", []byte(`{"failure":{"percent":50,"endpoints":["/api/auth/status"]}}`), nil)
		require.Equal(t, http.StatusOK, code, body)
		failed := 0
		for range 40 {
			if code, _ := c.do(http.MethodGet, "/api/auth/status", nil, nil); code == http.StatusInternalServerError {
				failed++
			}
		}
		assert.Equal(t, 20, failed)
		code, _ = c.do(http.MethodGet, "/api/content/public", nil, nil)
		assert.Equal(t, http.StatusOK, code, "endpoints not named are spared")

		code, _ = c.do(http.MethodPost, "/admin/flags", []byte(`{"failure":{"percent":0},"maintenance":true}`), nil)
		require.Equal(t, http.StatusOK, code)
		code, _ = c.do(http.MethodGet, "/api/content/public", nil, nil)
		assert.Equal(t, http.StatusServiceUnavailable, code)
		code, _ = c.do(http.MethodGet, "/health", nil, nil)
		assert.Equal(t, http.StatusOK, code, "health is not an API endpoint")

		code, _ = c.do(http.MethodPost, "/admin/flags", []byte(`{"maintenance":false,"read_only":true}`), nil)
		require.Equal(t, http.StatusOK, code)
		body2 := []byte(`{"id":"evt_2","data":{"object":{"id":"pi_test_2","amount":5}}}`)
		code, _ = c.do(http.MethodPost, "/webhooks/stripe", body2, map[string]string{"Stripe-Signature": demoapp.SignWebhook("whsec_firedrill", time.Now(), body2)})
		assert.Equal(t, http.StatusServiceUnavailable, code)

		code, body = c.do(http.MethodPost, "/admin/flags", []byte(`{"read_only":false,"typo":1}`), nil)
		assert.Equal(t, http.StatusBadRequest, code)
		assert.Contains(t, body, "typo")
	})
}
