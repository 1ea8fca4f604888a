// Command testsummary reads `go test -json` on stdin and writes what plain
// `go test` would have printed — each package's ok/FAIL line, the output of
// failed tests, build errors — then one line that says how many tests ran
// against a real stack and how many skipped, and why:
//
//	containers: 41 tests ran against real containers, 2 against local processes, 3 skipped (3× provider docker: no daemon answers)
//
// It counts the marker lines internal/stacktest logs. It exits 1 when a
// test or build failed (or nothing was read), so `set -o pipefail; go test
// -json ./... | testsummary` keeps go test's verdict, in one run.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/firedrill/firedrill/internal/stacktest"
)

func main() {
	s := newSummary(os.Stdout)
	if err := s.read(os.Stdin); err != nil {
		fmt.Fprintln(os.Stderr, "testsummary:", err)
		os.Exit(1)
	}
	fmt.Fprintln(os.Stdout, s.line())
	if s.failed || s.events == 0 {
		os.Exit(1)
	}
}

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action     string
	Package    string
	ImportPath string // build-output, build-fail
	Test       string
	Output     string
}

// summary re-prints go test's plain output and counts the stack tests.
type summary struct {
	out    io.Writer
	events int
	failed bool
	// pkgs holds each running package's output until it ends, so that
	// packages tested in parallel do not interleave, as with plain go test.
	pkgs map[string]*pkg
	// provider is the provider a test logged that it got; unavailable, why
	// it could not have one.
	provider, unavailable map[string]string
	ran                   map[string]int // by provider
	skipped               map[string]int // by reason
	failedNoProvider      int
}

// pkg is a package's output so far.
type pkg struct {
	lines []string
	tests map[string]*test
}

// test is a test's output, kept until it ends: plain go test shows it
// only if it failed.
type test struct {
	logs     []string
	result   string // its "--- FAIL: …" line
	action   string // pass, fail, skip; "" while it runs
	children []string
}

func newSummary(out io.Writer) *summary {
	return &summary{
		out: out, pkgs: map[string]*pkg{},
		provider: map[string]string{}, unavailable: map[string]string{},
		ran: map[string]int{}, skipped: map[string]int{},
	}
}

func (s *summary) read(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		var e event
		if len(line) == 0 || line[0] != '{' || json.Unmarshal(line, &e) != nil {
			fmt.Fprintf(s.out, "%s\n", line) // not an event: pass it on
			continue
		}
		s.events++
		s.handle(e)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	// Packages that never ended (go test was killed): show what they said.
	for _, name := range sortedKeys(s.pkgs) {
		s.finishPackage(name, true)
	}
	if s.failed {
		fmt.Fprintln(s.out, "FAIL") // as the go command closes a failed run
	}
	return nil
}

func (s *summary) pkg(name string) *pkg {
	p := s.pkgs[name]
	if p == nil {
		p = &pkg{tests: map[string]*test{}}
		s.pkgs[name] = p
	}
	return p
}

func (s *summary) handle(e event) {
	switch e.Action {
	case "build-output":
		fmt.Fprint(s.out, e.Output)
		return
	case "build-fail":
		s.failed = true
		return
	}
	p := s.pkg(e.Package)
	if e.Test == "" {
		switch e.Action {
		case "output":
			if e.Output != "PASS\n" && !isProgress(e.Output) { // plain go test prints these only with -v
				p.lines = append(p.lines, e.Output)
			}
		case "pass", "skip", "fail":
			s.finishPackage(e.Package, e.Action == "fail")
		}
		return
	}
	t := p.tests[e.Test]
	if t == nil {
		t = &test{}
		p.tests[e.Test] = t
		if i := strings.LastIndexByte(e.Test, '/'); i > 0 {
			if parent := p.tests[e.Test[:i]]; parent != nil {
				parent.children = append(parent.children, e.Test)
			}
		}
	}
	key := e.Package + " " + e.Test
	switch e.Action {
	case "output":
		s.mark(key, e.Output)
		switch {
		case isResult(e.Output):
			t.result = e.Output
		case !isProgress(e.Output):
			t.logs = append(t.logs, e.Output)
		}
	case "pass", "skip", "fail":
		t.action = e.Action
		s.count(key, e.Action)
		if strings.Contains(e.Test, "/") {
			return // its top-level test decides what is shown
		}
		if e.Action == "fail" {
			s.failed = true
			p.lines = append(p.lines, render(p, e.Test, 0)...)
		}
		forget(p, e.Test)
	}
}

// finishPackage prints a package's output; a failed package first shows
// the tests that never ended (a panic, a timeout).
func (s *summary) finishPackage(name string, failed bool) {
	p := s.pkgs[name]
	if p == nil {
		return
	}
	if failed {
		s.failed = true
		var running []string
		for n := range p.tests {
			if !strings.Contains(n, "/") {
				running = append(running, n)
			}
		}
		sort.Strings(running)
		var lines []string
		for _, n := range running {
			lines = append(lines, render(p, n, 0)...)
		}
		p.lines = append(lines, p.lines...)
	}
	for _, l := range p.lines {
		fmt.Fprint(s.out, l)
	}
	delete(s.pkgs, name)
}

// render is a failed test as plain go test shows it: its result line, its
// logs indented under it, then its failed subtests.
func render(p *pkg, name string, depth int) []string {
	t := p.tests[name]
	var out []string
	if t.result != "" {
		out = append(out, strings.Repeat("    ", depth)+strings.TrimLeft(t.result, " "))
	}
	for _, l := range t.logs {
		out = append(out, strings.Repeat("    ", depth)+l)
	}
	for _, c := range t.children {
		if ct := p.tests[c]; ct.action == "fail" || ct.action == "" {
			out = append(out, render(p, c, depth+1)...)
		}
	}
	return out
}

// forget drops a finished test and its subtests.
func forget(p *pkg, name string) {
	for _, c := range p.tests[name].children {
		forget(p, c)
	}
	delete(p.tests, name)
}

// isProgress is a line only -v prints.
func isProgress(l string) bool {
	l = strings.TrimSpace(l)
	for _, p := range []string{"=== RUN", "=== PAUSE", "=== CONT", "=== NAME"} {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// isResult is a test's result line.
func isResult(l string) bool {
	l = strings.TrimSpace(l)
	return strings.HasPrefix(l, "--- PASS") || strings.HasPrefix(l, "--- FAIL") || strings.HasPrefix(l, "--- SKIP")
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// mark notes the stacktest marker lines of a test's output.
func (s *summary) mark(key, out string) {
	if i := strings.Index(out, stacktest.MarkerProvider); i >= 0 {
		s.provider[key] = strings.TrimSpace(out[i+len(stacktest.MarkerProvider):])
	}
	if i := strings.Index(out, stacktest.MarkerUnavailable); i >= 0 {
		s.unavailable[key] = reason(out[i+len(stacktest.MarkerUnavailable):])
	}
}

// reason is the gist of why a provider is unavailable: its first line,
// without the error's details in parentheses.
func reason(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if i := strings.Index(s, " ("); i > 0 {
		s = s[:i]
	}
	s = strings.Replace(s, "stack provider unavailable: ", "", 1)
	return strings.TrimSpace(s)
}

func (s *summary) count(key, action string) {
	p, hasP := s.provider[key]
	why, unavailable := s.unavailable[key]
	switch {
	case hasP && action != "skip":
		s.ran[p]++
	case unavailable && action == "skip":
		s.skipped[why]++
	case unavailable && action == "fail":
		s.failedNoProvider++
	}
	delete(s.provider, key)
	delete(s.unavailable, key)
}

// line is the closing summary.
func (s *summary) line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "containers: %d %s ran against real containers", s.ran["docker"], plural(s.ran["docker"], "test", "tests"))
	if n := s.ran["local"]; n > 0 {
		fmt.Fprintf(&b, ", %d against local processes", n)
	}
	for p, n := range s.ran {
		if p != "docker" && p != "local" {
			fmt.Fprintf(&b, ", %d on provider %s", n, p)
		}
	}
	total := 0
	reasons := make([]string, 0, len(s.skipped))
	for why, n := range s.skipped {
		total += n
		reasons = append(reasons, fmt.Sprintf("%d× %s", n, why))
	}
	sort.Strings(reasons)
	fmt.Fprintf(&b, ", %d skipped", total)
	if total > 0 {
		fmt.Fprintf(&b, " (%s)", strings.Join(reasons, "; "))
	}
	if s.failedNoProvider > 0 {
		fmt.Fprintf(&b, ", %d failed for want of a provider (CI)", s.failedNoProvider)
	}
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
