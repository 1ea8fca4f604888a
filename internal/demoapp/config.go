package demoapp

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// DefaultRateLimit is the global limit on API requests per second when
// neither RATE_LIMIT nor Redis sets one: three times the shipped drills'
// steady 20 requests per second, so a surge, not a normal day, trips it.
const DefaultRateLimit = 60

// Config is the app's configuration, read from the environment so that any
// stack provider can wire it.
type Config struct {
	DatabaseURL    string
	RedisURL       string
	Addr           string
	MaxConns       int32
	AcquireTimeout time.Duration
	CacheTTL       time.Duration
	WebhookSecret  string
	// RateLimit is the global limit on API requests per second when Redis'
	// ratelimit:global:limit is not set; 0 turns it off.
	RateLimit int64
	// SeedScale multiplies the seeded row counts; 1 seeds 10,000 content rows.
	SeedScale int
}

// ConfigFromEnv reads Config from the environment, naming the variable of
// any bad value.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = os.Getenv
	}
	c := Config{
		DatabaseURL:    getenv("DATABASE_URL"),
		RedisURL:       getenv("REDIS_URL"),
		Addr:           ":8080",
		MaxConns:       10,
		AcquireTimeout: 2 * time.Second,
		CacheTTL:       5 * time.Second,
		WebhookSecret:  DefaultWebhookSecret,
		SeedScale:      1,
		RateLimit:      DefaultRateLimit,
	}
	if c.DatabaseURL == "" {
		return c, fmt.Errorf("read config: DATABASE_URL is not set")
	}
	if c.RedisURL == "" {
		return c, fmt.Errorf("read config: REDIS_URL is not set")
	}
	if v := getenv("PORT"); v != "" {
		if _, err := strconv.ParseUint(v, 10, 16); err != nil {
			return c, fmt.Errorf("read config: PORT=%q is not a port number", v)
		}
		c.Addr = ":" + v
	}
	if v := getenv("DB_MAX_CONNS"); v != "" {
		n, err := strconv.ParseInt(v, 10, 32)
		if err != nil || n < 1 {
			return c, fmt.Errorf("read config: DB_MAX_CONNS=%q is not a positive number", v)
		}
		c.MaxConns = int32(n)
	}
	for _, d := range []struct {
		name string
		dst  *time.Duration
	}{{"DB_ACQUIRE_TIMEOUT", &c.AcquireTimeout}, {"CACHE_TTL", &c.CacheTTL}} {
		if v := getenv(d.name); v != "" {
			p, err := time.ParseDuration(v)
			if err != nil || p <= 0 {
				return c, fmt.Errorf("read config: %s=%q is not a positive duration", d.name, v)
			}
			*d.dst = p
		}
	}
	if v := getenv("WEBHOOK_SECRET"); v != "" {
		c.WebhookSecret = v
	}
	if v := getenv("RATE_LIMIT"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return c, fmt.Errorf("read config: RATE_LIMIT=%q is not a number of requests per second (0: no limit)", v)
		}
		c.RateLimit = n
	}
	if v := getenv("SEED_SCALE"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return c, fmt.Errorf("read config: SEED_SCALE=%q is not a number from 1 to 100", v)
		}
		c.SeedScale = n
	}
	return c, nil
}
