package injectors

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"
)

func init() {
	Register("webhook-failure", func() Injector { return new(WebhookFailure) })
}

// WebhookFailure makes the app's Stripe webhooks fail, in one of the two
// ways payments stop being recorded in production:
//
//   - bad-secret: the webhook signing secret is rolled on the app's side
//     only (POST /admin/webhook-secret with a new random secret), so every
//     delivery Stripe signs with the old one fails its signature check (400);
//   - db-readonly: the app's database is left read-only (ALTER DATABASE ...
//     SET default_transaction_read_only = on, the playbook's emergency
//     read-only mode) and the sessions opened before are ended so the app's
//     pool reconnects under it: reads keep working, every payment write
//     fails (500).
//
// Recover undoes its mode's change: the configured secret back
// ({"restore": true}), or the database setting reset and the sessions
// opened read-only ended again. Both are idempotent. The failed deliveries
// the app kept for replay stay: replaying them is the playbook's work.
type WebhookFailure struct {
	Mode string `param:"mode" default:"bad-secret" enum:"bad-secret,db-readonly" help:"how webhooks fail: bad-secret (the app's signing secret rotated on one side) or db-readonly (payments cannot be written)"`
}

// Description is for `firedrill list`.
func (*WebhookFailure) Description() string {
	return "Stripe webhooks start failing: the signing secret rotated on the app's side only, or the database read-only so payments cannot be written"
}

// Inject starts the failure.
func (w *WebhookFailure) Inject(ctx context.Context, t Target) error {
	if t.Env == nil {
		return errors.New("inject webhook-failure: no stack")
	}
	var err error
	switch w.Mode {
	case "db-readonly":
		err = setReadOnly(ctx, t, true)
	default:
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		err = postApp(ctx, t, "/admin/webhook-secret", map[string]any{"secret": "whsec_rotated_" + hex.EncodeToString(b)})
	}
	if err != nil {
		return fmt.Errorf("inject webhook-failure (%s): %w", w.Mode, err)
	}
	return nil
}

// Recover puts back what Inject changed.
func (w *WebhookFailure) Recover(ctx context.Context, t Target) error {
	if t.Env == nil {
		return errors.New("recover webhook-failure: no stack")
	}
	var err error
	switch w.Mode {
	case "db-readonly":
		err = setReadOnly(ctx, t, false)
	default:
		err = postApp(ctx, t, "/admin/webhook-secret", map[string]any{"restore": true})
	}
	if err != nil {
		return fmt.Errorf("recover webhook-failure (%s): %w", w.Mode, err)
	}
	return nil
}

// setReadOnly sets or resets the app database's default_transaction_read_only
// from the maintenance database, then ends the app database's other sessions
// so that every pool reconnects under the new setting (a session keeps the
// setting it started with).
func setReadOnly(ctx context.Context, t Target, on bool) error {
	conn, err := pgx.Connect(ctx, t.Env.AdminURL())
	if err != nil {
		return fmt.Errorf("connect admin database: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	db := pgx.Identifier{t.Env.Config.Postgres.Database}.Sanitize()
	stmt := "ALTER DATABASE " + db + " RESET default_transaction_read_only"
	if on {
		stmt = "ALTER DATABASE " + db + " SET default_transaction_read_only = on"
	}
	if _, err := conn.Exec(ctx, stmt); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
		WHERE datname = $1 AND pid <> pg_backend_pid()`, t.Env.Config.Postgres.Database); err != nil {
		return fmt.Errorf("end sessions: %w", err)
	}
	return nil
}

// postApp posts v as JSON to the app's admin path and wants a 200.
func postApp(ctx context.Context, t Target, path string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.Env.AppURL+path, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("post %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("post %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("post %s: %s: %s", path, resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}
