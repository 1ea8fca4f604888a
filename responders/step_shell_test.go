package responders_test

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/stack"
)

func testShellStep(ctx context.Context, t *testing.T, env *stack.Env) {
	_, err := exec.LookPath("psql")
	require.NoError(t, err, "the shell step's test runs a script with psql; install postgresql-client")
	var users int64
	require.NoError(t, env.Postgres.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&users))

	// The playbook sits beside the team's scripts: the working directory is
	// the playbook's.
	dir, err := filepath.Abs("testdata/scripts")
	require.NoError(t, err)
	r := runPlaybook(ctx, t, env, dir, `name: shell
steps:
  - {name: runbook script, phase: diagnose, kind: shell, command: [./count-users.sh]}
  - name: inline
    phase: verify
    kind: shell
    env: {GREETING: hello}
    run: |
      echo "$GREETING from $(basename "$PWD")"
      echo "app at $APP_URL, redis at $REDIS_URL, run $FIREDRILL_RUN_ID"
      psql "$DATABASE_URL" -X -A -t -c "SELECT current_database()"
`, nil)
	require.NoError(t, r.err)
	script := r.finished(t, "runbook script")
	assert.Equal(t, "ok", script.Outcome)
	lines := strings.Split(script.Detail, "\n")
	require.Len(t, lines, 2, script.Detail)
	assert.Equal(t, fmt.Sprint(users), lines[1], "psql \"$DATABASE_URL\" reached the drill's database")
	assert.Contains(t, lines[0], ":xxxxx@", "the password in DATABASE_URL is redacted from the timeline")
	assert.NotContains(t, script.Detail, env.Config.Postgres.Password+"@")
	inline := r.finished(t, "inline").Detail
	assert.Equal(t, fmt.Sprintf("hello from scripts\napp at %s, redis at %s, run %s\n%s",
		env.AppURL, stack.Redact(env.RedisURL), env.RunID, env.Config.Postgres.Database), inline)

	bad := runPlaybook(ctx, t, env, "", `name: shell-fails
steps:
  - {name: exits 3, phase: verify, kind: shell, run: "echo broken >&2; exit 3"}
`, nil)
	require.ErrorIs(t, bad.err, responders.ErrStepFailed)
	assert.Contains(t, bad.err.Error(), "exit status 3")
	f := bad.finished(t, "exits 3")
	assert.Equal(t, "failed", f.Outcome)
	assert.Contains(t, f.Detail, "broken", "the failing step's output is reported")
}
