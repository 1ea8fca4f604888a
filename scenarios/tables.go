package scenarios

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/firedrill/firedrill/stack"
)

// tableState is a table's row count and a checksum of its content.
type tableState struct {
	Rows     int64
	Checksum string
}

// tableStates reads every user table of the app's database: what "no data
// is lost" compares. The checksum is an md5 over the rows in a fixed order,
// so it changes with any row's content.
func tableStates(ctx context.Context, env *stack.Env) (map[string]tableState, error) {
	rows, err := env.Postgres.Query(ctx, `SELECT quote_ident(schemaname) || '.' || quote_ident(relname)
		FROM pg_stat_user_tables ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("read table states: %w", err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("read table states: %w", err)
	}
	out := make(map[string]tableState, len(tables))
	for _, t := range tables {
		var s tableState
		err := env.Postgres.QueryRow(ctx, `SELECT count(*), coalesce(md5(string_agg(r::text, E'\n' ORDER BY r::text)), '')
			FROM `+t+` r`).Scan(&s.Rows, &s.Checksum)
		if err != nil {
			return nil, fmt.Errorf("read table states: %s: %w", t, err)
		}
		out[t] = s
	}
	return out, nil
}

// compareStates names every table whose rows or content differ.
func compareStates(before, after map[string]tableState) error {
	var diffs []string
	for t, b := range before {
		a, ok := after[t]
		switch {
		case !ok:
			diffs = append(diffs, fmt.Sprintf("%s is gone (had %d rows)", t, b.Rows))
		case a.Rows != b.Rows:
			diffs = append(diffs, fmt.Sprintf("%s has %d rows, had %d", t, a.Rows, b.Rows))
		case a.Checksum != b.Checksum:
			diffs = append(diffs, fmt.Sprintf("%s has its %d rows but their content changed", t, a.Rows))
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	sort.Strings(diffs)
	return fmt.Errorf("%w: data was lost: %s", ErrAssertion, strings.Join(diffs, "; "))
}
