package scenarios

// A drill's result: what the reports render, made once its steps are done.

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"time"

	"github.com/cucumber/godog"
	messages "github.com/cucumber/messages/go/v34"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/scorer"
	"github.com/firedrill/firedrill/stack"
)

// finish recovers every fault the drill injected (even when a step
// failed), stops its monitoring and returns its result.
func (d *Drill) finish(ctx context.Context, stepErr error) reports.Drill {
	var errs []error
	if stepErr != nil {
		errs = append(errs, stepErr)
	}
	if d.engine != nil {
		errs = append(errs, d.engine.Recover(ctx), d.engine.Close())
	}
	if d.game != nil {
		d.suite.setGame(nil)
	}
	out := reports.Drill{
		Feature:  filepath.Base(d.scenario.Uri),
		Scenario: d.scenario.Name,
		Started:  d.started,
		Finished: time.Now(),
	}
	for _, t := range d.scenario.Tags {
		out.Tags = append(out.Tags, t.Name)
	}
	out.Checks = d.checks()
	err := errors.Join(errs...)
	if gone := d.gone(err); gone != nil {
		d.suite.stackGone(ctx, gone)
	}
	if err != nil {
		out.Error = err.Error()
	}
	var v scorer.Verdict
	if d.timeline != nil {
		out.Timeline = d.timeline.Entries()
		out.Steps = stepLog(out.Timeline)
		if ticks := d.engine.Ticks(); len(ticks) > 0 {
			out.Timing = reports.NewTiming(out.Finished.Sub(out.Started), d.engine.Clock().TickTime(), ticks)
		}
		v = d.verdict()
	}
	out.Status = statusOf(ctx.Err() != nil || d.game.aborted() != "", d.timeline != nil, v, err)
	if out.Status.Scored() {
		out.Verdict = &v
	}
	return out
}

// gone is the stack error that ended the drill, if its stack disappeared.
func (d *Drill) gone(err error) error {
	if d.engine != nil && d.engine.Gone() != nil {
		return d.engine.Gone()
	}
	if errors.Is(err, stack.ErrGone) {
		return err
	}
	return nil
}

// statusOf: a drill interrupted before it finished is aborted; one that
// could not run (no stack, a bad step) errored; neither is scored. A
// drill whose steps ran but missed an expectation or a target failed.
func statusOf(interrupted, ran bool, v scorer.Verdict, err error) reports.Status {
	switch {
	case interrupted:
		return reports.Aborted
	case err != nil && !errors.Is(err, ErrAssertion), !ran:
		return reports.Errored
	case err != nil, !v.Passed:
		return reports.Failed
	default:
		return reports.Passed
	}
}

// stepLog pairs each playbook step's start and finish.
func stepLog(tl []incident.Milestone) []reports.Step {
	var steps []reports.Step
	open := map[string]int{}
	for _, m := range tl {
		switch m.Kind {
		case incident.StepStarted:
			open[m.Subject] = len(steps)
			steps = append(steps, reports.Step{Name: m.Subject, Phase: m.Labels["phase"], Kind: m.Labels["kind"], Start: m.Drill, End: m.Drill, Outcome: "running"})
		case incident.StepFinished:
			i, ok := open[m.Subject]
			if !ok {
				continue
			}
			delete(open, m.Subject)
			steps[i].End, steps[i].Outcome = m.Drill, m.Outcome
			steps[i].Output, steps[i].Truncated = reports.TruncateOutput(m.Detail, reports.MaxStepOutput)
		}
	}
	return steps
}

// recordStep keeps how a Then step ended, for the report's checks. An
// unmet expectation's message drops the "drill expectation not met"
// prefix: the check's status says that already.
func (d *Drill) recordStep(st *godog.Step, status godog.StepResultStatus, err error) {
	if !isThen(st) {
		return
	}
	c := reports.Check{Step: st.Text, Status: status.String()}
	if err != nil && status != godog.StepSkipped {
		c.Error = strings.TrimPrefix(err.Error(), ErrAssertion.Error()+": ")
	}
	if d.outcomes == nil {
		d.outcomes = map[string]reports.Check{}
	}
	d.outcomes[st.Id] = c
}

// checks are the scenario's Then steps in order, each with how it ended;
// one the drill never reached (it stopped at an earlier step) is skipped.
func (d *Drill) checks() []reports.Check {
	var out []reports.Check
	for _, st := range d.scenario.Steps {
		if !isThen(st) {
			continue
		}
		c, ok := d.outcomes[st.Id]
		if !ok {
			c = reports.Check{Step: st.Text, Status: godog.StepSkipped.String()}
		}
		out = append(out, c)
	}
	return out
}

// isThen says whether a step is a Then step, an And or But after Then
// included: gherkin gives each step the type of its keyword (Then is an
// outcome). A step of unknown type ("*") is a Then step when its sentence
// is one of the vocabulary's Then sentences.
func isThen(st *godog.Step) bool {
	switch st.Type {
	case messages.PickleStepType_OUTCOME:
		return true
	case messages.PickleStepType_UNKNOWN:
		m := matchStep(st.Text, nil)
		return m.step != nil && m.step.Keyword == "Then"
	}
	return false
}
