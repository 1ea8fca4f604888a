package main

import (
	"bytes"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// summarize runs the tool on input and returns its output and whether it
// would exit 1.
func summarize(t *testing.T, input string) (string, bool) {
	t.Helper()
	var out bytes.Buffer
	s := newSummary(&out)
	require.NoError(t, s.read(strings.NewReader(input)))
	out.WriteString(s.line() + "\n")
	return out.String(), s.failed || s.events == 0
}

// volatile are the parts of go test's output that differ between two runs.
var volatile = regexp.MustCompile(`\d+\.\d+s|0x[0-9a-f]+|goroutine \d+|\+0x[0-9a-f]+`)

// testdata/run.jsonl and testdata/plain.txt are one module's tests run
// both ways (cd testdata/sample && go test -json -count=1 -timeout 3s ./...
// > ../run.jsonl; the same without -json > ../plain.txt 2>&1): passes,
// skips with and without a provider, failing subtests, a build error, a
// panic, a timeout. Every line plain go test prints comes out, in order.
func TestReprintsWhatPlainGoTestPrints(t *testing.T) {
	jsonl, err := os.ReadFile("testdata/run.jsonl")
	require.NoError(t, err)
	plain, err := os.ReadFile("testdata/plain.txt")
	require.NoError(t, err)
	out, failed := summarize(t, string(jsonl))
	assert.True(t, failed, "the run failed: exit 1")

	// Packages end in a different order from run to run; the lines are the
	// same, bar what a test that never ended had logged.
	got, want := map[string]int{}, map[string]int{}
	for _, l := range strings.Split(volatile.ReplaceAllString(out, "X"), "\n") {
		got[l]++
	}
	for _, l := range strings.Split(volatile.ReplaceAllString(string(plain), "X"), "\n") {
		want[l]++
	}
	for l, n := range want {
		assert.Equal(t, n, got[l], "plain go test prints %q %d times", l, n)
	}
	for l := range got {
		if want[l] == 0 {
			assert.Contains(t, []string{"    f_test.go:11: waiting", "containers: 4 tests ran against real containers, 1 against local processes, 2 skipped (2× provider docker: docker: no daemon answers)"}, l, "a line plain go test does not print")
		}
	}
	assert.NotContains(t, out, "=== RUN")
	assert.NotContains(t, out, "--- PASS")
	assert.NotContains(t, out, "needs psql", "a skip's reason shows with -v only")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	assert.Equal(t, "FAIL", lines[len(lines)-2], "go test's closing line stays next to last")
	assert.Equal(t, "containers: 4 tests ran against real containers, 1 against local processes, 2 skipped (2× provider docker: docker: no daemon answers)",
		lines[len(lines)-1])
}

func TestCountsWhatStacktestMarked(t *testing.T) {
	t.Parallel()
	const run = `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"    x_test.go:1: stacktest: provider docker\n"}
{"Action":"pass","Package":"p","Test":"TestA"}
{"Action":"run","Package":"p","Test":"TestB"}
{"Action":"output","Package":"p","Test":"TestB","Output":"    x_test.go:1: stacktest: unavailable: provider local: stack provider unavailable: local: no initdb (apt-get install postgresql)\n"}
{"Action":"skip","Package":"p","Test":"TestB"}
{"Action":"run","Package":"p","Test":"TestC"}
{"Action":"run","Package":"p","Test":"TestC/sub"}
{"Action":"output","Package":"p","Test":"TestC/sub","Output":"    x_test.go:1: stacktest: provider docker\n"}
{"Action":"pass","Package":"p","Test":"TestC/sub"}
{"Action":"pass","Package":"p","Test":"TestC"}
{"Action":"output","Package":"p","Output":"PASS\n"}
{"Action":"output","Package":"p","Output":"ok  \tp\t0.1s\n"}
{"Action":"pass","Package":"p"}
`
	out, failed := summarize(t, run)
	assert.False(t, failed)
	assert.Equal(t, "ok  \tp\t0.1s\ncontainers: 2 tests ran against real containers, 1 skipped (1× provider local: local: no initdb)\n", out)
}

// Under CI a missing provider fails the test; the summary says so.
func TestCountsTestsThatFailedForWantOfAProvider(t *testing.T) {
	t.Parallel()
	const run = `{"Action":"run","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Test":"TestA","Output":"    x_test.go:1: stacktest: unavailable: provider docker must run in CI: no daemon answers\n"}
{"Action":"output","Package":"p","Test":"TestA","Output":"--- FAIL: TestA (0.00s)\n"}
{"Action":"fail","Package":"p","Test":"TestA"}
{"Action":"output","Package":"p","Output":"FAIL\tp\t0.1s\n"}
{"Action":"fail","Package":"p"}
`
	out, failed := summarize(t, run)
	assert.True(t, failed)
	assert.Equal(t, "--- FAIL: TestA (0.00s)\n    x_test.go:1: stacktest: unavailable: provider docker must run in CI: no daemon answers\n"+
		"FAIL\tp\t0.1s\nFAIL\ncontainers: 0 tests ran against real containers, 0 skipped, 1 failed for want of a provider (CI)\n", out)
}

func TestNothingReadIsAFailure(t *testing.T) {
	t.Parallel()
	out, failed := summarize(t, "go: cannot find main module\n")
	assert.True(t, failed, "no event: go test did not run")
	assert.Contains(t, out, "go: cannot find main module\n", "what is not an event passes through")
}
