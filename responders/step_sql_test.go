package responders_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/stack"
)

func testSQLStep(ctx context.Context, t *testing.T, env *stack.Env) {
	var users int64
	require.NoError(t, env.Postgres.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&users))

	r := runPlaybook(ctx, t, env, "", `name: sql
steps:
  - name: count users
    phase: diagnose
    kind: sql
    query: |
      SELECT count(*) AS users FROM users;
      SELECT current_database() AS db, NULL AS nothing;
  - name: on the maintenance database
    phase: diagnose
    kind: sql
    database: admin
    query: SELECT current_database() AS db, {{ literal .Database }} AS app
  - name: a failing script leaves no open transaction
    phase: mitigate
    kind: sql
    continue_on_error: true
    query: BEGIN; SELECT 1/0; COMMIT;
  - name: still usable
    phase: verify
    kind: sql
    query: SELECT 'fine' AS state
`, nil)
	require.NoError(t, r.err)

	count := r.finished(t, "count users")
	assert.Equal(t, "ok", count.Outcome)
	db := env.Config.Postgres.Database
	assert.Equal(t, fmt.Sprintf("users\n%d\n(SELECT 1)\ndb\tnothing\n%s\tNULL\n(SELECT 1)", users, db), count.Detail, "rows as text, with headers and tags")
	assert.Equal(t, fmt.Sprintf("db\tapp\npostgres\t%s\n(SELECT 1)", db), r.finished(t, "on the maintenance database").Detail)
	failed := r.finished(t, "a failing script leaves no open transaction")
	assert.Equal(t, "failed", failed.Outcome)
	assert.Contains(t, failed.Detail, "division by zero (SQLSTATE 22012)")
	assert.Equal(t, "ok", r.finished(t, "still usable").Outcome)
	for range 8 { // every session of the harness pool is usable
		var n int
		require.NoError(t, env.Postgres.QueryRow(ctx, `SELECT 1`).Scan(&n))
	}

	bad := runPlaybook(ctx, t, env, "", `name: sql-fails
steps:
  - {name: bad, phase: verify, kind: sql, query: SELECT * FROM no_such_table}
`, nil)
	require.ErrorIs(t, bad.err, responders.ErrStepFailed)
	assert.Contains(t, bad.err.Error(), `relation "no_such_table" does not exist`)
}
