package demoapp

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/config"
)

func TestTrafficProfile(t *testing.T) {
	t.Parallel()
	profile := TrafficProfile("whsec_test", "/healthz")
	byName := map[string]config.Request{}
	weights := config.Mix{}
	for _, r := range profile {
		byName[r.Name] = r
		weights[r.Name] = r.Weight
	}
	assert.Equal(t, config.DefaultMix(), weights, "the mix's names and default weights are the profile's")
	assert.ElementsMatch(t, config.TrafficEndpoints, func() []string {
		var n []string
		for _, r := range profile {
			n = append(n, r.Name)
		}
		return n
	}())

	assert.Equal(t, "/api/content/public?page=2", byName["content"].Prepare(7).Path, "content pages cycle")
	assert.Equal(t, "/healthz", byName["health"].Prepare(0).Path, "health is the configured path")

	// Webhooks are signed as the app verifies them, and upsert a ring of ids.
	app := &App{cfg: Config{WebhookSecret: "whsec_test"}}
	wh := byName["webhook"].Prepare(17)
	assert.Equal(t, "POST", wh.Method)
	assert.Equal(t, "application/json", wh.Header.Get("Content-Type"))
	assert.True(t, app.verifySignature(wh.Header.Get("Stripe-Signature"), wh.Body))
	var ev struct {
		Data struct {
			Object struct {
				ID string `json:"id"`
			} `json:"object"`
		} `json:"data"`
	}
	require.NoError(t, json.Unmarshal(wh.Body, &ev))
	assert.Equal(t, "pi_firedrill_01", ev.Data.Object.ID)
	other := &App{cfg: Config{WebhookSecret: "whsec_other"}}
	assert.False(t, other.verifySignature(wh.Header.Get("Stripe-Signature"), wh.Body), "signed with the given secret")

	// A token check carries the token of the last successful login.
	login := byName["login"]
	var creds struct{ Email, Password string }
	require.NoError(t, json.Unmarshal(login.Prepare(0).Body, &creds))
	assert.Equal(t, "user1@example.com", creds.Email)
	assert.Empty(t, byName["auth_status"].Prepare(0).Header.Get("Authorization"), "no login yet")
	login.Answered(401, []byte(`{"error":"no"}`))
	assert.Empty(t, byName["auth_status"].Prepare(0).Header.Get("Authorization"), "a failed login gives no token")
	login.Answered(200, []byte(`{"token":"1.abc","user_id":1}`))
	assert.Equal(t, "Bearer 1.abc", byName["auth_status"].Prepare(0).Header.Get("Authorization"))
	assert.Empty(t, TrafficProfile("s", "/h")[1].Prepare(0).Header.Get("Authorization"), "each profile has its own session")
}
