package demoapp

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Rate limit keys in Redis. The limit is the playbook's quick fix 6 key:
// `redis-cli SET "ratelimit:global:limit" 1000 EX 3600` raises it for an
// hour, and when the key expires the configured default applies again.
const (
	RateLimitKey    = "ratelimit:global:limit"
	rateLimitWindow = "ratelimit:global:window:" // + the window's Unix second
	// windowTTL keeps a window's counter a while after its second: a drill
	// sends one drill second's requests within a few wall seconds.
	windowTTL = 2 * time.Minute
	// limiterBackoff is how long the limiter stays out of the way after
	// Redis failed it: a cache outage must not double every request's
	// wait on a dead Redis.
	limiterBackoff = time.Second
)

// rateLimiter is the app's gate for API requests: the deny list (the
// Security Incident's "isolate": a source on it is refused with 403) and
// the global rate limit: at most limit API requests
// in each second, counted across every instance in Redis (one INCR per
// request on the second's counter). The limit is Redis' RateLimitKey when
// set, else the configured default; 0 turns the limit off.
//
// A request's second is its Date header when the client sends one (RFC
// 9110 allows it), else the app's clock: firedrill's traffic stamps each
// request with the drill time it stands for, so 15 s of a compressed
// drill's traffic count as 15 s, not as the fraction of a wall second
// they took to send. A client could dodge the limit with a false Date;
// the demo app accepts that.
//
// When Redis fails, the limiter lets requests through (fail open) and
// stays out of the way for limiterBackoff.
type rateLimiter struct {
	redis    *redis.Client
	fallback int64

	mu        sync.Mutex
	failUntil time.Time
}

// verdict is what the gate says of one API request.
type verdict struct {
	// denied: the request's source is on the deny list (403).
	denied bool
	// limited: over the rate limit (429); limit is the limit in force.
	limited bool
	limit   int64
}

// admit counts one request from source at second at against the limit and
// checks source against the deny list (DenyListKey), in one round trip.
// A denied request counts toward the limit too, as it reached the app.
func (l *rateLimiter) admit(ctx context.Context, source string, at time.Time) verdict {
	l.mu.Lock()
	backoff := time.Now().Before(l.failUntil)
	l.mu.Unlock()
	if backoff {
		return verdict{}
	}
	key := rateLimitWindow + strconv.FormatInt(at.Unix(), 10)
	var limit *redis.StringCmd
	var count *redis.IntCmd
	var denied *redis.BoolCmd
	_, err := l.redis.Pipelined(ctx, func(p redis.Pipeliner) error {
		denied = p.SIsMember(ctx, DenyListKey, source)
		limit = p.Get(ctx, RateLimitKey)
		count = p.Incr(ctx, key)
		p.Expire(ctx, key, windowTTL)
		return nil
	})
	if err != nil && err != redis.Nil {
		l.mu.Lock()
		l.failUntil = time.Now().Add(limiterBackoff)
		l.mu.Unlock()
		return verdict{}
	}
	if denied.Val() {
		return verdict{denied: true}
	}
	lim := l.fallback
	if v, err := limit.Int64(); err == nil {
		lim = v
	}
	if lim <= 0 {
		return verdict{}
	}
	return verdict{limited: count.Val() > lim, limit: lim}
}

// requestTime is the second a request counts in: its Date header when it
// parses, else now.
func requestTime(r *http.Request) time.Time {
	if d := r.Header.Get("Date"); d != "" {
		if t, err := http.ParseTime(d); err == nil {
			return t
		}
	}
	return time.Now()
}
