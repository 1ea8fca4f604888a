package scenarios

import (
	"fmt"
	"slices"
)

// shapeProblem is a mistake in how a scenario's steps fit together, at
// one of its steps (an index into them) or, at -1, at the scenario.
type shapeProblem struct {
	step int
	msg  string
}

// firingSteps are the sentences that need their alert to fire, so each
// contradicts `the alert "X" does not fire` about the same alert.
var firingSteps = []*Step{alertFires, alertIsNoise, alertNotPaged}

// shape checks a scenario's steps together, as no single step's check
// can: a drill with a fault must run, one with Then steps must have
// something happen, its Then steps judge what happened (so they come
// after its When steps), and no two of them contradict each other. lines
// are the steps' lines, for messages naming another step. A scenario with
// a step outside the vocabulary is not judged: that step may be the
// missing one, and its own problem says what to write.
func (sc *Scenario) shape(lines []int) []shapeProblem {
	var out []shapeProblem
	var whens, thens, faults []int
	runs := false
	for i, m := range sc.steps {
		if m.step == nil {
			return nil
		}
		switch m.step.Keyword {
		case "When":
			whens = append(whens, i)
		case "Then":
			thens = append(thens, i)
		}
		switch m.step {
		case faultInjected, faultInjectedWith:
			faults = append(faults, i)
		case drillRuns:
			runs = true
		}
	}
	if len(faults) > 0 && !runs {
		name := "NAME"
		if a := sc.steps[faults[0]].args; len(a.Strings) > 0 {
			name = a.Strings[0]
		}
		out = append(out, shapeProblem{faults[0], fmt.Sprintf("the fault %q is injected but the drill never runs: nothing "+
			"is detected or measured after it, and every Then step fails; add %s after it", name, usage(drillRuns))})
	}
	if len(thens) > 0 && len(whens) == 0 {
		out = append(out, shapeProblem{-1, fmt.Sprintf("Then steps but no When step: nothing happens, so nothing can be "+
			"judged; add %s then %s (the latter alone for a steady-state drill)",
			usage(faultInjected, "NAME"), usage(drillRuns))})
	}
	for _, t := range thens {
		next := slices.IndexFunc(whens, func(w int) bool { return w > t })
		if next < 0 {
			continue
		}
		out = append(out, shapeProblem{t, fmt.Sprintf("Then step before the When step at line %d: Then steps judge what "+
			"the When steps did, so here it judges a drill that has not happened yet; move it after the last When step (line %d)",
			lines[whens[next]], lines[whens[len(whens)-1]])})
		break // one is enough: the fix moves them all
	}
	out = append(out, sc.contradictions(lines)...)
	return out
}

// contradictions are assertions about one alert that no run passes both
// of: that it fires (within D, with no fault, paging nobody) and that it
// does not fire. Each is reported at the later step of the two.
func (sc *Scenario) contradictions(lines []int) []shapeProblem {
	about := func(m match) bool {
		return m.err == nil && (m.step == alertDoesNotFire || slices.Contains(firingSteps, m.step))
	}
	var out []shapeProblem
	for i, m := range sc.steps {
		if !about(m) {
			continue
		}
		for j, o := range sc.steps[:i] {
			if !about(o) || o.args.Strings[0] != m.args.Strings[0] || (o.step == alertDoesNotFire) == (m.step == alertDoesNotFire) {
				continue
			}
			out = append(out, shapeProblem{i, fmt.Sprintf("`Then %s` contradicts line %d (`Then %s`): no run passes both, "+
				"so the drill always fails; keep the one this drill means", m.text, lines[j], o.text)})
			break
		}
	}
	return out
}
