package injectors

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5"

	"github.com/firedrill/firedrill/stack"
)

func init() {
	Register("data-deletion", func() Injector { return new(DataDeletion) })
}

// DataDeletion is the playbook's Data Loss incident: a share of a table's
// rows is deleted, after a backup was taken the way the data-restore
// playbook restores from.
//
// Rows are chosen deterministically, so the same drill deletes the same
// rows: in primary-key order, row n is deleted when n*percent/100 moves to
// the next integer, which deletes exactly floor(rows*percent/100) rows
// spread evenly over the table.
//
// Rows of other tables that reference a deleted row are deleted too, as ON
// DELETE CASCADE would (content rows take their analytics rows with them;
// users rows take their content, its analytics, and their payments). The
// alternative, deleting only rows nothing references, could not reach the
// asked share of a table like users, whose every row is referenced. What
// was deleted, per table, is in Deleted.
//
// Recover does not restore data: that is the data-restore playbook's job.
// It ends any session the fault still has (including a pg_dump an
// interrupted Inject left running) so nothing of the fault is left.
type DataDeletion struct {
	Table   string `param:"table" default:"content" help:"the app's table to delete from (schema.table when not in public); it must exist in the app's database"`
	Percent int    `param:"percent" default:"30" min:"1" max:"100" help:"share of the table's rows to delete"`

	mu      sync.Mutex
	name    string
	conn    *pgx.Conn
	backup  string
	deleted map[string]int64
}

// Description is for `firedrill list`.
func (*DataDeletion) Description() string {
	return "backs the app's database up with pg_dump, then deletes a share of a table's rows (and the rows that reference them)"
}

var tableRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$`)

// Validate checks the table's name; whether it exists is checked at Inject,
// against the app's database.
func (d *DataDeletion) Validate() error {
	if !tableRe.MatchString(d.Table) {
		return fmt.Errorf("table: %q is not a table name (letters, digits and _, optionally schema.table)", d.Table)
	}
	return nil
}

// Backup is the path of the backup the last Inject took, or empty.
func (d *DataDeletion) Backup() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.backup
}

// Deleted is how many rows the last Inject deleted, by table (schema-
// qualified when not in public).
func (d *DataDeletion) Deleted() map[string]int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return maps.Clone(d.deleted)
}

// Inject backs up the app's database, then deletes the rows in one
// transaction: a failure deletes nothing.
func (d *DataDeletion) Inject(ctx context.Context, t Target) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.name != "" {
		return errors.New("inject data-deletion: already injected; recover first")
	}
	if t.Env == nil {
		return errors.New("inject data-deletion: no stack")
	}
	d.name = sessionName("data-deletion")
	d.backup, d.deleted = "", nil
	if err := d.inject(ctx, t.Env); err != nil {
		return fmt.Errorf("inject data-deletion: %w", err)
	}
	return nil
}

func (d *DataDeletion) inject(ctx context.Context, env *stack.Env) error {
	var err error
	if d.conn, err = connectAs(ctx, env.PostgresURL, d.name); err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	rel, err := findTable(ctx, d.conn, d.Table)
	if err != nil {
		return err
	}
	pk, err := primaryKey(ctx, d.conn, rel)
	if err != nil {
		return err
	}
	if err := d.dump(ctx, env); err != nil {
		return err
	}
	tx, err := d.conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("delete rows: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck
	cols := identList(pk)
	// The percent is an int checked by New, so it is safe to print; CREATE
	// TABLE AS takes no bind parameters.
	if _, err := tx.Exec(ctx, fmt.Sprintf(`CREATE TEMP TABLE firedrill_doomed ON COMMIT DROP AS
		SELECT %[1]s FROM (SELECT %[1]s, row_number() OVER (ORDER BY %[1]s) AS firedrill_n FROM %[2]s) s
		WHERE s.firedrill_n * %[3]d / 100 > (s.firedrill_n - 1) * %[3]d / 100`, cols, rel.ident(), d.Percent)); err != nil {
		return fmt.Errorf("choose rows of %s: %w", rel, err)
	}
	counts := map[string]int64{}
	where := fmt.Sprintf("(%s) IN (SELECT %s FROM firedrill_doomed)", cols, cols)
	if err := deleteCascade(ctx, tx, rel, where, nil, counts); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("delete rows: %w", err)
	}
	d.deleted = counts
	err = d.conn.Close(ctx)
	d.conn = nil
	if err != nil {
		return fmt.Errorf("close session: %w", err)
	}
	return nil
}

// dump runs pg_dump where Postgres runs, under the fault's session name so
// that Recover can end it if an interrupted Inject left it running.
func (d *DataDeletion) dump(ctx context.Context, env *stack.Env) error {
	pg, err := env.Service(stack.Postgres)
	if err != nil {
		return fmt.Errorf("back up: %w", err)
	}
	path := env.BackupPath()
	cfg := env.Config.Postgres
	conninfo := fmt.Sprintf("dbname=%s user=%s application_name=%s", connValue(cfg.Database), connValue(cfg.User), connValue(d.name))
	res, err := pg.Exec(ctx, "pg_dump", "-d", conninfo, "-Fc", "-f", path)
	if err != nil {
		return fmt.Errorf("back up %s: %w", cfg.Database, err)
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("back up %s: pg_dump exited with %d: %s", cfg.Database, res.ExitCode, strings.TrimSpace(res.Output))
	}
	d.backup = path
	return nil
}

// connValue quotes a libpq connection-string value.
func connValue(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// Recover ends whatever session of the fault is left and forgets it. The
// backup stays: the restore needs it.
func (d *DataDeletion) Recover(ctx context.Context, t Target) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.conn != nil {
		_ = d.conn.Close(ctx)
		d.conn = nil
	}
	if d.name == "" {
		return nil
	}
	if err := withSession(ctx, t.Env, nil, func(q querier) error { return endSessions(ctx, q, d.name) }); err != nil {
		return fmt.Errorf("recover data-deletion: %w", err)
	}
	d.name = ""
	return nil
}

// relation is a table of the app's database.
type relation struct {
	oid          uint32
	schema, name string
}

func (r relation) ident() string { return pgx.Identifier{r.schema, r.name}.Sanitize() }

func (r relation) String() string {
	if r.schema == "public" {
		return r.name
	}
	return r.schema + "." + r.name
}

// findTable finds the app's table by name; the error lists the app's
// tables.
func findTable(ctx context.Context, conn *pgx.Conn, table string) (relation, error) {
	rows, err := conn.Query(ctx, `SELECT c.oid, n.nspname, c.relname FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace
		WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
		  AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\_%'
		ORDER BY n.nspname, c.relname`)
	if err != nil {
		return relation{}, fmt.Errorf("list tables: %w", err)
	}
	var rels []relation
	for rows.Next() {
		var r relation
		if err := rows.Scan(&r.oid, &r.schema, &r.name); err != nil {
			return relation{}, fmt.Errorf("list tables: %w", err)
		}
		rels = append(rels, r)
	}
	if err := rows.Err(); err != nil {
		return relation{}, fmt.Errorf("list tables: %w", err)
	}
	names := make([]string, len(rels))
	for i, r := range rels {
		if r.String() == table {
			return r, nil
		}
		names[i] = r.String()
	}
	return relation{}, fmt.Errorf("table %q is not one of the app's tables (%s)", table, strings.Join(names, ", "))
}

func primaryKey(ctx context.Context, q querier, rel relation) ([]string, error) {
	var cols []string
	err := q.QueryRow(ctx, `SELECT coalesce(array_agg(a.attname::text ORDER BY k.ord), '{}') FROM pg_index i
		CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
		JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
		WHERE i.indrelid = $1 AND i.indisprimary`, rel.oid).Scan(&cols)
	if err != nil {
		return nil, fmt.Errorf("read primary key of %s: %w", rel, err)
	}
	if len(cols) == 0 {
		return nil, fmt.Errorf("table %s has no primary key, so its rows cannot be chosen the same way every time", rel)
	}
	return cols, nil
}

func identList(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = pgx.Identifier{c}.Sanitize()
	}
	return strings.Join(q, ", ")
}

// foreignKey is a reference from child's columns to parent's.
type foreignKey struct {
	child       relation
	cols, pcols []string
}

// deleteCascade deletes rel's rows matching where, after the rows that
// reference them (depth first, so no foreign key is violated), counting
// what each table lost.
func deleteCascade(ctx context.Context, tx pgx.Tx, rel relation, where string, path []uint32, counts map[string]int64) error {
	rows, err := tx.Query(ctx, `SELECT r.oid, n.nspname, r.relname,
			array(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, i)
			      JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n ORDER BY k.i),
			array(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, i)
			      JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.n ORDER BY k.i)
		FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid JOIN pg_namespace n ON n.oid = r.relnamespace
		WHERE c.contype = 'f' AND c.confrelid = $1 AND c.conparentid = 0
		ORDER BY n.nspname, r.relname, c.conname`, rel.oid)
	if err != nil {
		return fmt.Errorf("read references to %s: %w", rel, err)
	}
	fks, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (foreignKey, error) {
		var fk foreignKey
		err := row.Scan(&fk.child.oid, &fk.child.schema, &fk.child.name, &fk.cols, &fk.pcols)
		return fk, err
	})
	if err != nil {
		return fmt.Errorf("read references to %s: %w", rel, err)
	}
	path = append(path, rel.oid)
	for _, fk := range fks {
		if slices.Contains(path, fk.child.oid) {
			return fmt.Errorf("delete from %s: rows reference each other in a cycle through %s; cannot cascade by hand", rel, fk.child)
		}
		childWhere := fmt.Sprintf("(%s) IN (SELECT %s FROM %s WHERE %s)", identList(fk.cols), identList(fk.pcols), rel.ident(), where)
		if err := deleteCascade(ctx, tx, fk.child, childWhere, path, counts); err != nil {
			return err
		}
	}
	tag, err := tx.Exec(ctx, "DELETE FROM "+rel.ident()+" WHERE "+where)
	if err != nil {
		return fmt.Errorf("delete from %s: %w", rel, err)
	}
	counts[rel.String()] += tag.RowsAffected()
	return nil
}
