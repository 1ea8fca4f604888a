package injectors

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/firedrill/firedrill/internal/poll"
	"github.com/firedrill/firedrill/stack"
)

// SessionPrefix starts the application_name of every Postgres session a
// fault opens, so a person or a playbook can tell the fault's sessions from
// the app's in pg_stat_activity, and Recover can find them again.
const SessionPrefix = "firedrill-fault-"

// sessionName is the application_name of one injection's sessions: the
// fault's name and a random suffix, unique per Inject.
func sessionName(fault string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return SessionPrefix + fault + "-" + hex.EncodeToString(b)
}

// connectAs opens a session of its own (not one of the harness pool's),
// named so that it can be found again.
func connectAs(ctx context.Context, url, appName string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	cfg.RuntimeParams["application_name"] = appName
	return pgx.ConnectConfig(ctx, cfg)
}

// tooManyClients says whether err is the server refusing a connection for
// want of a slot (SQLSTATE 53300: "sorry, too many clients already", or the
// remaining slots being reserved).
func tooManyClients(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "53300"
}

// querier is what both a session and the harness pool can do.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// withSession runs f on the first session that answers: own (a session the
// fault still holds), the harness pool, or a new session on the maintenance
// database. Recover must work whatever a failed Inject or a playbook left.
func withSession(ctx context.Context, env *stack.Env, own *pgx.Conn, f func(querier) error) error {
	var errs []error
	if own != nil && !own.IsClosed() {
		if err := own.Ping(ctx); err == nil {
			return f(own)
		} else {
			errs = append(errs, fmt.Errorf("own session: %w", err))
		}
	}
	if env == nil {
		return errors.Join(append(errs, errors.New("no stack"))...)
	}
	if env.Postgres != nil {
		if err := env.Postgres.Ping(ctx); err == nil {
			return f(env.Postgres)
		} else {
			errs = append(errs, fmt.Errorf("harness pool: %w", err))
		}
	}
	conn, err := pgx.Connect(ctx, env.AdminURL())
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("new session: %w", err))...)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return f(conn)
}

// endSessions terminates every backend named appName except the caller's
// own, and waits until they are gone, so their slots and locks are free
// when it returns.
func endSessions(ctx context.Context, q querier, appName string) error {
	err := poll.Until(ctx, 30*time.Second, 50*time.Millisecond, func(ctx context.Context) error {
		if _, err := q.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE application_name = $1 AND pid <> pg_backend_pid()`, appName); err != nil {
			return poll.Permanent(err)
		}
		var left int
		if err := q.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE application_name = $1 AND pid <> pg_backend_pid()`, appName).Scan(&left); err != nil {
			return poll.Permanent(fmt.Errorf("count: %w", err))
		}
		if left > 0 {
			return fmt.Errorf("%d still there", left)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("terminate sessions %s: %w", appName, err)
	}
	return nil
}
