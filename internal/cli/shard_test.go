package cli

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/internal/stacktest"
	"github.com/firedrill/firedrill/reports"
)

// Shards of a run, merged, are the run: the same drills with the same
// verdicts as running them all at once, in one report.
func TestShardsMergedEqualAnUnshardedRun(t *testing.T) {
	chdirRoot(t)
	stacktest.Provider(t, "docker")
	const drills = "internal/cli/testdata/shard"
	base := t.TempDir()
	whole, one, two, merged := filepath.Join(base, "whole"), filepath.Join(base, "1"), filepath.Join(base, "2"), filepath.Join(base, "merged")

	for _, run := range [][]string{
		{"run", drills, "--provider", "docker", "--out", whole},
		{"run", drills, "--provider", "docker", "--out", one, "--shard", "1/2", "--shard-by", whole},
		{"run", drills, "--provider", "docker", "--out", two, "--shard", "2/2", "--shard-by", whole},
	} {
		code, out, errOut := runCLI(t, nil, envOf(t), run...)
		require.Equal(t, ExitOK, code, "%v\nstdout:\n%s\nstderr:\n%s", run, out, errOut)
	}
	code, out, errOut := runCLI(t, nil, nil, "report", "merge", "--out", merged, one, two)
	require.Equal(t, ExitOK, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
	assert.Contains(t, out, "3 drills: 3 passed, 0 failed, 0 errors")
	for _, f := range []string{"result.json", "report.html", "junit.xml"} {
		assert.FileExists(t, filepath.Join(merged, f))
	}

	want, err := reports.ReadResultFile(filepath.Join(whole, "result.json"))
	require.NoError(t, err)
	got, err := reports.ReadResultFile(filepath.Join(merged, "result.json"))
	require.NoError(t, err)
	s1, err := reports.ReadResultFile(filepath.Join(one, "result.json"))
	require.NoError(t, err)
	assert.Len(t, s1.Drills, 1, "balanced by drill time: the 4-minute drill alone against 2 + 3 minutes")
	assert.Equal(t, verdicts(want), verdicts(got))
}

// verdicts are each drill's name, status and score, sorted.
func verdicts(r reports.Result) []string {
	var out []string
	for _, d := range r.Drills {
		v, _ := d.Scored()
		out = append(out, fmt.Sprintf("%s %s %.0f", d.Scenario, d.Status, v.Score))
	}
	slices.Sort(out)
	return out
}

// Shards scored against other targets are not one run.
func TestMergeRefusesShardsOfDifferentTargets(t *testing.T) {
	dir := t.TempDir()
	storedRun(t, filepath.Join(dir, "a"), "20260101-000000-aaaa", time.Minute)
	storedRun(t, filepath.Join(dir, "b"), "20260102-000000-bbbb", time.Minute)
	r, err := reports.ReadResultFile(filepath.Join(dir, "b", "result.json"))
	require.NoError(t, err)
	r.Targets.MTTD *= 2
	_, err = reports.WriteAll(filepath.Join(dir, "b"), r, []string{"json"})
	require.NoError(t, err)
	code, _, errOut := runCLI(t, nil, nil, "report", "merge", "--out", filepath.Join(dir, "m"), filepath.Join(dir, "a"), filepath.Join(dir, "b"))
	assert.Equal(t, ExitBadInput, code)
	assert.Contains(t, errOut, "other targets")
}
