package scenarios

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/firedrill/firedrill/incident"
)

// Step is one sentence of the step vocabulary, whole: how it reads, the
// arguments it takes, what `firedrill validate` checks about it and what it
// does to the drill. A sentence lives nowhere else, so a reworded sentence
// keeps its checks: adding one is a Step in a step_*.go file, registered in
// that file's init, and its test. godog, `firedrill list` and `firedrill
// validate` all read the same registry.
type Step struct {
	// Keyword is how the vocabulary writes the sentence (Given, When or
	// Then); godog accepts it after any keyword, And and But included.
	Keyword string
	// Pattern is the sentence as a regular expression, anchored at both
	// ends for you. Its arguments are placeholders, each parsed into Args
	// in order: {string} (quoted text), {duration} ("2 minutes", "90s"),
	// {number}, {severity} (P1–P4) and {mttx} (MTTD, MTTA, MTTR or time to
	// page). It may
	// have no capturing group of its own.
	Pattern string
	// Example is the sentence as a feature writes it, keyword first.
	Example string
	// Table, when the sentence is followed by a data table, says what the
	// table holds; the table is read as "| parameter | value |" rows into
	// Args.Params.
	Table string
	// Check is the static validation: what can be known wrong before
	// anything starts (a name that does not exist, a value out of bounds,
	// a step that needs another). `firedrill validate` reports its error at
	// the step's file and line; a run refuses the step with it as well. The
	// error says what to do. Nil: the arguments parsing is all there is to
	// check.
	Check func(sc *Scenario, a Args) error
	// Do is the action: one call on the Drill runtime.
	Do func(ctx context.Context, d *Drill, a Args) error
	// Settled, for a Then sentence, says whether its verdict can no longer
	// change however long the drill runs on, judged while it runs. A drill
	// whose Then steps are all settled, and whose score is, stops early
	// (see Drill.decided). Nil: never settled before the drill's end.
	Settled func(d *Drill, a Args) bool

	re    *regexp.Regexp
	kinds []string
}

// Args are the arguments of a matched sentence, parsed, each kind in the
// order its placeholders appear.
type Args struct {
	Strings   []string
	Durations []time.Duration
	Numbers   []float64
	Severity  incident.Severity
	Measure   string
	// Params is the step's table (nil for a sentence without one).
	Params map[string]string
}

// placeholder is one kind of argument: how it reads and how it parses.
type placeholder struct {
	re    string
	parse func(a *Args, s string) error
}

// dur is the pattern of a duration in a sentence: "2 minutes", "90s", "1h30m".
const dur = `(\d+(?:\.\d+)?(?:\s*[a-z]+)(?:\s+\d+(?:\.\d+)?\s*[a-z]+)*|\d+(?:\.\d+)?(?:h|m|s|ms)(?:\d+(?:\.\d+)?(?:h|m|s|ms))*)`

var placeholders = map[string]placeholder{
	"string": {`"([^"]+)"`, func(a *Args, s string) error {
		a.Strings = append(a.Strings, s)
		return nil
	}},
	"duration": {dur, func(a *Args, s string) error {
		d, err := incident.ParseDuration(s)
		if err != nil {
			return err
		}
		a.Durations = append(a.Durations, d)
		return nil
	}},
	"number": {`(\d+(?:\.\d+)?)`, func(a *Args, s string) error {
		n, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("parse number %q: %w", s, err)
		}
		a.Numbers = append(a.Numbers, n)
		return nil
	}},
	"severity": {`(P[1-4])`, func(a *Args, s string) error {
		sev, err := incident.ParseSeverity(s)
		a.Severity = sev
		return err
	}},
	"mttx": {`(MTTD|MTTA|MTTR|time to page)`, func(a *Args, s string) error {
		a.Measure = s
		return nil
	}},
}

var placeholderRe = regexp.MustCompile(`\{([a-z]+)\}`)

// registry is the vocabulary in the order its files register it.
var registry []*Step

// define registers steps. It panics on a pattern that does not compile,
// an unknown placeholder, a capturing group of its own, a step without an
// action or example, or a pattern defined twice: all mistakes of the
// definition, found by any test of the package.
func define(steps ...*Step) {
	for _, s := range steps {
		if s.Do == nil || s.Example == "" || s.Keyword == "" {
			panic(fmt.Sprintf("step %q: needs a keyword, an example and an action", s.Pattern))
		}
		var kinds []string
		expanded := placeholderRe.ReplaceAllStringFunc(s.Pattern, func(m string) string {
			name := m[1 : len(m)-1]
			p, ok := placeholders[name]
			if !ok {
				panic(fmt.Sprintf("step %q: unknown placeholder %s", s.Pattern, m))
			}
			kinds = append(kinds, name)
			return p.re
		})
		re := regexp.MustCompile(`^` + expanded + `$`)
		if re.NumSubexp() != len(kinds) {
			panic(fmt.Sprintf("step %q: capturing groups other than placeholders; use (?:...)", s.Pattern))
		}
		for _, o := range registry {
			if o.Pattern == s.Pattern {
				panic(fmt.Sprintf("step %q defined twice", s.Pattern))
			}
		}
		s.re, s.kinds = re, kinds
		registry = append(registry, s)
	}
}

var keywordOrder = map[string]int{"Given": 0, "When": 1, "Then": 2}

// Steps is the step vocabulary, Given first, then When, then Then: a
// public API, so these sentences keep working as written.
func Steps() []*Step {
	out := slices.Clone(registry)
	slices.SortStableFunc(out, func(a, b *Step) int { return keywordOrder[a.Keyword] - keywordOrder[b.Keyword] })
	return out
}

// Regexp is the compiled, anchored pattern godog matches a step's text
// against.
func (s *Step) Regexp() *regexp.Regexp { return s.re }

// parse reads a match's arguments and table into Args.
func (s *Step) parse(texts []string, table *godog.Table) (Args, error) {
	var a Args
	for i, k := range s.kinds {
		if err := placeholders[k].parse(&a, texts[i]); err != nil {
			return a, err
		}
	}
	if s.Table != "" {
		params, err := tableParams(table)
		if err != nil {
			return a, err
		}
		a.Params = params
	}
	return a, nil
}

// run is the step as a scenario runs it: the same parsing and check as
// validation, then the action.
func (s *Step) run(ctx context.Context, texts []string, table *godog.Table) error {
	d := drillOf(ctx)
	a, err := s.parse(texts, table)
	if err != nil {
		return fmt.Errorf("step: %w", err)
	}
	if s.Check != nil {
		if err := s.Check(d.suite.scenarioOf(d.scenario), a); err != nil {
			return err
		}
	}
	return s.Do(ctx, d, a)
}

var (
	ctxType   = reflect.TypeFor[context.Context]()
	errType   = reflect.TypeFor[error]()
	tableType = reflect.TypeFor[*godog.Table]()
)

// handler is the step as godog calls it: a function of the context, one
// string per placeholder and the table, if the sentence has one. godog
// learns a step's arguments from its function's type, so the type is made
// to measure.
func (s *Step) handler() any {
	in := []reflect.Type{ctxType}
	for range s.kinds {
		in = append(in, reflect.TypeFor[string]())
	}
	if s.Table != "" {
		in = append(in, tableType)
	}
	fn := reflect.FuncOf(in, []reflect.Type{errType}, false)
	return reflect.MakeFunc(fn, func(vals []reflect.Value) []reflect.Value {
		texts := make([]string, len(s.kinds))
		for i := range texts {
			texts[i] = vals[1+i].String()
		}
		var table *godog.Table
		if s.Table != "" {
			table = vals[len(vals)-1].Interface().(*godog.Table)
		}
		err := s.run(vals[0].Interface().(context.Context), texts, table)
		out := reflect.New(errType).Elem()
		if err != nil {
			out.Set(reflect.ValueOf(err))
		}
		return []reflect.Value{out}
	}).Interface()
}

// register adds every step to a scenario context.
func register(sc *godog.ScenarioContext) {
	for _, s := range registry {
		sc.Step(s.re, s.handler())
	}
}

// isHeader says whether a first row names the columns rather than giving
// a parameter: "| parameter | value |", "| name | value |", "| key | value |".
func isHeader(k, v string) bool {
	switch strings.ToLower(strings.TrimSpace(k)) {
	case "parameter", "name", "key":
		return strings.EqualFold(strings.TrimSpace(v), "value")
	}
	return false
}

// tableParams reads a two-column table of parameter and value. A header
// row naming the columns ("| parameter | value |", "| name | value |" or
// "| key | value |") is allowed and skipped.
func tableParams(table *godog.Table) (map[string]string, error) {
	params := map[string]string{}
	if table == nil {
		return params, nil
	}
	for i, row := range table.Rows {
		if len(row.Cells) != 2 {
			return nil, fmt.Errorf("table row %d: want two cells, parameter and value", i+1)
		}
		k, v := row.Cells[0].Value, row.Cells[1].Value
		if i == 0 && isHeader(k, v) {
			continue
		}
		if _, dup := params[k]; dup {
			return nil, fmt.Errorf("table: parameter %q given twice", k)
		}
		params[k] = v
	}
	return params, nil
}
