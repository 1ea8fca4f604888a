package responders

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
)

// compressedRuntime is a runtime whose drill has run drill of drill time in
// about real of wall time: ticks cost nothing, and the runtime's wall
// reference is moved back by real.
func compressedRuntime(t *testing.T, drill, real time.Duration) *Runtime {
	t.Helper()
	c := incident.NewClock(incident.Compressed, 15*time.Second, time.Time{})
	rt := NewRuntime(nil, c, nil)
	// The wall clock stands still at "real" after the drill's start, so
	// the scale does not drift with how long the test takes.
	fixed := rt.wall0.Add(real)
	rt.wallNow = func() time.Time { return fixed }
	for c.TickTime() < drill {
		_, err := c.Advance(context.Background())
		require.NoError(t, err)
	}
	return rt
}

func TestDrillDurationScalesByTheDrillsCompression(t *testing.T) {
	t.Parallel()
	// 20 drill minutes took 12 real seconds: one drill minute stands for
	// 0.6 s, so "10 minutes" of drill time is 6 real seconds.
	rt := compressedRuntime(t, 20*time.Minute, 12*time.Second)
	assert.InDelta(t, 0.01, rt.Scale(), 0.0005)
	assert.InDelta(t, float64(6*time.Second), float64(rt.RealDuration(10*time.Minute)), float64(300*time.Millisecond))

	out := render1(t, rt, `interval '{{ drill "10m" }}'`)
	assert.Regexp(t, `^interval '(5\.[89]\d*|6(\.[01]\d*)?) seconds'$`, out)
}

func TestDrillDurationHasAFloor(t *testing.T) {
	t.Parallel()
	// A drill so compressed that 10 minutes would be 60 ms: never below a
	// second, so a query does not catch what has just started.
	rt := compressedRuntime(t, 100*time.Minute, time.Millisecond)
	assert.Equal(t, MinDrillInterval, rt.RealDuration(10*time.Minute))
	assert.Equal(t, 500*time.Millisecond, rt.RealDuration(500*time.Millisecond), "a duration under the floor stays itself")
}

func TestDrillDurationIsRealTimeInRealtimeOrBeforeAnyDrillTime(t *testing.T) {
	t.Parallel()
	c := incident.NewClock(incident.Realtime, 15*time.Second, time.Time{})
	rt := NewRuntime(nil, c, nil)
	// Nothing has elapsed yet (or drill time ran with the wall clock): 1.
	assert.LessOrEqual(t, rt.Scale(), 1.0)
	assert.Greater(t, rt.Scale(), 0.5)
	assert.Equal(t, "600 seconds", interval(10*time.Minute))
	assert.Equal(t, "1.5 seconds", interval(1500*time.Millisecond))
	var nilRT *Runtime
	assert.Equal(t, 1.0, nilRT.Scale())
}

func TestTemplateHelpers(t *testing.T) {
	t.Parallel()
	rt := compressedRuntime(t, 0, 0)
	assert.Equal(t, `"my db"`, render1(t, rt, `{{ ident "my db" }}`))
	assert.Equal(t, `'it''s'`, render1(t, rt, `{{ literal "it's" }}`))
	assert.Equal(t, `'a'\''b'`, render1(t, rt, `{{ shell "a'b" }}`))
}

func render1(t *testing.T, rt *Runtime, text string) string {
	t.Helper()
	tmpl, err := parseTemplate(text, rt)
	require.NoError(t, err)
	var b strings.Builder
	require.NoError(t, tmpl.Execute(&b, sampleData))
	return b.String()
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "short", truncate("short", 10))
	got := truncate(strings.Repeat("é", 10), 5) // 2-byte runes: cut on a boundary
	assert.True(t, strings.HasPrefix(got, "éé\n"), got)
	assert.Contains(t, got, "(16 more bytes)")
}

// A step's template does bounded work: no loops, no named templates, no
// output past maxRendered; each refusal is an error, never a hang.
func TestRenderTextIsBounded(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ text, err string }{
		"range over a huge number": {"{{range 100000000000}}{{end}}", "{{range}} is not supported"},
		"range in an if":           {"{{if .AppURL}}{{range 3}}x{{end}}{{end}}", "{{range}} is not supported"},
		"recursive templates":      {`{{define "a"}}{{template "a"}}{{end}}{{template "a"}}`, "{{define}} and {{block}}"},
		"block":                    {`{{block "b" .}}x{{end}}`, "{{define}} and {{block}}"},
		"output past the bound":    {strings.Repeat(`{{printf "%0999999d" 1}}`, 2), "renders to more than"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := renderText(tc.text, sampleData, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.err)
		})
	}
	out, err := renderText(`{{if .Backup}}{{ shell .Backup }}{{end}}`, sampleData, nil)
	require.NoError(t, err)
	assert.Equal(t, "'/tmp/backup.dump'", out)
}
