package demoapp

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// FailedWebhooksKey is the Redis list of webhook deliveries that failed
// for a reason a later delivery can overcome (a bad signature, the database
// refusing the write): the app's record of what Stripe would show as failed
// deliveries, kept so they can be replayed once the cause is fixed. Newest
// first; at most maxFailedWebhooks are kept.
const FailedWebhooksKey = "webhooks:failed"

const maxFailedWebhooks = 10000

// SignWebhook makes a Stripe-Signature header for body at time ts, as Stripe
// does: v1 is the hex HMAC-SHA256 of "ts.body" under the endpoint secret.
func SignWebhook(secret string, ts time.Time, body []byte) string {
	t := strconv.FormatInt(ts.Unix(), 10)
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(t + "."))
	m.Write(body)
	return "t=" + t + ",v1=" + hex.EncodeToString(m.Sum(nil))
}

// secretStore is the webhook secret in use. Stripe lets an endpoint's
// secret be rolled; the app's side follows through /admin/webhook-secret,
// and a rotation done on one side only is an outage of payments.
type secretStore struct {
	mu      sync.Mutex
	current string // empty: the configured secret
}

func (s *secretStore) get(configured string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current == "" {
		return configured
	}
	return s.current
}

func (s *secretStore) set(v string) {
	s.mu.Lock()
	s.current = v
	s.mu.Unlock()
}

// fingerprint names a secret without revealing it.
func fingerprint(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:4])
}

func (a *App) webhookSecret() string { return a.secret.get(a.cfg.WebhookSecret) }

func (a *App) verifySignature(header string, body []byte) bool {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return false
	}
	want := SignWebhook(a.webhookSecret(), time.Unix(sec, 0), body)
	return hmac.Equal([]byte(want), []byte("t="+ts+",v1="+sig))
}

// delivery is one webhook as received: enough to process it again.
type delivery struct {
	Signature string    `json:"signature"`
	Body      string    `json:"body"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
}

// outcome is what processing a delivery came to.
type outcome struct {
	code   int
	reason string // webhook_errors_total's reason; empty when recorded
	id     string // the payment's Stripe id, once known
	msg    string
}

// retryable says whether a later delivery of the same event can succeed.
func (o outcome) retryable() bool {
	return o.reason == "signature" || o.reason == "database" || o.reason == "read_only"
}

// process verifies and records one delivery. The write is an upsert keyed
// by the payment's Stripe id, so a delivery processed twice (a replay of an
// event that did get through) records the payment once.
func (a *App) process(ctx context.Context, d delivery) outcome {
	body := []byte(d.Body)
	if !a.verifySignature(d.Signature, body) {
		return outcome{code: http.StatusBadRequest, reason: "signature", msg: "bad signature"}
	}
	var ev struct {
		ID   string `json:"id"`
		Type string `json:"type"`
		Data struct {
			Object struct {
				ID       string `json:"id"`
				Amount   int    `json:"amount"`
				Currency string `json:"currency"`
				Status   string `json:"status"`
				UserID   *int64 `json:"user_id"`
			} `json:"object"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &ev); err != nil || ev.Data.Object.ID == "" {
		return outcome{code: http.StatusBadRequest, reason: "payload", msg: "payload must be a Stripe event with data.object.id"}
	}
	o := ev.Data.Object
	if a.flags.get().ReadOnly {
		return outcome{code: http.StatusServiceUnavailable, reason: "read_only", id: o.ID, msg: "read-only mode"}
	}
	if o.Currency == "" {
		o.Currency = "usd"
	}
	if o.Status == "" {
		o.Status = "succeeded"
	}
	ctx, cancel := context.WithTimeout(ctx, a.cfg.AcquireTimeout)
	defer cancel()
	_, err := a.pool.Exec(ctx, `INSERT INTO payments (stripe_id, user_id, amount_cents, currency, status, created_at)
		VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT (stripe_id) DO UPDATE SET status = EXCLUDED.status`,
		o.ID, o.UserID, o.Amount, o.Currency, o.Status)
	if err != nil {
		return outcome{code: dbStatus(err), reason: "database", id: o.ID, msg: "database: " + err.Error()}
	}
	a.metrics.payments.Inc()
	return outcome{code: http.StatusOK, id: o.ID}
}

func (a *App) stripeWebhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		a.metrics.webhookErrors.WithLabelValues("payload").Inc()
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "read body"})
		return
	}
	d := delivery{Signature: r.Header.Get("Stripe-Signature"), Body: string(body), At: time.Now().UTC()}
	out := a.process(r.Context(), d)
	if out.reason == "" {
		writeJSON(w, http.StatusOK, map[string]any{"received": true, "id": out.id})
		return
	}
	a.metrics.webhookErrors.WithLabelValues(out.reason).Inc()
	if out.retryable() {
		d.Reason = out.reason
		a.keepFailed(context.WithoutCancel(r.Context()), d)
	}
	a.log.Warn("webhook failed", "reason", out.reason, "payment", out.id, "status", out.code)
	writeJSON(w, out.code, map[string]string{"error": out.msg})
}

// keepFailed records a failed delivery for replay. Redis being down loses
// the record (as it would lose the cache): the log line still has it.
func (a *App) keepFailed(ctx context.Context, d delivery) {
	b, _ := json.Marshal(d)
	ctx, cancel := context.WithTimeout(ctx, a.cfg.AcquireTimeout)
	defer cancel()
	_, err := a.redis.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.LPush(ctx, FailedWebhooksKey, b)
		p.LTrim(ctx, FailedWebhooksKey, 0, maxFailedWebhooks-1)
		return nil
	})
	if err != nil {
		a.log.Error("keep failed webhook", "err", err)
	}
}

func (a *App) getWebhookSecret(w http.ResponseWriter, _ *http.Request) {
	cur := a.webhookSecret()
	writeJSON(w, http.StatusOK, map[string]any{
		"fingerprint": fingerprint(cur), "configured": fingerprint(a.cfg.WebhookSecret), "rotated": cur != a.cfg.WebhookSecret,
	})
}

// setWebhookSecret rolls the signing secret ({"secret": "whsec_..."}) or
// puts the configured one back ({"restore": true}).
func (a *App) setWebhookSecret(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Secret  string `json:"secret"`
		Restore bool   `json:"restore"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<12))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || (req.Secret == "") == !req.Restore {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": `want {"secret": "..."} or {"restore": true}`})
		return
	}
	a.secret.set(req.Secret) // empty: the configured secret
	a.log.Info("webhook secret changed", "audit", true, "fingerprint", fingerprint(a.webhookSecret()), "restored", req.Restore)
	a.getWebhookSecret(w, r)
}

func (a *App) failedWebhooks(w http.ResponseWriter, r *http.Request) {
	n, err := a.redis.LLen(r.Context(), FailedWebhooksKey).Result()
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "redis: " + err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"failed": n})
}

// replayBatch bounds the deliveries one replay request processes, so it
// answers well within a client's timeout; the rest wait for the next.
const replayBatch = 500

// replayWebhooks processes the kept failed deliveries again, oldest first
// and at most replayBatch of them, as Stripe's "resend" would. Those that
// still fail are kept; the answer is 200 only when none is left, 503
// otherwise (so a runbook step retries it once the cause is fixed). A
// delivery taken off the list is processed and, if need be, put back even
// when the client goes away, so none is lost.
func (a *App) replayWebhooks(w http.ResponseWriter, r *http.Request) {
	ctx := context.WithoutCancel(r.Context())
	n, err := a.redis.LLen(ctx, FailedWebhooksKey).Result()
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "redis: " + err.Error()})
		return
	}
	var recorded, still int
	var keep []any
	var popErr error
	payments := map[string]bool{}
	for range min(n, replayBatch) {
		raw, err := a.redis.RPop(ctx, FailedWebhooksKey).Result()
		if errors.Is(err, redis.Nil) {
			break
		}
		if err != nil {
			popErr = err
			break
		}
		var d delivery
		if json.Unmarshal([]byte(raw), &d) != nil {
			continue
		}
		out := a.process(ctx, d)
		switch {
		case out.reason == "":
			recorded++
			payments[out.id] = true
			a.metrics.webhookReplays.WithLabelValues("recorded").Inc()
		case out.retryable():
			still++
			d.Reason = out.reason
			b, _ := json.Marshal(d)
			keep = append(keep, b)
			a.metrics.webhookReplays.WithLabelValues("failed").Inc()
		default:
			a.metrics.webhookReplays.WithLabelValues("dropped").Inc()
		}
	}
	if len(keep) > 0 {
		if err := a.redis.RPush(ctx, FailedWebhooksKey, keep...).Err(); err != nil {
			a.log.Error("keep webhooks that failed again", "err", err, "deliveries", len(keep))
		}
	}
	if popErr != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"error": "redis: " + popErr.Error(), "recorded": recorded})
		return
	}
	left, _ := a.redis.LLen(ctx, FailedWebhooksKey).Result()
	a.log.Info("webhooks replayed", "audit", true, "recorded", recorded, "payments", len(payments), "still_failing", still)
	code := http.StatusOK
	if still > 0 || left > 0 {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, map[string]any{"replayed": recorded + still, "recorded": recorded, "payments": len(payments),
		"still_failing": still, "left": left})
}
