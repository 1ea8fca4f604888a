package reports

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current renderers")

// golden compares got with testdata/name.golden, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run `go test ./reports -update` to create %s", path)
	assert.Equal(t, string(want), string(got), "%s differs; if the change is intended, run `go test ./reports -update`", path)
}

func TestRenderersGolden(t *testing.T) {
	t.Parallel()
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r, ok := Lookup(name)
			require.True(t, ok)
			var a, b bytes.Buffer
			require.NoError(t, r.Render(&a, fixture()))
			require.NoError(t, r.Render(&b, fixture()))
			require.Equal(t, a.String(), b.String(), "rendering is deterministic")
			golden(t, name, a.Bytes())
		})
	}
}

func TestTrendGolden(t *testing.T) {
	t.Parallel()
	older := fixture()
	older.RunID = "20260202-093000-1b2c"
	older.Started = older.Started.AddDate(0, -1, 0)
	older.Drills = older.Drills[1:3]
	empty := Result{Schema: SchemaVersion, RunID: "20260216-093000-0000", Started: fixtureWall.AddDate(0, 0, -14)}
	var buf bytes.Buffer
	require.NoError(t, WriteTrend(&buf, []Result{fixture(), older, empty}))
	golden(t, "trend", buf.Bytes())

	rows := Trend([]Result{fixture(), older})
	require.Len(t, rows, 2)
	assert.Equal(t, older.RunID, rows[0].RunID, "oldest first")
	assert.Equal(t, 2, rows[1].Errors, "errored and aborted: not scored")
}

func TestWriteAll(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "out")
	paths, err := WriteAll(dir, fixture(), nil)
	require.NoError(t, err)
	var names []string
	for _, p := range paths {
		names = append(names, filepath.Base(p))
		info, err := os.Stat(p)
		require.NoError(t, err)
		assert.Positive(t, info.Size(), p)
	}
	var want []string
	for _, f := range Names() {
		file, err := FileName(f)
		require.NoError(t, err)
		want = append(want, file)
	}
	assert.Equal(t, want, names, "no formats named: every registered format, each in its own file")
	assert.Subset(t, names, []string{"report.html", "result.json", "junit.xml", "postmortem.md", "summary.txt"})
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, len(paths), "no temporary files left behind")

	back, err := ReadResultFile(filepath.Join(dir, "result.json"))
	require.NoError(t, err)
	assert.Equal(t, fixture(), back)

	other := t.TempDir()
	_, err = WriteAll(other, fixture(), []string{"json", "pdf"})
	require.ErrorIs(t, err, ErrUnknownFormat)
	entries, err = os.ReadDir(other)
	require.NoError(t, err)
	assert.Empty(t, entries, "an unknown format is refused before anything is written")

	_, err = WriteAll(other, fixture(), []string{"json", "json"})
	require.Error(t, err)
}

func TestRegistry(t *testing.T) {
	t.Parallel()
	assert.Subset(t, Names(), []string{"html", "json", "junit", "postmortem", "summary"})
	_, ok := Lookup("no-such-format")
	assert.False(t, ok)
	assert.PanicsWithValue(t, `reports: format "json" registered twice`, func() {
		Register("json", RendererFunc(WriteResult))
	})
	assert.Panics(t, func() { Register("", RendererFunc(WriteResult)) })
	name, err := FileName("junit")
	require.NoError(t, err)
	assert.Equal(t, "junit.xml", name)
}

func TestTruncateOutput(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in, want string
		limit    int
		cut      bool
	}{
		"short":               {"hello", "hello", 10, false},
		"exact":               {"hello", "hello", 5, false},
		"cut":                 {"hello world", "hello", 5, true},
		"never splits a rune": {"héllo", "h", 2, true},
		"zero limit cuts all": {"x", "", 0, true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, cut := TruncateOutput(tc.in, tc.limit)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.cut, cut)
		})
	}
}

func TestFormatDurations(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		d          time.Duration
		dur, clock string
	}{
		"zero":          {0, "0s", "00:00"},
		"sub-second":    {400 * time.Millisecond, "0.4s", "00:00"},
		"seconds":       {45 * time.Second, "45s", "00:45"},
		"whole minutes": {2 * time.Minute, "2m", "02:00"},
		"minutes+secs":  {12*time.Minute + 30*time.Second, "12m30s", "12:30"},
		"hours":         {time.Hour + 5*time.Minute, "1h05m", "1:05:00"},
		"a day":         {24 * time.Hour, "24h", "24:00:00"},
		"one hour":      {time.Hour, "1h", "1:00:00"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tc.dur, fmtDur(tc.d))
			assert.Equal(t, tc.clock, fmtClock(tc.d))
		})
	}
	// The most negative duration has no positive counterpart: it once
	// recursed until the stack overflowed.
	assert.Equal(t, "-2562047h47m16s", fmtDur(math.MinInt64))
}
