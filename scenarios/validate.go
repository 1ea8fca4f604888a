package scenarios

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/injectors"
	"github.com/firedrill/firedrill/monitors"
	"github.com/firedrill/firedrill/responders"
)

// ErrInvalid marks a drill that cannot run as written: an undefined step,
// an unknown fault or playbook, a bad table parameter, a bad rule file.
var ErrInvalid = errors.New("invalid drill")

// Problem is one thing wrong with the input, where it is.
type Problem struct {
	File string
	Line int
	Msg  string
}

func (p Problem) String() string {
	if p.File == "" {
		return p.Msg
	}
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.File, p.Msg)
}

// FeatureFiles expands paths (files or directories) into .feature files.
func FeatureFiles(paths []string) ([]string, error) {
	var out []string
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
		}
		if !st.IsDir() {
			out = append(out, p)
			continue
		}
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".feature") {
				out = append(out, path)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Validate checks features, the playbooks they name, the rule files they
// and the configuration name, without starting anything. Every problem is
// reported with its file and line; the error wraps ErrInvalid.
func Validate(paths []string, cfg config.Config, playbookDir string) ([]Problem, error) {
	files, err := FeatureFiles(paths)
	if err != nil {
		return nil, err
	}
	v := &validator{cfg: cfg, steps: Steps(), rules: map[string]bool{}}
	v.playbooks, err = responders.LoadDir(playbookDir)
	v.addErr(err)
	for _, f := range cfg.Monitoring.RuleFiles {
		v.checkRules(f, "", 0)
	}
	for _, f := range files {
		v.feature(f)
	}
	if len(v.problems) == 0 {
		return nil, nil
	}
	lines := make([]string, len(v.problems))
	for i, p := range v.problems {
		lines[i] = p.String()
	}
	return v.problems, fmt.Errorf("%w:\n%s", ErrInvalid, strings.Join(lines, "\n"))
}

type validator struct {
	cfg       config.Config
	steps     []StepDef
	playbooks map[string]*responders.Playbook
	rules     map[string]bool
	problems  []Problem
}

func (v *validator) add(file string, line int, format string, args ...any) {
	v.problems = append(v.problems, Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// addErr adds an error that already says where it is (file:line: ...),
// one problem per line.
func (v *validator) addErr(err error) {
	if err == nil {
		return
	}
	for _, l := range strings.Split(err.Error(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			v.problems = append(v.problems, Problem{Msg: l})
		}
	}
}

func (v *validator) checkRules(path, feature string, line int) {
	if v.rules[path] {
		return
	}
	v.rules[path] = true
	if _, err := monitors.LoadRuleFiles(path); err != nil {
		if feature != "" && errors.Is(err, fs.ErrNotExist) {
			v.add(feature, line, "rule file %s does not exist", path)
			return
		}
		v.addErr(err)
	}
}

func (v *validator) feature(path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		v.add(path, 0, "%v", err)
		return
	}
	ids := (&messages.Incrementing{}).NewId
	doc, err := gherkin.ParseGherkinDocument(strings.NewReader(string(data)), ids)
	if err != nil {
		for _, l := range strings.Split(err.Error(), "\n") {
			v.add(path, parseLine(l), "%s", stripLine(l))
		}
		return
	}
	if doc.Feature == nil {
		v.add(path, 1, "no Feature in the file")
		return
	}
	lines := stepLines(doc)
	for _, pickle := range gherkin.Pickles(*doc, path, ids) {
		for _, st := range pickle.Steps {
			line := 0
			if len(st.AstNodeIds) > 0 {
				line = lines[st.AstNodeIds[0]]
			}
			v.step(path, line, st)
		}
	}
}

// stepLines maps each step's AST id to its line.
func stepLines(doc *messages.GherkinDocument) map[string]int {
	out := map[string]int{}
	addSteps := func(steps []*messages.Step) {
		for _, s := range steps {
			out[s.Id] = int(s.Location.Line)
		}
	}
	var walk func(children []*messages.FeatureChild)
	walk = func(children []*messages.FeatureChild) {
		for _, c := range children {
			switch {
			case c.Background != nil:
				addSteps(c.Background.Steps)
			case c.Scenario != nil:
				addSteps(c.Scenario.Steps)
			case c.Rule != nil:
				for _, rc := range c.Rule.Children {
					if rc.Background != nil {
						addSteps(rc.Background.Steps)
					}
					if rc.Scenario != nil {
						addSteps(rc.Scenario.Steps)
					}
				}
			}
		}
	}
	walk(doc.Feature.Children)
	return out
}

var lineRe = regexp.MustCompile(`\((\d+):\d+\)`)

func parseLine(s string) int {
	m := lineRe.FindStringSubmatch(s)
	if m == nil {
		return 0
	}
	var n int
	fmt.Sscanf(m[1], "%d", &n)
	return n
}

func stripLine(s string) string { return strings.TrimSpace(lineRe.ReplaceAllString(s, "")) }

// step checks one step: it must match the vocabulary, and what it names
// must exist and its values parse.
func (v *validator) step(file string, line int, st *messages.PickleStep) {
	var def *StepDef
	var args []string
	for i := range v.steps {
		if m := v.steps[i].Regexp().FindStringSubmatch(st.Text); m != nil {
			def, args = &v.steps[i], m[1:]
			break
		}
	}
	if def == nil {
		v.add(file, line, "undefined step %q (see `firedrill list` for the step vocabulary)", st.Text)
		return
	}
	for _, a := range args {
		if looksLikeDuration(def.Pattern, a) {
			if _, err := incident.ParseDuration(a); err != nil {
				v.add(file, line, "%v", err)
			}
		}
	}
	switch {
	case strings.Contains(def.Pattern, `the fault "`):
		// The same reading of the table as the run's, header row and all.
		var table *messages.PickleTable
		if st.Argument != nil {
			table = st.Argument.DataTable
		}
		params, err := tableParams(table)
		if err != nil {
			v.add(file, line, "%v", err)
			return
		}
		if _, err := injectors.New(args[0], params); err != nil {
			v.add(file, line, "%v", err)
		}
	case strings.Contains(def.Pattern, `runs playbook "`):
		if _, ok := v.playbooks[args[0]]; !ok {
			v.add(file, line, "unknown playbook %q (have %s)", args[0], strings.Join(sortedKeys(v.playbooks), ", "))
		}
	case strings.Contains(def.Pattern, `the alert rules in "`):
		v.checkRules(args[0], file, line)
	}
}

func looksLikeDuration(pattern, arg string) bool {
	return strings.Contains(pattern, dur) && len(arg) > 0 && arg[0] >= '0' && arg[0] <= '9' && strings.IndexFunc(arg, func(r rune) bool { return r >= 'a' && r <= 'z' }) > 0
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
