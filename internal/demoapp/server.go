package demoapp

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/redis/go-redis/v9"
)

// App is the demo service: its handlers and the connections they share.
type App struct {
	cfg Config
	// secret is the webhook signing secret now in use: cfg.WebhookSecret
	// until rotated through /admin/webhook-secret.
	secret  secretStore
	pool    *pgxpool.Pool
	redis   *redis.Client
	flags   *flagStore
	metrics *metrics
	mux     *http.ServeMux
	// release is the release the app runs (its version); relFail fails
	// the share of requests its defect fails.
	release Release
	relFail releaseFailure
	// log writes JSON lines (Run's logger; stderr until then).
	log *slog.Logger
	// limiter is the deny list and the global rate limit on API requests.
	limiter *rateLimiter
	// tokens sign and check auth tokens; rotatable.
	tokens *tokenKeys
	// dbLogin is the database password new connections use; rotatable.
	dbLogin *dbLogin
}

// New connects (lazily) to Postgres and Redis and wires the routes. It does
// not migrate: call Migrate before serving.
func New(cfg Config) (*App, error) {
	pcfg, err := pgxpool.ParseConfig(cfg.DatabaseURL)
	if err != nil {
		return nil, fmt.Errorf("new app: DATABASE_URL: %w", err)
	}
	pcfg.MaxConns = cfg.MaxConns
	// A connection that failed stays out of the pool; a quick health check on
	// idle connections finds those a restarted server closed.
	pcfg.HealthCheckPeriod = 5 * time.Second
	login := &dbLogin{password: pcfg.ConnConfig.Password}
	pcfg.BeforeConnect = login.beforeConnect
	pool, err := pgxpool.NewWithConfig(context.Background(), pcfg)
	if err != nil {
		return nil, fmt.Errorf("new app: postgres pool: %w", err)
	}
	ropt, err := redis.ParseURL(cfg.RedisURL)
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("new app: REDIS_URL: %w", err)
	}
	ropt.DialTimeout = cfg.AcquireTimeout
	ropt.ReadTimeout = cfg.AcquireTimeout
	ropt.WriteTimeout = cfg.AcquireTimeout
	a := &App{cfg: cfg, release: Release{Version: Version}, pool: pool, redis: redis.NewClient(ropt), flags: newFlagStore(),
		log: slog.New(slog.NewJSONHandler(os.Stderr, nil)), dbLogin: login}
	a.metrics = newMetrics(pool)
	a.limiter = &rateLimiter{redis: a.redis, fallback: cfg.RateLimit}
	a.tokens = &tokenKeys{current: []byte(cfg.WebhookSecret + ":auth")}
	a.routes()
	return a, nil
}

// Pool is the app's Postgres pool (for migrations and tests).
func (a *App) Pool() *pgxpool.Pool { return a.pool }

// Close releases the app's connections.
func (a *App) Close() {
	a.pool.Close()
	_ = a.redis.Close()
}

// Handler is the app's HTTP handler, metrics middleware included.
func (a *App) Handler() http.Handler { return a.mux }

func (a *App) routes() {
	a.mux = http.NewServeMux()
	handle := func(pattern string, api bool, h http.HandlerFunc) {
		a.mux.Handle(pattern, a.instrument(pattern, api, h))
	}
	handle("GET /{$}", false, a.home)
	handle("GET /health", false, a.health)
	handle("GET /api/health", false, a.health)
	handle("GET /version", false, a.version)
	handle("GET /api/content/public", true, a.contentPublic)
	handle("GET /api/auth/status", true, a.authStatus)
	handle("POST /api/auth/login", true, a.login)
	handle("POST /webhooks/stripe", true, a.stripeWebhook)
	handle("GET /admin/flags", false, a.getFlags)
	handle("GET /admin/webhook-secret", false, a.getWebhookSecret)
	handle("POST /admin/webhook-secret", false, a.setWebhookSecret)
	handle("GET /admin/webhooks/failed", false, a.failedWebhooks)
	handle("POST /admin/webhooks/replay", false, a.replayWebhooks)
	handle("POST /admin/flags", false, a.setFlags)
	handle("GET /admin/token-secret", false, a.getTokenSecret)
	handle("POST /admin/token-secret", false, a.rotateTokenSecret)
	handle("GET /admin/db-password", false, a.getDBPassword)
	handle("POST /admin/db-password", false, a.setDBPassword)
	a.mux.Handle("GET /metrics", promhttp.HandlerFor(a.metrics.registry, promhttp.HandlerOpts{}))
}

// instrument records every request's outcome and applies the flags that act
// on API endpoints: maintenance mode and the failure flag.
func (a *App) instrument(pattern string, api bool, h http.HandlerFunc) http.Handler {
	method, endpoint, _ := strings.Cut(pattern, " ")
	endpoint = strings.TrimSuffix(endpoint, "{$}") // "/{$}" is the page "/"
	// Start each route's error series at zero, as Prometheus' instrumentation
	// guide advises: a series born by the first failure has no rate() until
	// its second sample, which would delay detection by one scrape on a
	// fresh app and not on one that failed before.
	for _, code := range []int{http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusServiceUnavailable} {
		a.metrics.requests.WithLabelValues(endpoint, method, strconv.Itoa(code))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
		switch {
		case api && !a.allow(rec, r):
			// Denied or over the rate limit: allow answered.
		case api && a.flags.get().Maintenance:
			writeJSON(rec, http.StatusServiceUnavailable, map[string]string{"error": "maintenance mode"})
		case api && a.flags.shouldFail(endpoint):
			writeJSON(rec, http.StatusInternalServerError, map[string]string{"error": "injected failure"})
		case api && a.relFail.fail():
			writeJSON(rec, http.StatusInternalServerError, map[string]string{"error": "release " + a.release.Version + ": internal error"})
		default:
			h(rec, r)
		}
		if api && a.flags.get().Audit {
			a.log.Info("audit", "method", r.Method, "path", r.URL.Path, "source", source(r), "code", rec.code,
				"user_agent", r.UserAgent(), "duration_ms", time.Since(start).Milliseconds())
		}
		a.metrics.requests.WithLabelValues(endpoint, r.Method, strconv.Itoa(rec.code)).Inc()
		a.metrics.duration.WithLabelValues(endpoint, r.Method).Observe(time.Since(start).Seconds())
	})
}

// allow applies the deny list and the global rate limit to r, answering
// 403 or 429 itself when r may not pass.
func (a *App) allow(w http.ResponseWriter, r *http.Request) bool {
	src := source(r)
	v := a.limiter.admit(r.Context(), src, requestTime(r))
	switch {
	case v.denied:
		a.metrics.denied.WithLabelValues(src).Inc()
		writeJSON(w, http.StatusForbidden, map[string]any{"error": "source denied"})
		return false
	case v.limited:
		w.Header().Set("Retry-After", "1")
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"error": "rate limited", "limit": v.limit})
		return false
	}
	return true
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// dbError answers a request whose database work failed: 503 when no
// connection could be had in time (the pool or the server is exhausted or
// down), 500 for anything else.
func dbError(w http.ResponseWriter, err error) {
	writeJSON(w, dbStatus(err), map[string]string{"error": "database: " + err.Error()})
}

func dbStatus(err error) int {
	var pgErr interface{ SQLState() string }
	if errors.Is(err, context.DeadlineExceeded) || errors.As(err, &pgErr) && strings.HasPrefix(pgErr.SQLState(), "53") ||
		strings.Contains(err.Error(), "connect") {
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func (a *App) dbContext(r *http.Request) (context.Context, context.CancelFunc) {
	return context.WithTimeout(r.Context(), a.cfg.AcquireTimeout)
}

func (a *App) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := a.dbContext(r)
	defer cancel()
	checks := map[string]string{"postgres": "ok", "redis": "ok"}
	var failed []string
	var one int
	if err := a.pool.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil {
		checks["postgres"] = "error: " + err.Error()
		failed = append(failed, "postgres")
	}
	if err := a.redis.Ping(ctx).Err(); err != nil {
		checks["redis"] = "error: " + err.Error()
		failed = append(failed, "redis")
	}
	if len(failed) > 0 {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unhealthy", "failed": failed, "checks": checks, "version": a.release.Version})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "checks": checks, "version": a.release.Version})
}

type contentItem struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	AuthorID  int64     `json:"author_id"`
	CreatedAt time.Time `json:"created_at"`
}

// contentPublic serves a page of public content through the Redis cache.
// A cache outage is not an error: the page is read from Postgres.
func (a *App) contentPublic(w http.ResponseWriter, r *http.Request) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if page < 0 || page > 100 {
		page = 0
	}
	ctx, cancel := a.dbContext(r)
	defer cancel()
	key := "content:public:" + strconv.Itoa(page)
	if cached, err := a.redis.Get(ctx, key).Bytes(); err == nil {
		a.metrics.cacheHits.Inc()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Cache", "hit")
		_, _ = w.Write(cached)
		return
	}
	a.metrics.cacheMisses.Inc()
	rows, err := a.pool.Query(ctx, `SELECT id, title, author_id, created_at FROM content
		WHERE public ORDER BY created_at DESC, id DESC LIMIT 20 OFFSET $1`, page*20)
	if err != nil {
		dbError(w, err)
		return
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByPos[contentItem])
	if err != nil {
		dbError(w, err)
		return
	}
	body, _ := json.Marshal(map[string]any{"page": page, "items": items})
	_ = a.redis.Set(ctx, key, body, a.cfg.CacheTTL).Err()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Cache", "miss")
	_, _ = w.Write(body)
}

func source(r *http.Request) string {
	if f := r.Header.Get("X-Forwarded-For"); f != "" {
		return strings.TrimSpace(strings.Split(f, ",")[0])
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (a *App) authStatus(w http.ResponseWriter, r *http.Request) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		writeJSON(w, http.StatusOK, map[string]any{"authenticated": false})
		return
	}
	id, _, _ := strings.Cut(tok, ".")
	uid, err := strconv.ParseInt(id, 10, 64)
	if err != nil || !a.tokens.valid(uid, tok) {
		a.metrics.authFailures.WithLabelValues(source(r)).Inc()
		writeJSON(w, http.StatusUnauthorized, map[string]any{"authenticated": false, "error": "invalid token"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"authenticated": true, "user_id": uid})
}

func (a *App) login(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Email    string `json:"email"`
		Password string `json:"password"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<16)).Decode(&req); err != nil || req.Email == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body must be JSON with email and password"})
		return
	}
	ctx, cancel := a.dbContext(r)
	defer cancel()
	var id int64
	var hash string
	err := a.pool.QueryRow(ctx, `SELECT id, password FROM users WHERE email = $1`, req.Email).Scan(&id, &hash)
	sum := md5.Sum([]byte(req.Password))
	switch {
	case errors.Is(err, pgx.ErrNoRows) || err == nil && hex.EncodeToString(sum[:]) != hash:
		a.metrics.authFailures.WithLabelValues(source(r)).Inc()
		a.log.Warn("login failed", "email", req.Email, "source", source(r))
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid credentials"})
	case err != nil:
		dbError(w, err)
	default:
		writeJSON(w, http.StatusOK, map[string]any{"token": a.tokens.sign(id), "user_id": id})
	}
}

func (a *App) getFlags(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, a.flags.get())
}

func (a *App) setFlags(w http.ResponseWriter, r *http.Request) {
	var u flagUpdate
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<16))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&u); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "flags: " + err.Error()})
		return
	}
	f, err := a.flags.update(u)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "flags: " + err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, f)
}
