package responders

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func init() { Register("sql", func() Step { return new(SQLStep) }) }

// SQLStep runs SQL on the app's database through the harness's own pool
// (which survives a pool-exhaustion fault, as a DBA's reserved session
// would), or on the maintenance database with `database: admin` (a new
// session: for ALTER DATABASE and what must not hold the app's database).
// Several statements may be given; each result's rows are captured as
// text. A statement that fails fails the step: a SQL error is not retried.
type SQLStep struct {
	Query    string `yaml:"query" required:"true"`
	Database string `yaml:"database"`
}

// Validate checks the database is one the step knows.
func (s *SQLStep) Validate() error {
	switch s.Database {
	case "", "app", "admin":
	default:
		return fmt.Errorf("database: %q is not app or admin", s.Database)
	}
	if strings.TrimSpace(s.Query) == "" {
		return errors.New("query: empty")
	}
	return nil
}

// Run runs the query and prints its results.
func (s *SQLStep) Run(ctx context.Context, rt *Runtime) (bool, string, error) {
	if rt.Env == nil {
		return false, "", errors.New("run sql: no stack")
	}
	var pg *pgconn.PgConn
	if s.Database == "admin" {
		conn, err := pgx.Connect(ctx, rt.Env.AdminURL())
		if err != nil {
			return false, "", fmt.Errorf("connect admin database: %w", err)
		}
		defer conn.Close(context.WithoutCancel(ctx))
		pg = conn.PgConn()
	} else {
		if rt.Env.Postgres == nil {
			return false, "", errors.New("run sql: no harness pool")
		}
		c, err := rt.Env.Postgres.Acquire(ctx)
		if err != nil {
			return false, "", fmt.Errorf("connect app database: %w", err)
		}
		defer c.Release()
		pg = c.Conn().PgConn()
		// A script that failed inside its own BEGIN leaves the session in
		// an aborted transaction: end it before the pool hands it out.
		defer func() {
			if pg.TxStatus() != 'I' {
				_, _ = pg.Exec(context.WithoutCancel(ctx), "ROLLBACK").ReadAll()
			}
		}()
	}
	results, err := pg.Exec(ctx, s.Query).ReadAll()
	out := formatResults(results)
	if err != nil {
		return false, out, fmt.Errorf("run sql: %w", err)
	}
	return false, out, nil
}

// formatResults prints each statement's rows (tab-separated, with a
// header) and its command tag.
func formatResults(rs []*pgconn.Result) string {
	var b strings.Builder
	for _, r := range rs {
		if r == nil {
			continue
		}
		if len(r.FieldDescriptions) > 0 {
			names := make([]string, len(r.FieldDescriptions))
			for i, f := range r.FieldDescriptions {
				names[i] = f.Name
			}
			b.WriteString(strings.Join(names, "\t") + "\n")
			for _, row := range r.Rows {
				vals := make([]string, len(row))
				for i, v := range row {
					if v == nil {
						vals[i] = "NULL"
					} else {
						vals[i] = string(v)
					}
				}
				b.WriteString(strings.Join(vals, "\t") + "\n")
			}
		}
		if tag := r.CommandTag.String(); tag != "" {
			b.WriteString("(" + tag + ")\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}
