package responders_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/stack"
)

func testHTTPStep(ctx context.Context, t *testing.T, env *stack.Env) {
	r := runPlaybook(ctx, t, env, "", `name: http
steps:
  - {name: health, phase: diagnose, kind: http, path: /health}
  - {name: absolute, phase: diagnose, kind: http, path: "{{ .AppURL }}/api/health", expect: 200}
  - {name: not found is expected, phase: diagnose, kind: http, path: /nope, expect: 404}
  - name: post
    phase: mitigate
    kind: http
    method: POST
    path: /admin/flags
    body: '{"maintenance": false}'
  - {name: health again, phase: verify, kind: http, path: /health}
`, nil)
	require.NoError(t, r.err)
	h := r.finished(t, "health")
	assert.Equal(t, "ok", h.Outcome)
	assert.Contains(t, h.Detail, "GET "+env.AppURL+"/health: 200")
	assert.Contains(t, h.Detail, `"status":"ok"`)
	assert.Contains(t, r.finished(t, "absolute").Detail, ": 200")
	assert.Contains(t, r.finished(t, "post").Detail, `"maintenance":false`)

	// A 4xx that was not expected fails at once; it is not retried.
	bad := runPlaybook(ctx, t, env, "", `name: http-fails
steps:
  - {name: missing, phase: verify, kind: http, path: /nope}
`, nil)
	require.ErrorIs(t, bad.err, responders.ErrStepFailed)
	assert.Contains(t, bad.err.Error(), "answered 404, want 200")
	start, _ := bad.tl.First(incident.StepStarted, nil)
	end := bad.finished(t, "missing")
	assert.Less(t, end.Drill-start.Drill, bad.tl.Clock().Tick(), "failed within its first tick")
}
