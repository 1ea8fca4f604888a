package stack

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// dataSnapshot is the seeded contents of the app's database, kept in memory
// so Reset can put rows back without ending anyone's session: the app keeps
// its pool and postgres_exporter its connection (which takes it a second to
// re-establish). The template database stays as the fallback for anything
// the fast path cannot undo (a dropped table, a changed column, a database
// setting such as default_transaction_read_only).
type dataSnapshot struct {
	// shape is the schema and database settings the rows were copied under.
	shape string
	// tables in a fixed order, each with its rows in COPY binary format.
	tables []tableCopy
	// sequences and their positions, restored with setval.
	sequences []sequencePos
}

type tableCopy struct {
	ident string
	data  []byte
}

type sequencePos struct {
	ident    string
	last     int64
	isCalled bool
}

// shapeQuery fingerprints what the fast path cannot restore: every user
// table and its columns, and the database's own settings.
const shapeQuery = `
SELECT coalesce(string_agg(c.table_schema || '.' || c.table_name || '.' || c.column_name || ':' || c.data_type,
                           ',' ORDER BY c.table_schema, c.table_name, c.ordinal_position), '')
       || '|' || coalesce((SELECT array_to_string(setconfig, ',') FROM pg_db_role_setting
                           WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
                             AND setrole = 0), '')
FROM information_schema.columns c
JOIN information_schema.tables t USING (table_schema, table_name)
WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema')`

func takeDataSnapshot(ctx context.Context, conn *pgx.Conn) (*dataSnapshot, error) {
	s := &dataSnapshot{}
	if err := conn.QueryRow(ctx, shapeQuery).Scan(&s.shape); err != nil {
		return nil, fmt.Errorf("snapshot data: shape: %w", err)
	}
	rows, err := conn.Query(ctx, `SELECT quote_ident(schemaname) || '.' || quote_ident(relname)
		FROM pg_stat_user_tables ORDER BY schemaname, relname`)
	if err != nil {
		return nil, fmt.Errorf("snapshot data: %w", err)
	}
	idents, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("snapshot data: %w", err)
	}
	for _, t := range idents {
		var buf bytes.Buffer
		if _, err := conn.PgConn().CopyTo(ctx, &buf, `COPY `+t+` TO STDOUT (FORMAT binary)`); err != nil {
			return nil, fmt.Errorf("snapshot data: copy %s: %w", t, err)
		}
		s.tables = append(s.tables, tableCopy{ident: t, data: buf.Bytes()})
	}
	rows, err = conn.Query(ctx, `SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename),
		coalesce(last_value, start_value), last_value IS NOT NULL FROM pg_sequences`)
	if err != nil {
		return nil, fmt.Errorf("snapshot data: sequences: %w", err)
	}
	s.sequences, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (sequencePos, error) {
		var p sequencePos
		return p, r.Scan(&p.ident, &p.last, &p.isCalled)
	})
	if err != nil {
		return nil, fmt.Errorf("snapshot data: sequences: %w", err)
	}
	return s, nil
}

// restore puts the snapshot's rows back in one transaction. It reports
// ok=false, having changed nothing, when the schema or settings moved on
// since the snapshot, or when it cannot get its locks within lockTimeout.
func (s *dataSnapshot) restore(ctx context.Context, conn *pgx.Conn) (ok bool, err error) {
	var shape string
	if err := conn.QueryRow(ctx, shapeQuery).Scan(&shape); err != nil {
		return false, fmt.Errorf("restore data: shape: %w", err)
	}
	if shape != s.shape {
		return false, nil
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return false, fmt.Errorf("restore data: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck
	// A session that holds a lock (a drill's long transaction) sends us to
	// the template path rather than waiting on it.
	if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '3s'`); err != nil {
		return false, fmt.Errorf("restore data: %w", err)
	}
	// Rows go back in any order: foreign keys are checked by triggers,
	// which replica mode skips (the stack's user is a superuser).
	if _, err := tx.Exec(ctx, `SET LOCAL session_replication_role = replica`); err != nil {
		return false, nil
	}
	idents := make([]string, len(s.tables))
	for i, t := range s.tables {
		idents[i] = t.ident
	}
	if len(idents) > 0 {
		if _, err := tx.Exec(ctx, `TRUNCATE `+strings.Join(idents, ", ")); err != nil {
			return false, nil
		}
	}
	for _, t := range s.tables {
		if _, err := tx.Conn().PgConn().CopyFrom(ctx, bytes.NewReader(t.data), `COPY `+t.ident+` FROM STDIN (FORMAT binary)`); err != nil {
			return false, fmt.Errorf("restore data: copy %s: %w", t.ident, err)
		}
	}
	for _, q := range s.sequences {
		if _, err := tx.Exec(ctx, `SELECT setval($1::regclass, $2, $3)`, q.ident, q.last, q.isCalled); err != nil {
			return false, fmt.Errorf("restore data: sequence %s: %w", q.ident, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fmt.Errorf("restore data: %w", err)
	}
	return true, nil
}
