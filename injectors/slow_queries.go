package injectors

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/firedrill/firedrill/stack"
)

func init() {
	Register("slow-queries", func() Injector { return new(SlowQueries) })
}

// SlowQueries is the playbook's Performance Degradation from the database:
// runaway queries and a long transaction holding locks on a hot table, with
// the app's requests queueing behind them.
//
// Lock says what the long transaction holds on Table:
//
//   - table: ACCESS EXCLUSIVE (LOCK TABLE, as a migration or VACUUM FULL
//     takes it): every read of the table waits behind it;
//   - row: every row locked FOR UPDATE: writers of those rows wait, readers
//     do not (MVCC);
//   - none: no long transaction, only the runaway queries.
//
// The transaction runs a long statement (pg_sleep) after taking its lock,
// so it is "active" in pg_stat_activity with a query_start as old as the
// fault, as a runaway batch would be: the runbook's "kill long-running
// queries" finds it once it is older than its threshold. Sessions runaway
// queries read Table for as long (a pg_sleep joined with a scan); with a
// table lock they queue behind it too.
//
// Every session is named SessionPrefix+"slow-queries-<id>"; Recover ends
// exactly those, and so releases the locks.
type SlowQueries struct {
	Sessions int    `param:"sessions" default:"4" min:"0" max:"20" help:"runaway queries on the table, each holding a connection"`
	Lock     string `param:"lock" default:"table" enum:"none,row,table" help:"what the long transaction holds on the table: table (ACCESS EXCLUSIVE), row (every row FOR UPDATE), none (no long transaction)"`
	Table    string `param:"table" default:"content" help:"the hot table (schema.table when not in public); it must exist in the app's database"`

	mu      sync.Mutex
	name    string
	stop    context.CancelFunc
	running sync.WaitGroup
	// failAfterLock makes Inject fail once the lock is held (tests of
	// Recover after a partial Inject).
	failAfterLock bool
}

// Description is for `firedrill list`.
func (*SlowQueries) Description() string {
	return "runs runaway queries and a long transaction holding a lock on a hot table, so the app's requests queue behind them"
}

// Validate checks the table's name; whether it exists is checked at Inject.
func (s *SlowQueries) Validate() error {
	if !tableRe.MatchString(s.Table) {
		return fmt.Errorf("table: %q is not a table name (letters, digits and _, optionally schema.table)", s.Table)
	}
	if s.Lock == "none" && s.Sessions == 0 {
		return errors.New("lock none with 0 sessions does nothing")
	}
	return nil
}

// runawaySQL is a query that reads the table and runs for a day.
const runawaySQL = `SELECT count(*) FROM (SELECT pg_sleep(86400)) runaway, %s`

// Inject takes the lock (and waits until it is granted), then starts the
// runaway queries.
func (s *SlowQueries) Inject(ctx context.Context, t Target) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.name != "" {
		return errors.New("inject slow-queries: already injected; recover first")
	}
	if t.Env == nil {
		return errors.New("inject slow-queries: no stack")
	}
	s.name = sessionName("slow-queries")
	// The statements outlive Inject's ctx: only Recover ends them.
	runCtx, stop := context.WithCancel(context.WithoutCancel(ctx))
	s.stop = stop
	if err := s.inject(ctx, runCtx, t.Env); err != nil {
		return fmt.Errorf("inject slow-queries: %w", err)
	}
	return nil
}

func (s *SlowQueries) inject(ctx, runCtx context.Context, env *stack.Env) error {
	conn, err := connectAs(ctx, env.PostgresURL, s.name)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	rel, err := findTable(ctx, conn, s.Table)
	if err != nil {
		_ = conn.Close(ctx)
		return err
	}
	switch s.Lock {
	case "table":
		err = s.hold(ctx, runCtx, conn, "LOCK TABLE "+rel.ident()+" IN ACCESS EXCLUSIVE MODE")
	case "row":
		err = s.hold(ctx, runCtx, conn, "SELECT 1 FROM "+rel.ident()+" FOR UPDATE")
	default:
		err = conn.Close(ctx)
	}
	if err != nil {
		return err
	}
	if s.failAfterLock {
		return errFailAfter
	}
	for i := range s.Sessions {
		c, err := connectAs(ctx, env.PostgresURL, s.name)
		if err != nil {
			return fmt.Errorf("open runaway session %d: %w", i+1, err)
		}
		s.background(runCtx, c, fmt.Sprintf(runawaySQL, rel.ident()))
	}
	return nil
}

// hold begins a transaction on conn, takes the lock, and leaves the
// session running a long statement until Recover.
func (s *SlowQueries) hold(ctx, runCtx context.Context, conn *pgx.Conn, lockSQL string) error {
	if _, err := conn.Exec(ctx, "BEGIN"); err != nil {
		_ = conn.Close(ctx)
		return fmt.Errorf("begin the long transaction: %w", err)
	}
	if _, err := conn.Exec(ctx, lockSQL); err != nil {
		_ = conn.Close(ctx)
		return fmt.Errorf("take the lock: %w", err)
	}
	s.background(runCtx, conn, "SELECT pg_sleep(86400)")
	return nil
}

// background runs sql on conn until runCtx ends or the session is
// terminated, then closes the connection.
func (s *SlowQueries) background(runCtx context.Context, conn *pgx.Conn, sql string) {
	s.running.Go(func() {
		_, _ = conn.Exec(runCtx, sql)
		_ = conn.Close(context.WithoutCancel(runCtx))
	})
}

// Recover ends every session of the fault (found by name, so also those of
// a half-done Inject), which rolls the long transaction back and releases
// its locks, and waits for them to be gone.
func (s *SlowQueries) Recover(ctx context.Context, t Target) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		s.stop()
	}
	if s.name != "" {
		if err := withSession(ctx, t.Env, nil, func(q querier) error { return endSessions(ctx, q, s.name) }); err != nil {
			return fmt.Errorf("recover slow-queries: %w", err)
		}
	}
	done := make(chan struct{})
	go func() { s.running.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("recover slow-queries: wait for sessions to close: %w", ctx.Err())
	}
	s.name, s.stop = "", nil
	return nil
}
