package monitors

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// FuzzLoadRuleFiles: any rule file, read from disk as firedrill reads it,
// either loads into groups of rules or is refused with errors that each
// name the file and line; none panics.
func FuzzLoadRuleFiles(f *testing.F) {
	for _, pat := range []string{"../rules/*.yml", "../features/calibration/*.yml", "../features/community/*.rules.yml", "../internal/cli/testdata/*.yml"} {
		files, _ := filepath.Glob(pat)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	for _, s := range []string{
		"", "groups: []", "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    for: 1m",
		"groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up ==",
		"groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    annotations: {x: '{{ .Nope'}",
		"groups:\n- name: g\n  interval: -1m\n  rules: []", "groups:\n- name: g\n  rules:\n  - record: 'a b'\n    expr: up",
		"groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    for: 1e300h", "a: &a [*a]", "groups: [",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "fuzz.rules.yml")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		groups, err := LoadRuleFiles(path)
		if err != nil {
			at := regexp.MustCompile(`^load rules: ` + regexp.QuoteMeta(path) + `:[1-9]\d*(:\d+)?: `)
			for _, line := range strings.Split(err.Error(), "\n") {
				if !at.MatchString(line) {
					t.Errorf("error line does not name the file and line: %q", line)
				}
			}
			return
		}
		for _, g := range groups {
			if g.File != path {
				t.Errorf("group %q: file %q", g.Name, g.File)
			}
		}
		_ = LongestFor(groups)
	})
}
