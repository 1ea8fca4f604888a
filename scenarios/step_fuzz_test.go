package scenarios

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/firedrill/firedrill/config"
)

// FuzzStepArgs: any sentence a step's pattern matches, with any table,
// parses into its arguments or is refused with an error; none panics. The
// table is written as a feature writes it: a row a line, cells between |.
func FuzzStepArgs(f *testing.F) {
	for _, s := range Steps() {
		f.Add(strings.TrimSpace(strings.TrimPrefix(s.Example, s.Keyword)), "")
	}
	for _, s := range []struct{ text, table string }{
		{`the fault "db-pool-exhaustion" is injected with:`, "| parameter | value |\n| connections | 25 |"},
		{`the fault "error-spike" is injected with:`, "| percent | 80 |\n| percent | 90 |"},
		{`the fault "error-spike" is injected with:`, "| percent |\n| a | b | c |"},
		{`the fault "data-deletion" is injected with:`, "| parameter | value |"},
		{"the on-call responder acknowledges after 99999999999999999999 hours", ""},
		{"the on-call responder acknowledges after 1.5 hours 30 minutes", ""},
		{"steady traffic of 1e9 requests per second", ""},
		{"steady traffic of 99999999999999999999999999999999 requests per second", ""},
		{"MTTD is at most 0.000000001 seconds", ""},
	} {
		f.Add(s.text, s.table)
	}
	f.Fuzz(func(t *testing.T, text, table string) {
		tbl := fuzzTable(table)
		for _, s := range registry {
			m := s.re.FindStringSubmatch(text)
			if m == nil {
				continue
			}
			a, err := s.parse(m[1:], tbl)
			if err != nil {
				continue
			}
			for _, d := range a.Durations {
				if d < 0 {
					t.Errorf("%q: negative duration %v", text, d)
				}
			}
			if s.Table != "" && a.Params == nil {
				t.Errorf("%q: a table step without Params", text)
			}
		}
	})
}

// fuzzTable reads "| a | b |" lines into a godog table (nil for "").
func fuzzTable(s string) *godog.Table {
	if s == "" {
		return nil
	}
	t := &godog.Table{}
	for _, line := range strings.Split(s, "\n") {
		row := &messages.PickleTableRow{}
		for _, c := range strings.Split(strings.Trim(strings.TrimSpace(line), "|"), "|") {
			row.Cells = append(row.Cells, &messages.PickleTableCell{Value: strings.TrimSpace(c)})
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// FuzzValidateFeature: any .feature file, as `firedrill validate` and
// `firedrill run` read it (Gherkin, the step vocabulary, tables and every
// step's check), is accepted or refused with problems that each name the
// file and line; none panics.
func FuzzValidateFeature(f *testing.F) {
	for _, pat := range []string{"../features/*.feature", "../features/*/*.feature", "../internal/cli/testdata/*/*.feature"} {
		files, _ := filepath.Glob(pat)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	for _, s := range []string{
		"", "Feature:", "Feature: f\n  Scenario: s\n    Given nothing at all",
		"Feature: f\n  Scenario: s\n    When the fault \"error-spike\" is injected with:\n      | percent | 101 |",
		"Feature: f\n  Scenario: s\n    When the fault \"error-spike\" is injected with:\n      | percent | -1 |\n      | percent | 2 |",
		"Feature: f\n  Scenario: s\n    When the fault \"data-deletion\" is injected with:\n      | table | x |\n      | percent | NaN |",
		"Feature: f\n  Scenario: s\n    Given steady traffic of 1001 requests per second",
		"Feature: f\n  Scenario Outline: o\n    Given steady traffic of <n> requests per second\n  Examples:\n    | n |\n    | 5 |",
		"Feature: f\n  Scenario: s\n    \"\"\"\n", "# language: xx\nFeature: f",
	} {
		f.Add([]byte(s))
	}
	cfg := config.Default()
	cfg.Monitoring.RuleFiles = nil
	at := regexp.MustCompile(`\.feature:\d+`)
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "fuzz.feature")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		problems, _ := Validate([]string{path}, cfg, "../playbooks")
		for _, p := range problems {
			if s := p.String(); strings.Contains(s, "fuzz.feature") && !at.MatchString(s) {
				t.Errorf("problem names the file without a line: %s", s)
			}
		}
	})
}
