package injectors

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

func init() {
	Register("auth-attack", func() Injector { return new(AuthAttack) })
}

// AuthAttack is credential stuffing: failed logins from one source, beside
// the steady traffic, sent each tick for as long as the fault lasts. Each
// guesses a leaked password for a seeded user's email (or an email that is
// not there), so every one fails with 401 and counts in the app's
// auth_failures_total{source}. The source is the client address the app
// sees (the X-Forwarded-For a proxy in front of it would set): no request
// goes anywhere but to the drill's app.
//
// The fault changes nothing on the stack: Recover stops the attack and is
// harmless twice or after a failed Inject. Refusing the source (the deny
// list) is the responder's work, and a denied attempt (403) is no longer a
// failed login.
type AuthAttack struct {
	Source string  `param:"source" default:"203.0.113.66" help:"the attacker's address, as the app sees it (X-Forwarded-For)"`
	Rate   float64 `param:"rate" default:"2" min:"0.1" max:"100" help:"failed logins per second of drill time"`

	mu     sync.Mutex
	active bool
	carry  float64
	seq    int
}

// Description is for `firedrill list`.
func (*AuthAttack) Description() string {
	return "credential stuffing: failed logins from one source address at rate per second, beside the steady traffic, until the source is refused"
}

// Validate checks the source is an address.
func (a *AuthAttack) Validate() error {
	if net.ParseIP(a.Source) == nil {
		return fmt.Errorf("source: %q is not an IP address", a.Source)
	}
	return nil
}

// Inject starts the attack; its logins go out from the next tick on.
func (a *AuthAttack) Inject(ctx context.Context, t Target) error {
	if t.Env == nil {
		return errors.New("inject auth-attack: no stack")
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.active = true
	return ctx.Err()
}

// leakedPasswords are what a stuffing list tries.
var leakedPasswords = []string{"123456", "password", "qwerty123", "Summer2024!", "letmein", "iloveyou"}

// Tick sends one tick's failed logins.
func (a *AuthAttack) Tick(ctx context.Context, t Target, from time.Time, tick time.Duration) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if !a.active || t.Env == nil {
		return nil
	}
	n := loadCount(a.Rate, tick, &a.carry)
	seq := a.seq
	a.seq += n
	_, err := sendLoad(ctx, n, from, tick, func(ctx context.Context, i int) (*http.Request, error) {
		k := seq + i
		// Every fifth email is one the app does not know.
		email := fmt.Sprintf("user%d@example.com", 1+k%2000)
		if k%5 == 4 {
			email = fmt.Sprintf("admin%d@example.com", k)
		}
		body, _ := json.Marshal(map[string]string{"email": email, "password": leakedPasswords[k%len(leakedPasswords)]})
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.Env.AppURL+"/api/auth/login", bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", a.Source)
		req.Header.Set("User-Agent", "python-requests/2.31.0")
		return req, nil
	})
	return err
}

// Recover stops the attack.
func (a *AuthAttack) Recover(context.Context, Target) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.active = false
	return nil
}
