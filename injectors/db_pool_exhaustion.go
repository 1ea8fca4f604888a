package injectors

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/firedrill/firedrill/internal/poll"
	"github.com/firedrill/firedrill/stack"
)

func init() {
	Register("db-pool-exhaustion", func() Injector { return new(PoolExhaustion) })
}

// PoolExhaustion is the playbook's monthly drill: Postgres runs out of
// connection slots and the app, starved, fails its requests.
//
// Filling max_connections alone is not enough, because the app's pool
// already holds its connections and keeps serving. So the fault fills the
// slots first, then ends the app's existing sessions (every session on the
// app's database that is neither the fault's nor the harness pool's), then
// fills the slots those freed, until the server refuses and no foreign
// session is left: the app's reconnects are refused (SQLSTATE 53300) and its
// requests and /health fail with 503.
//
// Reserved slots: an app may log in as a superuser (with
// stack.postgres.app_user empty it shares the harness's role), and
// superuser_reserved_connections would let it back in. The fault
// therefore takes every slot, the reserved ones included (it opens
// sessions until the server refuses). The harness keeps a way to act
// through its own pool: before filling, the fault opens env.Postgres to its
// full size and spares those sessions. Anything that runs SQL through
// env.Postgres (the runtime, a playbook's sql step) works during the fault;
// a brand-new connection (psql $DATABASE_URL) is refused, as it would be in
// a real outage once the reserved slots are gone.
//
// The sleeping sessions run the playbook's own inject on the app's database
// and are named SessionPrefix+"db-pool-exhaustion-<id>", so the db-recovery
// playbook's "reset connections" (terminate every session on the app's
// database) ends them as it would end real runaway sessions. Recover ends
// exactly the fault's sessions.
type PoolExhaustion struct {
	Connections int `param:"connections" min:"0" max:"10000" zero:"every slot, then the app's sessions" help:"sessions that sit in pg_sleep; 0 (the default) takes every connection slot the server has, superuser-reserved ones included, and then the app's own"`

	mu      sync.Mutex
	name    string    // application_name of this injection's sessions
	control *pgx.Conn // an idle session of ours, to act once the slots are full
	held    int       // sleeping sessions opened
	// stop ends the sleeping sessions' statements.
	stop    context.CancelFunc
	running sync.WaitGroup
	// failAfter makes Inject fail after opening that many sleeping sessions
	// (tests of Recover after a partial Inject).
	failAfter int
}

// Description is for `firedrill list`.
func (*PoolExhaustion) Description() string {
	return "fills every Postgres connection slot with sessions sleeping in pg_sleep, then ends the app's sessions so its reconnects are refused"
}

// sleepSQL is the playbook's "Monthly Incident Drill" inject, verbatim.
const sleepSQL = `DO $$
BEGIN
  FOR i IN 1..100 LOOP
    PERFORM pg_sleep(300);
  END LOOP;
END $$`

// maxRounds bounds the fill-then-evict loop against an app that keeps
// winning the race for a freed slot.
const maxRounds = 20

var errFailAfter = errors.New("failing on purpose after the sessions asked for by the test")

// Inject fills the slots and starves the app; see PoolExhaustion.
func (p *PoolExhaustion) Inject(ctx context.Context, t Target) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.name != "" {
		return errors.New("inject db-pool-exhaustion: already injected; recover first")
	}
	if t.Env == nil {
		return errors.New("inject db-pool-exhaustion: no stack")
	}
	p.name = sessionName("db-pool-exhaustion")
	if err := p.inject(ctx, t.Env); err != nil {
		return fmt.Errorf("inject db-pool-exhaustion: %w", err)
	}
	return nil
}

func (p *PoolExhaustion) inject(ctx context.Context, env *stack.Env) error {
	spared, err := warmHarness(ctx, env)
	if err != nil {
		return err
	}
	if p.control, err = connectAs(ctx, env.PostgresURL, p.name); err != nil {
		return fmt.Errorf("open control session: %w", err)
	}
	limit := p.Connections
	if limit == 0 {
		// Nothing can hold more sessions than the server has slots.
		if err := p.control.QueryRow(ctx, `SELECT current_setting('max_connections')::int`).Scan(&limit); err != nil {
			return fmt.Errorf("read max_connections: %w", err)
		}
	}
	// The sleeping sessions outlive Inject's ctx: only Recover ends them.
	sleepCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	p.stop = stop
	for round := 1; ; round++ {
		full, err := p.fill(ctx, sleepCtx, env.PostgresURL, limit)
		if err != nil {
			return err
		}
		ended, err := p.evict(ctx, env.Config.Postgres.Database, spared)
		if err != nil {
			return err
		}
		// Slots that were not all taken (a smaller `connections`) stay open
		// to the app's reconnects: one eviction is all that asks for.
		if ended == 0 || !full {
			return nil
		}
		if round == maxRounds {
			return fmt.Errorf("starve the app: it still took %d sessions back after %d rounds", ended, round)
		}
	}
}

// warmHarness opens the harness pool to its full size, so the harness can
// act while every other slot is taken, and returns its sessions' pids for
// the fault to spare.
func warmHarness(ctx context.Context, env *stack.Env) ([]int32, error) {
	if env.Postgres == nil {
		return nil, nil
	}
	wctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	n := int(env.Postgres.Config().MaxConns)
	conns := make([]*pgxpool.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Release()
		}
	}()
	pids := make([]int32, 0, n)
	for range n {
		c, err := env.Postgres.Acquire(wctx)
		if err != nil {
			return nil, fmt.Errorf("warm the harness pool: %w", err)
		}
		conns = append(conns, c)
		pids = append(pids, int32(c.Conn().PgConn().PID()))
	}
	return pids, nil
}

// fill opens sleeping sessions until limit or until the server refuses;
// full says it refused.
func (p *PoolExhaustion) fill(ctx, sleepCtx context.Context, url string, limit int) (full bool, err error) {
	for p.held < limit {
		if p.failAfter > 0 && p.held >= p.failAfter {
			return false, errFailAfter
		}
		if err := p.sleep(ctx, sleepCtx, url); err != nil {
			if tooManyClients(err) {
				return true, nil
			}
			return false, fmt.Errorf("open session %d: %w", p.held+1, err)
		}
		p.held++
	}
	return false, nil
}

// sleep opens one session and leaves it running the playbook's inject until
// sleepCtx ends (Recover ends it).
func (p *PoolExhaustion) sleep(ctx, sleepCtx context.Context, url string) error {
	conn, err := connectAs(ctx, url, p.name)
	if err != nil {
		return err
	}
	// A session whose client went away (the harness was killed) then ends
	// within a second instead of holding its slot for hours. Servers before
	// 14 lack the setting; Recover still ends their sessions.
	_, _ = conn.Exec(ctx, `SET client_connection_check_interval = 1000`)
	p.running.Add(1)
	go func() {
		defer p.running.Done()
		_, _ = conn.Exec(sleepCtx, sleepSQL)
		cctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = conn.Close(cctx)
	}()
	return nil
}

// evict ends the sessions on the app's database that are neither ours nor
// the harness pool's, waits until they are gone, and says how many it ended.
func (p *PoolExhaustion) evict(ctx context.Context, db string, spared []int32) (int, error) {
	var pids []int32
	err := p.control.QueryRow(ctx, `SELECT coalesce(array_agg(pid), '{}') FROM (
			SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = $1 AND backend_type = 'client backend' AND pid <> pg_backend_pid()
			  AND application_name <> $2 AND NOT pid = ANY($3)) ended`,
		db, p.name, spared).Scan(&pids)
	if err != nil {
		return 0, fmt.Errorf("end the app's sessions: %w", err)
	}
	if len(pids) == 0 {
		return 0, nil
	}
	err = poll.Until(ctx, 30*time.Second, 20*time.Millisecond, func(ctx context.Context) error {
		var left int
		if err := p.control.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE pid = ANY($1)`, pids).Scan(&left); err != nil {
			return poll.Permanent(err)
		}
		if left > 0 {
			return fmt.Errorf("%d still there", left)
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("end the app's sessions: %w", err)
	}
	return len(pids), nil
}

// Recover ends exactly the fault's sessions (found by name, so it also
// finds those of a half-done Inject) and closes its connections. The app's
// pool reconnects on its next request.
func (p *PoolExhaustion) Recover(ctx context.Context, t Target) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stop != nil {
		p.stop()
	}
	if p.name != "" {
		err := withSession(ctx, t.Env, p.control, func(q querier) error { return endSessions(ctx, q, p.name) })
		if err != nil {
			return fmt.Errorf("recover db-pool-exhaustion: %w", err)
		}
	}
	if p.control != nil {
		_ = p.control.Close(ctx)
		p.control = nil
	}
	done := make(chan struct{})
	go func() { p.running.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("recover db-pool-exhaustion: wait for sessions to close: %w", ctx.Err())
	}
	p.name, p.held, p.stop = "", 0, nil
	return nil
}
