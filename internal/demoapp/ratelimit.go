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

// rateLimiter is the app's global rate limit: at most limit API requests
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

// allow counts one request at second at and says whether it is within the
// limit, and the limit in force (0: none).
func (l *rateLimiter) allow(ctx context.Context, at time.Time) (bool, int64) {
	l.mu.Lock()
	backoff := time.Now().Before(l.failUntil)
	l.mu.Unlock()
	if backoff {
		return true, 0
	}
	key := rateLimitWindow + strconv.FormatInt(at.Unix(), 10)
	var limit *redis.StringCmd
	var count *redis.IntCmd
	_, err := l.redis.Pipelined(ctx, func(p redis.Pipeliner) error {
		limit = p.Get(ctx, RateLimitKey)
		count = p.Incr(ctx, key)
		p.Expire(ctx, key, windowTTL)
		return nil
	})
	if err != nil && err != redis.Nil {
		l.mu.Lock()
		l.failUntil = time.Now().Add(limiterBackoff)
		l.mu.Unlock()
		return true, 0
	}
	lim := l.fallback
	if v, err := limit.Int64(); err == nil {
		lim = v
	}
	if lim <= 0 {
		return true, 0
	}
	return count.Val() <= lim, lim
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
