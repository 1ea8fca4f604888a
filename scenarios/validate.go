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
	"github.com/firedrill/firedrill/responders"
)

// ErrInvalid marks a drill that cannot run as written: an undefined step,
// an unknown fault, playbook or alert, a bad table parameter, a bad rule
// file, a step another one needs missing.
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
// A directory with none is an error: a run of it would pass having
// checked nothing.
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
		n := len(out)
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".feature") {
				out = append(out, path)
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		if len(out) == n {
			return nil, fmt.Errorf("%w: %s: no .feature file in this directory or below it, so there is no drill to "+
				"validate or run; write one there (`firedrill init` scaffolds one), or name another path", ErrInvalid, p)
		}
	}
	return out, nil
}

// Validate checks features, the playbooks they name, the rule files they
// and the configuration name, without starting anything: each step by its
// own definition's check, the same one a run makes, then each scenario's
// steps together (its shape: a fault the drill never runs, Then steps with
// no When or before one, assertions that contradict each other). Every
// problem is reported with its file and line; the error wraps ErrInvalid.
func Validate(paths []string, cfg config.Config, playbookDir string) ([]Problem, error) {
	files, err := FeatureFiles(paths)
	if err != nil {
		return nil, err
	}
	v := &validator{seen: map[Problem]bool{}}
	pbs, err := responders.LoadDir(playbookDir)
	v.addErr(err)
	v.cat = newCatalog(cfg, playbookDir, func() (map[string]*responders.Playbook, error) { return pbs, nil })
	for _, f := range cfg.Monitoring.RuleFiles {
		v.addErr(v.cat.ruleFile(f).err)
	}
	_, err = responders.LoadRouting(cfg.Monitoring.AlertmanagerConfig)
	v.addErr(err)
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
	cat      *catalog
	problems []Problem
	// seen drops a problem said before: a Background's steps are in every
	// scenario, a rule file in many.
	seen map[Problem]bool
}

func (v *validator) add(file string, line int, format string, args ...any) {
	p := Problem{File: file, Line: line, Msg: fmt.Sprintf(format, args...)}
	if !v.seen[p] {
		v.seen[p] = true
		v.problems = append(v.problems, p)
	}
}

// addErr adds an error that already says where it is (file:line: ...),
// one problem per line.
func (v *validator) addErr(err error) {
	if err == nil {
		return
	}
	for _, l := range strings.Split(err.Error(), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			v.add("", 0, "%s", l)
		}
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
			// gherkin heads several errors with a line of its own.
			if l = strings.TrimSpace(l); l == "" || l == "Parser errors:" {
				continue
			}
			v.add(path, parseLine(l), "%s", stripLine(l))
		}
		return
	}
	if doc.Feature == nil {
		v.add(path, 1, "no Feature in the file")
		return
	}
	lines := astLines(doc)
	for _, pickle := range gherkin.Pickles(*doc, path, ids) {
		sc := newScenario(v.cat, path, pickle.Steps)
		stepLines := make([]int, len(pickle.Steps))
		for i, st := range pickle.Steps {
			if len(st.AstNodeIds) > 0 {
				stepLines[i] = lines[st.AstNodeIds[0]]
			}
			v.step(path, stepLines[i], sc, sc.steps[i])
		}
		for _, p := range sc.shape(stepLines) {
			if p.step >= 0 {
				v.add(path, stepLines[p.step], "%s", p.msg)
				continue
			}
			line := 0
			if len(pickle.AstNodeIds) > 0 {
				line = lines[pickle.AstNodeIds[0]]
			}
			v.add(path, line, "scenario %q: %s", pickle.Name, p.msg)
		}
	}
}

// step checks one step of a scenario: it must be a sentence of the
// vocabulary, its arguments must parse, and its definition's check pass.
func (v *validator) step(file string, line int, sc *Scenario, m match) {
	switch {
	case m.step == nil:
		v.add(file, line, "%s", undefined(m.text))
	case m.err != nil:
		v.add(file, line, "%v", m.err)
	case m.step.Check != nil:
		if err := m.step.Check(sc, m.args); err != nil {
			for _, l := range strings.Split(err.Error(), "\n") {
				v.add(file, line, "%s", l)
			}
		}
	}
}

// astLines maps each scenario's and step's AST id to its line.
func astLines(doc *messages.GherkinDocument) map[string]int {
	out := map[string]int{}
	addSteps := func(steps []*messages.Step) {
		for _, s := range steps {
			out[s.Id] = int(s.Location.Line)
		}
	}
	addScenario := func(sc *messages.Scenario) {
		out[sc.Id] = int(sc.Location.Line)
		addSteps(sc.Steps)
	}
	var walk func(children []*messages.FeatureChild)
	walk = func(children []*messages.FeatureChild) {
		for _, c := range children {
			switch {
			case c.Background != nil:
				addSteps(c.Background.Steps)
			case c.Scenario != nil:
				addScenario(c.Scenario)
			case c.Rule != nil:
				for _, rc := range c.Rule.Children {
					if rc.Background != nil {
						addSteps(rc.Background.Steps)
					}
					if rc.Scenario != nil {
						addScenario(rc.Scenario)
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

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
