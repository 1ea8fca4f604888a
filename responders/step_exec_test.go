package responders_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/stack"
)

func testExecStep(ctx context.Context, t *testing.T, env *stack.Env) {
	var tables int
	require.NoError(t, env.Postgres.QueryRow(ctx, `SELECT count(*) FROM pg_stat_user_tables`).Scan(&tables))
	r := runPlaybook(ctx, t, env, "", `name: exec
steps:
  - name: psql inside postgres
    phase: diagnose
    kind: exec
    service: postgres
    command: [psql, -X, -A, -t, -d, "dbname={{ .Database }} user={{ .User }}", -c, "SELECT count(*) FROM pg_stat_user_tables"]
  - name: a script
    phase: verify
    kind: exec
    service: postgres
    script: |
      set -eu
      echo "backup goes to {{ .Backup }}"
      test -n "$(command -v pg_restore)"
`, nil)
	require.NoError(t, r.err)
	assert.Equal(t, itoa(tables), r.finished(t, "psql inside postgres").Detail)
	assert.Equal(t, "backup goes to /tmp/firedrill-backup-"+env.RunID+".dump", r.finished(t, "a script").Detail)

	bad := runPlaybook(ctx, t, env, "", `name: exec-fails
steps:
  - {name: exits 4, phase: verify, kind: exec, service: postgres, script: "echo nope; exit 4"}
`, nil)
	require.ErrorIs(t, bad.err, responders.ErrStepFailed)
	assert.Contains(t, bad.err.Error(), "exited with 4")
	assert.Contains(t, bad.finished(t, "exits 4").Detail, "nope")
}
