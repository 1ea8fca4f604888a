package demoapp

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/firedrill/firedrill/config"
)

// DefaultWebhookSecret signs payment webhooks when WEBHOOK_SECRET is unset.
const DefaultWebhookSecret = "whsec_firedrill"

// Seeded credentials the traffic logs in with (the seed gives user i the
// password "password-i").
const (
	trafficUser     = "user1@example.com"
	trafficPassword = "password-1"
)

// webhookIDs bounds the payments the traffic writes: webhooks upsert a
// small ring of ids, so steady traffic does not grow the payments table
// without end.
const webhookIDs = 16

// TrafficProfile is the demo app's steady traffic, as the harness's traffic
// generator sends it: public content pages, token checks, logins, payment
// webhooks signed with secret as Stripe signs them, and health checks on
// healthPath. The names are config.TrafficEndpoints and the weights
// config.DefaultMix, so traffic.mix weighs them. A token check carries the
// token of the last successful login of the same profile.
func TrafficProfile(secret, healthPath string) []config.Request {
	var (
		mu    sync.Mutex
		token string
	)
	login, _ := json.Marshal(map[string]string{"email": trafficUser, "password": trafficPassword})
	mix := config.DefaultMix()
	return []config.Request{
		{Name: "content", Path: "/api/content/public", Weight: mix["content"], Vary: func(seq int, s *config.Send) {
			s.Path = fmt.Sprintf("/api/content/public?page=%d", seq%5)
		}},
		{Name: "auth_status", Path: "/api/auth/status", Weight: mix["auth_status"], Vary: func(_ int, s *config.Send) {
			mu.Lock()
			defer mu.Unlock()
			if token != "" {
				s.Header.Set("Authorization", "Bearer "+token)
			}
		}},
		{Name: "login", Method: http.MethodPost, Path: "/api/auth/login", Body: string(login), Weight: mix["login"],
			Answered: func(status int, body []byte) {
				var v struct {
					Token string `json:"token"`
				}
				if status == http.StatusOK && json.Unmarshal(body, &v) == nil && v.Token != "" {
					mu.Lock()
					token = v.Token
					mu.Unlock()
				}
			}},
		{Name: "webhook", Method: http.MethodPost, Path: "/webhooks/stripe", Weight: mix["webhook"], Vary: func(seq int, s *config.Send) {
			id := fmt.Sprintf("pi_firedrill_%02d", seq%webhookIDs)
			s.Body, _ = json.Marshal(map[string]any{
				"id": "evt_" + id, "type": "payment_intent.succeeded",
				"data": map[string]any{"object": map[string]any{"id": id, "amount": 1999, "currency": "usd", "status": "succeeded"}},
			})
			s.Header.Set("Stripe-Signature", SignWebhook(secret, time.Now(), s.Body))
		}},
		{Name: "health", Path: healthPath, Weight: mix["health"]},
	}
}
