package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/internal/poll"
)

// Env is a running stack, as the rest of firedrill sees it.
type Env struct {
	RunID    string
	Provider string
	Config   config.Stack

	// PostgresURL reaches the app's database from this host, as the
	// stack's own user (stack.postgres.user, a superuser): the harness's
	// login, which probes, faults, exporters and playbook steps use.
	PostgresURL string
	// AppDatabaseURL reaches the app's database from this host with the
	// app's own login (stack.postgres.app_user) and the password the app
	// was started with, generated for the run: after a drill rotated the
	// app's password, Postgres refuses it (see AppPasswordRotated). It is
	// PostgresURL when app_user is empty.
	AppDatabaseURL string
	// Postgres is the harness's own pool on the app's database (not the
	// app's pool: the app must feel faults that the harness survives).
	Postgres *pgxpool.Pool
	// RedisURL reaches Redis from this host.
	RedisURL string
	Redis    *redis.Client
	// AppURL is the app's base URL from this host, without a trailing slash.
	AppURL string
	// Targets are the metrics endpoints to scrape: the app and the exporters.
	Targets []MetricsTarget

	// appLogin is the app's database login as the stack started the app.
	appLogin appLogin
	services map[string]Service
	// hostPorts are the services' ports on 127.0.0.1, by name (wireHost).
	hostPorts map[string]int
	// serviceTempDir is the services' temporary directory when it is not
	// this host's (containers); see BackupPath.
	serviceTempDir string
	data           *dataSnapshot
	// gone is the provider's Gone check (nil: it cannot tell).
	gone    func(context.Context) error
	mu      sync.Mutex
	closers []func(context.Context) error
	closed  bool
}

// snapshotSuffix names the template database that Reset copies from.
const snapshotSuffix = "_firedrill_seed"

// Service returns the named service (postgres, redis, app, postgres-exporter,
// redis-exporter).
func (e *Env) Service(name string) (Service, error) {
	s, ok := e.services[name]
	if !ok {
		return nil, fmt.Errorf("service %q: not in this stack (have %s)", name, strings.Join(e.ServiceNames(), ", "))
	}
	return s, nil
}

// ServiceNames lists the stack's services, sorted.
func (e *Env) ServiceNames() []string {
	names := make([]string, 0, len(e.services))
	for n := range e.services {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// AdminURL is PostgresURL on the maintenance database "postgres", for work
// that must not hold a connection to the app's database.
func (e *Env) AdminURL() string { return withDatabase(e.PostgresURL, "postgres") }

func withDatabase(pgURL, db string) string {
	u, err := url.Parse(pgURL)
	if err != nil {
		return pgURL
	}
	u.Path = "/" + db
	return u.String()
}

func (e *Env) addService(s Service) {
	if e.services == nil {
		e.services = map[string]Service{}
	}
	e.services[s.Name()] = s
}

// onClose registers cleanup, run last-in first-out by Close.
func (e *Env) onClose(f func(context.Context) error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.closers = append(e.closers, f)
}

// Close stops and removes everything the stack started. It is safe to call
// on a partial Env and more than once.
func (e *Env) Close(ctx context.Context) error {
	if e == nil {
		return nil
	}
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	closers := slices.Clone(e.closers)
	e.mu.Unlock()
	if e.Postgres != nil {
		e.Postgres.Close()
	}
	if e.Redis != nil {
		_ = e.Redis.Close()
	}
	var errs []error
	for i := len(closers) - 1; i >= 0; i-- {
		if err := closers[i](ctx); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// connectClients opens the harness's own clients once the services answer.
func (e *Env) connectClients(ctx context.Context) error {
	pcfg, err := pgxpool.ParseConfig(e.PostgresURL)
	if err != nil {
		return fmt.Errorf("connect postgres: %w", err)
	}
	pcfg.MaxConns = 4
	// The harness must outlive the faults it injects: a session that a
	// restart or a terminate ended is found by a ping and replaced.
	pcfg.ShouldPing = func(context.Context, pgxpool.ShouldPingParams) bool { return true }
	if e.Postgres, err = pgxpool.NewWithConfig(ctx, pcfg); err != nil {
		return fmt.Errorf("connect postgres: %w", err)
	}
	opt, err := redis.ParseURL(e.RedisURL)
	if err != nil {
		return fmt.Errorf("connect redis: %w", err)
	}
	e.Redis = redis.NewClient(opt)
	return nil
}

// WaitHealthy polls the app's health path until it answers 200.
func (e *Env) WaitHealthy(ctx context.Context, timeout time.Duration) error {
	return poll.Until(ctx, timeout, 100*time.Millisecond, func(ctx context.Context) error {
		return httpOK(ctx, e.AppURL+e.Config.App.HealthPath)
	})
}

func httpOK(ctx context.Context, u string) error {
	_, err := httpGet(ctx, u)
	return err
}

// httpGet returns the body of a 200 answer, and an error for anything else.
func httpGet(ctx context.Context, u string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return "", err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s: %s", Redact(u), resp.Status)
	}
	return string(body), nil
}

// snapshot keeps the seeded app database as a template that Reset copies.
// CREATE DATABASE ... TEMPLATE needs the source to have no other sessions,
// so the app's are ended first; its pool reconnects on the next request.
func (e *Env) snapshot(ctx context.Context) error {
	db := e.Config.Postgres.Database
	err := e.withAdmin(ctx, func(conn *pgx.Conn) error {
		if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{db + snapshotSuffix}.Sanitize()); err != nil {
			return err
		}
		return e.copyDatabase(ctx, conn, db, db+snapshotSuffix)
	})
	if err != nil {
		return err
	}
	// The seeded rows in memory too, for Reset's fast path.
	conn, err := pgx.Connect(ctx, e.PostgresURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	e.data, err = takeDataSnapshot(ctx, conn)
	return err
}

// restoreData is Reset's fast path: the seeded rows put back in place, no
// session ended. It reports false, having changed nothing, whenever it
// cannot do that (the schema or settings changed, a lock is held, the
// database is gone): the template path then does.
func (e *Env) restoreData(ctx context.Context) bool {
	if e.data == nil {
		return false
	}
	conn, err := pgx.Connect(ctx, e.PostgresURL)
	if err != nil {
		return false
	}
	defer conn.Close(context.WithoutCancel(ctx))
	ok, err := e.data.restore(ctx, conn)
	return ok && err == nil
}

// Reset puts the stack back to the state right after Start: the app's
// tables refilled with the seeded rows (or, when a drill changed the schema
// or the database's settings, the database recreated from the seeded
// template), Redis flushed, and the app's database login back to the
// password the app was started with (see restoreAppLogin). No service
// restarts, but an app that cannot be handed its password back after a
// rotation; Reset returns once the app is healthy and the exporters see
// their services again.
func (e *Env) Reset(ctx context.Context) error {
	// A drill may have left a service stopped or paused.
	for _, name := range []string{Postgres, Redis, PostgresExporter, RedisExporter, App} {
		if s, ok := e.services[name].(interface{ ensureRunning(context.Context) error }); ok {
			if err := s.ensureRunning(ctx); err != nil {
				return fmt.Errorf("reset: %w", err)
			}
		}
	}
	if !e.restoreData(ctx) {
		if err := e.recreateDatabase(ctx); err != nil {
			return err
		}
	}
	// A drill may have rotated the app's database password.
	if err := e.restoreAppLogin(ctx); err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	// The rest is waiting for others to notice; do it side by side. After a
	// recreation, the exporters' sessions died with the old database, and
	// postgres_exporter takes a second to notice.
	var g errgroup.Group
	g.Go(func() error {
		if err := e.Redis.FlushAll(ctx).Err(); err != nil {
			return fmt.Errorf("reset redis: %w", err)
		}
		if err := e.WaitHealthy(ctx, 30*time.Second); err != nil {
			return fmt.Errorf("reset: app: %w", err)
		}
		return nil
	})
	g.Go(func() error { return e.waitExporters(ctx, 30*time.Second) })
	if err := g.Wait(); err != nil {
		return fmt.Errorf("reset: %w", err)
	}
	return nil
}

// recreateDatabase drops the app's database, ending every session on it,
// and creates it again from the seeded template.
func (e *Env) recreateDatabase(ctx context.Context) error {
	db := e.Config.Postgres.Database
	if e.Postgres != nil {
		// The harness's own sessions would block the drop.
		e.Postgres.Reset()
	}
	err := e.withAdmin(ctx, func(conn *pgx.Conn) error {
		if _, err := conn.Exec(ctx, `DROP DATABASE IF EXISTS `+pgx.Identifier{db}.Sanitize()+` WITH (FORCE)`); err != nil {
			return err
		}
		return e.copyDatabase(ctx, conn, db+snapshotSuffix, db)
	})
	if err != nil {
		return fmt.Errorf("reset postgres: %w", err)
	}
	return nil
}

// waitExporters polls each exporter until it reports its service up, so the
// first scrape of a drill does not see a reconnect as an outage.
func (e *Env) waitExporters(ctx context.Context, timeout time.Duration) error {
	for _, t := range e.Targets {
		if t.UpMetric == "" {
			continue
		}
		err := poll.Until(ctx, timeout, 100*time.Millisecond, func(ctx context.Context) error {
			body, err := httpGet(ctx, t.URL)
			if err != nil {
				return err
			}
			if !strings.Contains(body, "\n"+t.UpMetric+" 1") {
				return fmt.Errorf("%s does not report %s 1 yet", t.Instance, t.UpMetric)
			}
			return nil
		})
		if err != nil {
			return fmt.Errorf("exporter %s: %w", t.Instance, err)
		}
	}
	return nil
}

// copyDatabase creates dst from src as a template, ending the sessions on
// src that keep it busy (SQLSTATE 55006) until the copy goes through.
func (e *Env) copyDatabase(ctx context.Context, conn *pgx.Conn, src, dst string) error {
	return poll.Until(ctx, 30*time.Second, 50*time.Millisecond, func(ctx context.Context) error {
		if _, err := conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = $1 AND pid <> pg_backend_pid()`, src); err != nil {
			return err
		}
		_, err := conn.Exec(ctx, `CREATE DATABASE `+pgx.Identifier{dst}.Sanitize()+` TEMPLATE `+pgx.Identifier{src}.Sanitize())
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) && pgErr.Code != "55006" {
			return poll.Permanent(err)
		}
		return err
	})
}

func (e *Env) withAdmin(ctx context.Context, f func(*pgx.Conn) error) error {
	conn, err := pgx.Connect(ctx, e.AdminURL())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return f(conn)
}
