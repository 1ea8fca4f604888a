package responders_test

import (
	"context"
	"testing"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/stack"
)

func testRedisStep(ctx context.Context, t *testing.T, env *stack.Env) {
	require.NoError(t, env.Redis.Set(ctx, "content:cached", "x", 0).Err())
	r := runPlaybook(ctx, t, env, "", `name: redis
steps:
  - {name: clear cache, phase: mitigate, kind: redis, command: [FLUSHALL]}
  - {name: gone, phase: verify, kind: redis, command: [GET, "content:cached"]}
  - {name: counted, phase: verify, kind: redis, command: [DBSIZE]}
`, nil)
	require.NoError(t, r.err)
	assert.Equal(t, "OK", r.finished(t, "clear cache").Detail)
	assert.Equal(t, "(nil)", r.finished(t, "gone").Detail)
	assert.Equal(t, "0", r.finished(t, "counted").Detail)
	assert.ErrorIs(t, env.Redis.Get(ctx, "content:cached").Err(), redis.Nil)

	bad := runPlaybook(ctx, t, env, "", `name: redis-fails
steps:
  - {name: nonsense, phase: verify, kind: redis, command: [NOSUCHCOMMAND]}
`, nil)
	require.ErrorIs(t, bad.err, responders.ErrStepFailed)
	assert.Contains(t, bad.err.Error(), "unknown command")
}
