package responders

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParsePlaybook: any playbook file either loads, every step's template
// filled in with a sample stack, or is refused with ErrInvalid at a line of
// the file; none panics, hangs or renders without bound.
func FuzzParsePlaybook(f *testing.F) {
	for _, pat := range []string{"../playbooks/*.yaml", "testdata/bad/*.yaml"} {
		files, _ := filepath.Glob(pat)
		for _, p := range files {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(b)
			}
		}
	}
	for _, s := range []string{
		"", "name: x", "[]", "name: x\nsteps: []",
		"name: x\nsteps:\n  - {name: w, phase: verify, kind: wait, duration: 1m}",
		"name: x\nsteps:\n  - {name: w, phase: verify, kind: wait, duration: \"{{ drill \\\"NaN seconds\\\" }}\"}",
		"name: x\nsteps:\n  - {name: s, phase: verify, kind: sql, query: \"{{range 100000000000}}{{end}}\"}",
		"name: x\nsteps:\n  - {name: s, phase: verify, kind: sql, query: \"{{define \\\"a\\\"}}{{template \\\"a\\\"}}{{end}}{{template \\\"a\\\"}}\"}",
		"name: x\nsteps:\n  - {name: s, phase: verify, kind: sql, query: \"{{printf \\\"%0999999d\\\" 1}}{{printf \\\"%0999999d\\\" 1}}\"}",
		"name: x\nsteps:\n  - {name: s, phase: verify, kind: shell, script: \"{{ .Nope }}\"}",
		"name: x\nsteps:\n  - {name: s, phase: verify, kind: wait, timeout: -1s, duration: 1m}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		pb, err := Parse("fuzz.yaml", data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not wrap ErrInvalid: %v", err)
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, "fuzz.yaml:") {
					t.Errorf("error line does not name the file and line: %q", line)
				}
			}
			return
		}
		if pb.Name == "" || len(pb.Steps) == 0 {
			t.Errorf("loaded a playbook without a name or steps: %+v", pb)
		}
		for _, s := range pb.Steps {
			if s.Timeout <= 0 {
				t.Errorf("step %q: timeout %v", s.Name, s.Timeout)
			}
		}
	})
}

// FuzzStepTemplate: any text of a step's field renders with bounded work and
// output, or is refused with an error.
func FuzzStepTemplate(f *testing.F) {
	for _, s := range []string{
		"{{ .DatabaseURL }}", `{{ drill "10m" }}`, `DELETE FROM t WHERE at < now() - interval '{{ drill "10 minutes" }}'`,
		`{{ ident .Database }}`, `{{ literal "it's" }}`, `{{ shell .Dir }}/restore.sh`, `{{ if .Backup }}x{{ else }}y{{ end }}`,
		"{{", "{{ .Nope }}", `{{ drill "NaN seconds" }}`, `{{ drill "1e300 hours" }}`,
		"{{range 100000000000}}{{end}}", `{{define "a"}}{{template "a"}}{{template "a"}}{{end}}{{template "a"}}`,
		`{{block "b" .}}x{{end}}`, `{{printf "%0999999d" 1}}`, `{{ call .AppURL }}`, `{{ index .AppURL 99 }}`,
		`{{ len .AppURL | printf "%*d" 999999999 }}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		out, err := renderText(text, sampleData, nil)
		if err == nil && len(out) > maxRendered {
			t.Errorf("rendered %d bytes, more than %d", len(out), maxRendered)
		}
	})
}
