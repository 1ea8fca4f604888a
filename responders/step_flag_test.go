package responders_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/stack"
)

func testFlagStep(ctx context.Context, t *testing.T, env *stack.Env) {
	r := runPlaybook(ctx, t, env, "", `name: flag
steps:
  - name: maintenance on, feature off
    phase: verify
    kind: flag
    maintenance: true
    features: {new_feature: false}
`, nil)
	require.NoError(t, r.err)
	code, _ := get(ctx, t, env.AppURL+"/api/content/public")
	assert.Equal(t, http.StatusServiceUnavailable, code, "maintenance mode answers 503")
	flags := readFlags(ctx, t, env)
	assert.False(t, flags.Features["new_feature"])
	assert.True(t, flags.Maintenance)
	assert.False(t, flags.ReadOnly, "flags the step does not name keep their value")
	assert.Contains(t, r.finished(t, "maintenance on, feature off").Detail, `"maintenance":true`)

	r = runPlaybook(ctx, t, env, "", `name: flag-back
steps:
  - {name: back, phase: verify, kind: flag, maintenance: false, read_only: true}
`, nil)
	require.NoError(t, r.err)
	code, _ = get(ctx, t, env.AppURL+"/api/content/public")
	assert.Equal(t, http.StatusOK, code)
	flags = readFlags(ctx, t, env)
	assert.True(t, flags.ReadOnly)
	assert.False(t, flags.Features["new_feature"], "still off")
}

type appFlags struct {
	Features    map[string]bool `json:"features"`
	Maintenance bool            `json:"maintenance"`
	ReadOnly    bool            `json:"read_only"`
}

func readFlags(ctx context.Context, t *testing.T, env *stack.Env) appFlags {
	t.Helper()
	code, body := get(ctx, t, env.AppURL+"/admin/flags")
	require.Equal(t, http.StatusOK, code, body)
	var f appFlags
	require.NoError(t, json.Unmarshal([]byte(body), &f))
	return f
}
