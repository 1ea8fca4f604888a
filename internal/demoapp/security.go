package demoapp

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"sync"
)

// DenyListKey is the Redis set of source addresses the app refuses (403 on
// every API request): the Security Incident's "isolate affected systems"
// (`iptables -I INPUT -s [suspicious_ip] -j DROP`) done where the app can
// see the source, `redis-cli SADD security:denylist 203.0.113.66`. A
// source is the first X-Forwarded-For address, else the peer's.
const DenyListKey = "security:denylist"

// tokenKeys sign the auth tokens. Rotating makes a new key for every token
// issued from then on and keeps the one before for checking, so the
// tokens users hold keep working while they log in again: the Security
// Incident's "generate new JWT secret" without logging everyone out. A
// second rotation retires the oldest key.
type tokenKeys struct {
	mu       sync.RWMutex
	current  []byte
	previous []byte
}

func (k *tokenKeys) sign(userID int64) string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return signToken(k.current, userID)
}

// valid says whether tok is a token for userID signed by a key in use.
func (k *tokenKeys) valid(userID int64, tok string) bool {
	k.mu.RLock()
	defer k.mu.RUnlock()
	for _, key := range [][]byte{k.current, k.previous} {
		if key != nil && hmac.Equal([]byte(signToken(key, userID)), []byte(tok)) {
			return true
		}
	}
	return false
}

func (k *tokenKeys) rotate() {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	k.mu.Lock()
	defer k.mu.Unlock()
	k.previous, k.current = k.current, b
}

// fingerprints name the keys in use without showing them.
func (k *tokenKeys) fingerprints() map[string]string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	out := map[string]string{"current": fingerprint(string(k.current))}
	if k.previous != nil {
		out["previous"] = fingerprint(string(k.previous))
	}
	return out
}

// signToken is an HMAC of the user id, good enough to tell a forged token
// from a real one without a session store.
func signToken(key []byte, userID int64) string {
	id := strconv.FormatInt(userID, 10)
	m := hmac.New(sha256.New, key)
	m.Write([]byte(id))
	return id + "." + hex.EncodeToString(m.Sum(nil))
}

func (a *App) getTokenSecret(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, a.tokens.fingerprints())
}

// rotateTokenSecret answers POST /admin/token-secret {"rotate": true}.
func (a *App) rotateTokenSecret(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Rotate bool `json:"rotate"`
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || !req.Rotate {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": `token secret: want {"rotate": true}`})
		return
	}
	a.tokens.rotate()
	a.log.Warn("token secret rotated", "keys", a.tokens.fingerprints())
	writeJSON(w, http.StatusOK, a.tokens.fingerprints())
}
