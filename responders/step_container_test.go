package responders_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/stack"
)

func testContainerStep(ctx context.Context, t *testing.T, env *stack.Env) {
	r := runPlaybook(ctx, t, env, "", `name: container-pause
steps:
  - {name: pause redis, phase: mitigate, kind: container, service: redis, action: pause}
  - {name: check, phase: verify, kind: redis, command: [PING], timeout: 2s}
`, nil)
	require.ErrorIs(t, r.err, responders.ErrStepFailed, "redis does not answer while paused")
	assert.Equal(t, "redis: pause done", r.finished(t, "pause redis").Detail)

	r = runPlaybook(ctx, t, env, "", `name: container
steps:
  - {name: unpause redis, phase: mitigate, kind: container, service: redis, action: unpause}
  - {name: restart redis, phase: mitigate, kind: container, service: redis, action: restart}
  - {name: check, phase: verify, kind: redis, command: [PING]}
`, nil)
	require.NoError(t, r.err)
	assert.Equal(t, "PONG", r.finished(t, "check").Detail)
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	eventually(pctx, t, "the harness's redis client reconnects", func() (bool, string) {
		err := env.Redis.Ping(pctx).Err()
		return err == nil, ""
	})

	bad := runPlaybook(ctx, t, env, "", `name: container-fails
steps:
  - {name: no such service, phase: verify, kind: container, service: nginx, action: restart}
`, nil)
	require.ErrorIs(t, bad.err, responders.ErrStepFailed)
	assert.Contains(t, bad.err.Error(), `service "nginx": not in this stack`)
}
