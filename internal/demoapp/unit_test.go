package demoapp

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestConfigFromEnv(t *testing.T) {
	t.Parallel()
	env := map[string]string{"DATABASE_URL": "postgres://x@127.0.0.1/app", "REDIS_URL": "redis://127.0.0.1:6379/0",
		"PORT": "9090", "DB_MAX_CONNS": "4", "DB_ACQUIRE_TIMEOUT": "500ms"}
	c, err := ConfigFromEnv(func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, ":9090", c.Addr)
	assert.EqualValues(t, 4, c.MaxConns)
	assert.Equal(t, 500*time.Millisecond, c.AcquireTimeout)

	for k, v := range map[string]string{"PORT": "http", "DB_MAX_CONNS": "0", "DB_ACQUIRE_TIMEOUT": "soon", "SEED_SCALE": "1000"} {
		bad := map[string]string{"DATABASE_URL": "x", "REDIS_URL": "y", k: v}
		_, err := ConfigFromEnv(func(k string) string { return bad[k] })
		require.Error(t, err, k)
		assert.Contains(t, err.Error(), k)
	}
	_, err = ConfigFromEnv(func(string) string { return "" })
	assert.ErrorContains(t, err, "DATABASE_URL")
}

func TestFailureFlagFailsAnExactShare(t *testing.T) {
	t.Parallel()
	s := newFlagStore()
	_, err := s.update(flagUpdate{Failure: &Failure{Percent: 30, Endpoints: []string{"/api/content/public"}, Feature: "new_feature"}})
	require.NoError(t, err)
	failed := 0
	for range 1000 {
		if s.shouldFail("/api/content/public") {
			failed++
		}
		assert.False(t, s.shouldFail("/webhooks/stripe"), "other endpoints are spared")
	}
	assert.Equal(t, 300, failed)

	off := false
	_, err = s.update(flagUpdate{Features: map[string]bool{"new_feature": off}})
	require.NoError(t, err)
	assert.False(t, s.shouldFail("/api/content/public"), "the failure belongs to its feature")

	_, err = s.update(flagUpdate{Failure: &Failure{Percent: 101}})
	assert.ErrorContains(t, err, "failure.percent")
}

func TestWebhookSignature(t *testing.T) {
	t.Parallel()
	a := &App{cfg: Config{WebhookSecret: "whsec_test"}}
	body := []byte(`{"id":"evt_1"}`)
	sig := SignWebhook("whsec_test", time.Unix(1700000000, 0), body)
	assert.True(t, a.verifySignature(sig, body))
	assert.False(t, a.verifySignature(sig, []byte(`{"id":"evt_2"}`)), "a changed body fails")
	assert.False(t, a.verifySignature(SignWebhook("other", time.Unix(1700000000, 0), body), body), "another secret fails")
	assert.False(t, a.verifySignature("t=abc,v1=00", body))
	assert.False(t, a.verifySignature("", body))
}

func TestReleaseFailureFailsAnExactShare(t *testing.T) {
	t.Parallel()
	f := &releaseFailure{percent: 25}
	failed := 0
	for range 400 {
		if f.fail() {
			failed++
		}
	}
	assert.Equal(t, 100, failed)
	assert.False(t, (&releaseFailure{}).fail(), "a good release fails nothing")
}

func TestWebhookSecretRotationAndRestore(t *testing.T) {
	t.Parallel()
	a := &App{cfg: Config{WebhookSecret: "whsec_configured"}}
	body := []byte(`{"id":"evt_1"}`)
	signed := SignWebhook("whsec_configured", time.Unix(1700000000, 0), body)
	require.True(t, a.verifySignature(signed, body))
	a.secret.set("whsec_rolled")
	assert.False(t, a.verifySignature(signed, body), "Stripe still signs with the old secret")
	assert.True(t, a.verifySignature(SignWebhook("whsec_rolled", time.Unix(1700000000, 0), body), body))
	a.secret.set("")
	assert.True(t, a.verifySignature(signed, body), "restored: the configured secret again")
	assert.NotEqual(t, fingerprint("whsec_configured"), fingerprint("whsec_rolled"))
	assert.NotContains(t, fingerprint("whsec_configured"), "configured", "a fingerprint does not reveal the secret")
}

func TestRateLimitConfigAndRequestTime(t *testing.T) {
	t.Parallel()
	base := map[string]string{"DATABASE_URL": "x", "REDIS_URL": "y"}
	c, err := ConfigFromEnv(func(k string) string { return base[k] })
	require.NoError(t, err)
	assert.EqualValues(t, DefaultRateLimit, c.RateLimit)
	for v, want := range map[string]int64{"0": 0, "250": 250} {
		env := map[string]string{"DATABASE_URL": "x", "REDIS_URL": "y", "RATE_LIMIT": v}
		c, err := ConfigFromEnv(func(k string) string { return env[k] })
		require.NoError(t, err)
		assert.Equal(t, want, c.RateLimit)
	}
	for _, bad := range []string{"-1", "many"} {
		env := map[string]string{"DATABASE_URL": "x", "REDIS_URL": "y", "RATE_LIMIT": bad}
		_, err := ConfigFromEnv(func(k string) string { return env[k] })
		assert.ErrorContains(t, err, "RATE_LIMIT", bad)
	}

	r := httptest.NewRequest(http.MethodGet, "/api/content/public", nil)
	stamp := time.Date(2031, 5, 1, 12, 0, 7, 0, time.UTC)
	r.Header.Set("Date", stamp.Format(http.TimeFormat))
	assert.Equal(t, stamp, requestTime(r).UTC(), "a client's Date names the second the request counts in")
	r.Header.Set("Date", "yesterday")
	assert.WithinDuration(t, time.Now(), requestTime(r), time.Minute, "an unreadable Date counts now")
}

// The password endpoint refuses what is not a password, and the password
// in use again changes nothing (no login, no pool reset); neither answer
// shows a password.
func TestDBPasswordEndpointWithoutADatabase(t *testing.T) {
	t.Parallel()
	a, err := New(Config{DatabaseURL: "postgres://app:start-pw@127.0.0.1:1/app", RedisURL: "redis://127.0.0.1:1/0", MaxConns: 1})
	require.NoError(t, err)
	defer a.Close()
	for body, want := range map[string]int{
		`{}`:                       http.StatusBadRequest,
		`{"password": ""}`:         http.StatusBadRequest,
		`{"pw": "x"}`:              http.StatusBadRequest,
		`{"password": "start-pw"}`: http.StatusOK,
	} {
		rec := httptest.NewRecorder()
		a.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/admin/db-password", strings.NewReader(body)))
		assert.Equal(t, want, rec.Code, body)
		assert.NotContains(t, rec.Body.String(), "start-pw", body)
	}
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/admin/db-password", nil))
	assert.JSONEq(t, `{"user": "app", "fingerprint": "`+fingerprint("start-pw")+`"}`, rec.Body.String())
}

// The website's front page answers (the playbook's assessment checks it);
// a page that does not exist is still a 404.
func TestHomePage(t *testing.T) {
	t.Parallel()
	a, err := New(Config{DatabaseURL: "postgres://app:pw@127.0.0.1:1/app", RedisURL: "redis://127.0.0.1:1/0", MaxConns: 1})
	require.NoError(t, err)
	defer a.Close()
	for path, want := range map[string]int{"/": http.StatusOK, "/nope": http.StatusNotFound} {
		rec := httptest.NewRecorder()
		a.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		assert.Equal(t, want, rec.Code, path)
	}
	rec := httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
	assert.Contains(t, rec.Body.String(), "mustbeviral demo app "+Version)
	rec = httptest.NewRecorder()
	a.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	assert.Contains(t, rec.Body.String(), `http_requests_total{code="200",endpoint="/",method="GET"} 2`)
}
