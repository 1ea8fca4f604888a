package scenarios

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/cucumber/godog"
	"github.com/prometheus/prometheus/rules"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/monitors"
	"github.com/firedrill/firedrill/responders"
)

// match is one step of a scenario read against the vocabulary.
type match struct {
	text string
	step *Step // nil: no sentence of the vocabulary
	args Args
	err  error // the arguments did not parse
}

// matchStep finds the sentence a step's text is and parses its arguments.
func matchStep(text string, table *godog.Table) match {
	m := match{text: text}
	for _, s := range registry {
		if sub := s.re.FindStringSubmatch(text); sub != nil {
			m.step = s
			m.args, m.err = s.parse(sub[1:], table)
			return m
		}
	}
	return m
}

// Scenario is what a step's check sees: the other steps of its scenario
// and what the drill would load (playbooks, rule files, configuration).
type Scenario struct {
	steps []match
	cat   *catalog
	// feature is the feature file the scenario is in: a relative path its
	// steps name is also looked for beside it (see resolvePath).
	feature string
}

func newScenario(cat *catalog, feature string, steps []*godog.Step) *Scenario {
	sc := &Scenario{cat: cat, feature: feature}
	for _, st := range steps {
		var table *godog.Table
		if st.Argument != nil {
			table = st.Argument.DataTable
		}
		sc.steps = append(sc.steps, matchStep(st.Text, table))
	}
	return sc
}

// With returns the arguments of each step of the scenario that is the
// sentence s (and whose arguments parsed), in order.
func (sc *Scenario) With(s *Step) []Args {
	var out []Args
	for _, m := range sc.steps {
		if m.step == s && m.err == nil {
			out = append(out, m.args)
		}
	}
	return out
}

// catalog is what step checks look names up in: the configuration, the
// playbook directory and rule files, each file loaded once. Validation and
// a run each have one, so both check a step against the same things.
type catalog struct {
	cfg         config.Config
	playbookDir string
	playbooks   func() (map[string]*responders.Playbook, error)

	mu    sync.Mutex
	rules map[string]ruleFile
}

// ruleFile is a loaded rule file: its alert names, or why it did not load.
type ruleFile struct {
	alerts []string
	err    error
}

func newCatalog(cfg config.Config, playbookDir string, playbooks func() (map[string]*responders.Playbook, error)) *catalog {
	return &catalog{cfg: cfg, playbookDir: playbookDir, playbooks: playbooks, rules: map[string]ruleFile{}}
}

// ruleFile loads a rule file once.
func (c *catalog) ruleFile(path string) ruleFile {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.rules[path]; ok {
		return r
	}
	var r ruleFile
	groups, err := monitors.LoadRuleFiles(path)
	if err != nil {
		r.err = err
	}
	for _, g := range groups {
		for _, rule := range g.Rules {
			if ar, ok := rule.(*rules.AlertingRule); ok && !slices.Contains(r.alerts, ar.Name()) {
				r.alerts = append(r.alerts, ar.Name())
			}
		}
	}
	c.rules[path] = r
	return r
}

// Config is the configuration the drill runs with.
func (sc *Scenario) Config() config.Config { return sc.cat.cfg }

// Playbook checks that the playbook directory has a playbook name.
func (sc *Scenario) Playbook(name string) error {
	pbs, err := sc.cat.playbooks()
	if _, ok := pbs[name]; ok {
		return nil
	}
	if err != nil && len(pbs) == 0 {
		return err
	}
	names := sortedKeys(pbs)
	msg := fmt.Sprintf("unknown playbook %q in %s", name, sc.cat.playbookDir)
	if n := Nearest(name, names); n != "" {
		msg += fmt.Sprintf("; did you mean %q?", n)
	}
	return fmt.Errorf("%s (have %s)", msg, strings.Join(names, ", "))
}

// RuleFile checks that a rule file the scenario names loads, found as a
// run finds it; a missing file is named with where it was looked for.
func (sc *Scenario) RuleFile(path string) error {
	p, err := resolvePath(sc.feature, "rule file", path)
	if err != nil {
		return err
	}
	return sc.cat.ruleFile(p).err
}

// Routing checks that an Alertmanager configuration the scenario names
// loads, found as a run finds it.
func (sc *Scenario) Routing(path string) error {
	p, err := resolvePath(sc.feature, "Alertmanager configuration", path)
	if err != nil {
		return err
	}
	_, err = responders.LoadRouting(p)
	return err
}

// Alerts are the names of the alerts the rule files define, in file order;
// ok is false when one of them does not load (its own problem, reported
// where it is named).
func (sc *Scenario) Alerts(files []string) (names []string, ok bool) {
	for _, f := range files {
		r := sc.cat.ruleFile(f)
		if r.err != nil {
			return nil, false
		}
		for _, a := range r.alerts {
			if !slices.Contains(names, a) {
				names = append(names, a)
			}
		}
	}
	return names, true
}
