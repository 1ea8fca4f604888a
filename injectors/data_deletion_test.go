package injectors

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/stack"
)

const deletionSessions = SessionPrefix + "data-deletion-"

var seeded = []string{"users", "content", "analytics", "payments"}

func counts(ctx context.Context, t *testing.T, env *stack.Env) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, table := range seeded {
		var n int64
		require.NoError(t, env.Postgres.QueryRow(ctx, `SELECT count(*) FROM `+pgx.Identifier{table}.Sanitize()).Scan(&n))
		out[table] = n
	}
	return out
}

func ids(ctx context.Context, t *testing.T, env *stack.Env, sql string) []int64 {
	t.Helper()
	rows, err := env.Postgres.Query(ctx, sql)
	require.NoError(t, err)
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	require.NoError(t, err)
	return out
}

// noMachinery checks nothing of the fault is left in Postgres: no session
// of its (pg_dump included) and no temporary table.
func noMachinery(ctx context.Context, t *testing.T, env *stack.Env) {
	t.Helper()
	waitNoFaultSessions(ctx, t, env, deletionSessions)
	var temp int
	require.NoError(t, env.Postgres.QueryRow(ctx, `SELECT count(*) FROM pg_class WHERE relname = 'firedrill_doomed'`).Scan(&temp))
	assert.Zero(t, temp, "the fault's temporary table is gone")
}

func pgExec(ctx context.Context, t *testing.T, env *stack.Env, cmd ...string) stack.ExecResult {
	t.Helper()
	pg, err := env.Service(stack.Postgres)
	require.NoError(t, err)
	res, err := pg.Exec(ctx, cmd...)
	require.NoError(t, err)
	return res
}

// backupRows counts the rows of table the backup holds, from pg_restore's
// COPY output.
func backupRows(ctx context.Context, t *testing.T, env *stack.Env, path, table string) int64 {
	t.Helper()
	res := pgExec(ctx, t, env, "pg_restore", "--data-only", "--table", table, "-f", "-", path)
	require.Equal(t, 0, res.ExitCode, res.Output)
	var n int64
	in := false
	for _, l := range strings.Split(res.Output, "\n") {
		switch {
		case strings.HasPrefix(l, "COPY "):
			in = true
		case l == `\.`:
			in = false
		case in:
			n++
		}
	}
	return n
}

func TestDataDeletion(t *testing.T) {
	env, ctx := startStack(t)
	target := Target{Env: env}
	path := env.BackupPath()

	t.Run("deletes the share of content and what references it, after a backup", func(t *testing.T) {
		require.NoError(t, env.Reset(ctx))
		before := counts(ctx, t, env)
		refs := ids(ctx, t, env, `SELECT content_id FROM analytics`)

		inj, err := New("data-deletion", nil)
		require.NoError(t, err)
		t.Cleanup(func() { _ = inj.Recover(context.Background(), target) })
		dd := inj.(*DataDeletion)
		require.NoError(t, inj.Inject(ctx, target))

		after := counts(ctx, t, env)
		want := before["content"] * int64(dd.Percent) / 100
		require.Positive(t, want)
		assert.Equal(t, want, before["content"]-after["content"], "exactly %d%% of content is gone", dd.Percent)
		assert.Equal(t, want, dd.Deleted()["content"])

		// Analytics rows go with the content they reference, no others.
		left := map[int64]bool{}
		for _, id := range ids(ctx, t, env, `SELECT id FROM content`) {
			left[id] = true
		}
		var orphaned int64
		for _, c := range refs {
			if !left[c] {
				orphaned++
			}
		}
		assert.Equal(t, orphaned, before["analytics"]-after["analytics"])
		assert.Equal(t, orphaned, dd.Deleted()["analytics"])
		assert.Equal(t, before["users"], after["users"])
		assert.Equal(t, before["payments"], after["payments"])

		// The backup is a valid dump, taken before the deletion.
		assert.Equal(t, path, dd.Backup())
		res := pgExec(ctx, t, env, "pg_restore", "-l", path)
		require.Equal(t, 0, res.ExitCode, res.Output)
		assert.Contains(t, res.Output, "TABLE DATA public content")
		assert.Equal(t, before["content"], backupRows(ctx, t, env, path, "content"))

		require.NoError(t, inj.Recover(ctx, target))
		noMachinery(ctx, t, env)
		require.NoError(t, inj.Recover(ctx, target), "a second recover is harmless")
		noMachinery(ctx, t, env)
		res = pgExec(ctx, t, env, "pg_restore", "-l", path)
		assert.Equal(t, 0, res.ExitCode, "recover leaves the backup for the restore: %s", res.Output)
	})

	t.Run("deletes the same rows every time", func(t *testing.T) {
		var runs [2][]int64
		for i := range runs {
			require.NoError(t, env.Reset(ctx))
			all := ids(ctx, t, env, `SELECT id FROM content ORDER BY id`)
			inj, err := New("data-deletion", nil)
			require.NoError(t, err)
			t.Cleanup(func() { _ = inj.Recover(context.Background(), target) })
			require.NoError(t, inj.Inject(ctx, target))
			left := map[int64]bool{}
			for _, id := range ids(ctx, t, env, `SELECT id FROM content`) {
				left[id] = true
			}
			for _, id := range all {
				if !left[id] {
					runs[i] = append(runs[i], id)
				}
			}
			require.NoError(t, inj.Recover(ctx, target))
		}
		require.NotEmpty(t, runs[0])
		assert.Equal(t, runs[0], runs[1])
	})

	t.Run("cascades from users through every reference", func(t *testing.T) {
		require.NoError(t, env.Reset(ctx))
		before := counts(ctx, t, env)
		inj, err := New("data-deletion", map[string]string{"table": "users", "percent": "10"})
		require.NoError(t, err)
		t.Cleanup(func() { _ = inj.Recover(context.Background(), target) })
		require.NoError(t, inj.Inject(ctx, target))
		after := counts(ctx, t, env)
		deleted := inj.(*DataDeletion).Deleted()
		assert.Equal(t, before["users"]*10/100, deleted["users"])
		for _, table := range seeded {
			assert.Equal(t, before[table]-after[table], deleted[table], table)
		}
		assert.Positive(t, deleted["content"], "users' content went with them")
		assert.Positive(t, deleted["payments"], "users' payments went with them")
		require.NoError(t, inj.Recover(ctx, target))
		noMachinery(ctx, t, env)
	})

	t.Run("refuses a table the app does not have, deleting nothing", func(t *testing.T) {
		require.NoError(t, env.Reset(ctx))
		before := counts(ctx, t, env)
		inj, err := New("data-deletion", map[string]string{"table": "orders"})
		require.NoError(t, err, "only the name's syntax is checked without a stack")
		err = inj.Inject(ctx, target)
		require.Error(t, err)
		assert.ErrorContains(t, err, `"orders" is not one of the app's tables (analytics, content, deployments, payments, users)`)
		require.NoError(t, inj.Recover(ctx, target))
		noMachinery(ctx, t, env)
		assert.Equal(t, before, counts(ctx, t, env))
	})

	t.Run("recovers after an inject that failed midway", func(t *testing.T) {
		require.NoError(t, env.Reset(ctx))
		_, err := env.Postgres.Exec(ctx, `CREATE TABLE notes (body text)`)
		require.NoError(t, err)
		inj, err := New("data-deletion", map[string]string{"table": "notes"})
		require.NoError(t, err)
		err = inj.Inject(ctx, target)
		require.Error(t, err)
		assert.ErrorContains(t, err, "no primary key")
		assert.Equal(t, 1, faultSessions(ctx, t, env, deletionSessions), "the failed inject left its session")
		require.NoError(t, inj.Recover(ctx, target))
		noMachinery(ctx, t, env)
		require.NoError(t, inj.Recover(ctx, target))
	})

	t.Run("recovers after an inject with a cancelled context", func(t *testing.T) {
		require.NoError(t, env.Reset(ctx))
		before := counts(ctx, t, env)
		inj, err := New("data-deletion", nil)
		require.NoError(t, err)
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		require.Error(t, inj.Inject(cancelled, target))
		require.NoError(t, inj.Recover(ctx, target))
		noMachinery(ctx, t, env)
		assert.Equal(t, before, counts(ctx, t, env))
	})
}
