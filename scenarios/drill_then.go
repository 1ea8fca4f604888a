package scenarios

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/firedrill/firedrill/engine"
	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/scorer"
	"github.com/firedrill/firedrill/stack"
)

// The Then steps' judgements of a drill that ran: each reads the
// timeline or the verdict and returns ErrAssertion when unmet.

// t0 is the drill time the first fault was injected, or the drill's start
// for a steady-state drill.
func (d *Drill) t0() time.Duration {
	if m, ok := d.timeline.First(incident.FaultInjected, nil); ok {
		return m.Drill
	}
	return 0
}

func (d *Drill) needRun() error {
	if d.timeline == nil || !d.ran {
		return fmt.Errorf("%w: the drill has not run: add \"When the drill runs until the incident is resolved or 45 minutes pass\"", ErrAssertion)
	}
	return nil
}

func (d *Drill) verdict() scorer.Verdict { return scorer.Score(d.timeline.Entries(), d.targets()) }

// AlertFiresWithin: the alert fired within d of T0.
func (d *Drill) AlertFiresWithin(alert string, within time.Duration) error {
	if err := d.needRun(); err != nil {
		return err
	}
	t0 := d.t0()
	m, ok := d.timeline.First(incident.AlertFiring, func(m incident.Milestone) bool { return m.Subject == alert && m.Drill >= t0 })
	if !ok {
		return fmt.Errorf("%w: alert %s never fired (fired: %s)", ErrAssertion, alert, d.firedNames())
	}
	if got := m.Drill - t0; got > within {
		return fmt.Errorf("%w: alert %s fired %s after the fault, later than %s", ErrAssertion, alert, got, within)
	}
	return nil
}

// AlertDoesNotFire: the alert never fired during the drill (warm-up
// included: a false positive is a finding too).
func (d *Drill) AlertDoesNotFire(alert string) error {
	if err := d.needRun(); err != nil {
		return err
	}
	if m, ok := d.timeline.First(incident.AlertFiring, func(m incident.Milestone) bool { return m.Subject == alert }); ok {
		return fmt.Errorf("%w: alert %s fired at %s", ErrAssertion, alert, engine.FmtDrill(m.Drill))
	}
	return nil
}

// AlertPagesNobody: the alert fired (or the check says nothing) but no
// page carried it: inhibited, or routed nowhere.
func (d *Drill) AlertPagesNobody(alert string) error {
	if err := d.needRun(); err != nil {
		return err
	}
	if _, ok := d.timeline.First(incident.AlertFiring, func(m incident.Milestone) bool { return m.Subject == alert }); !ok {
		return fmt.Errorf("%w: alert %s never fired, so paging nobody proves nothing (fired: %s)", ErrAssertion, alert, d.firedNames())
	}
	if m, ok := d.timeline.First(incident.PageSent, func(m incident.Milestone) bool {
		return slices.Contains(strings.Split(m.Labels[responders.AlertsLabel], ","), alert)
	}); ok {
		return fmt.Errorf("%w: alert %s was paged at %s (%s)", ErrAssertion, alert, engine.FmtDrill(m.Drill), m.Detail)
	}
	return nil
}

// AlertIsNoise: the alert fired on the healthy stack (before the fault,
// or in a steady state): the report lists it as a rule to fix.
func (d *Drill) AlertIsNoise(alert string) error {
	if err := d.needRun(); err != nil {
		return err
	}
	var names []string
	for _, n := range d.verdict().Noise {
		if n.Alert == alert {
			return nil
		}
		names = append(names, n.Alert)
	}
	if len(names) == 0 {
		names = []string{"none"}
	}
	return fmt.Errorf("%w: alert %s did not fire with no fault (rules that did: %s)", ErrAssertion, alert, strings.Join(names, ", "))
}

func (d *Drill) firedNames() string {
	var names []string
	for _, m := range d.timeline.Entries() {
		if m.Kind == incident.AlertFiring && !slices.Contains(names, m.Subject) {
			names = append(names, m.Subject)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}

// DeclaredAs: the incident's severity is s.
func (d *Drill) DeclaredAs(s incident.Severity) error {
	if err := d.needRun(); err != nil {
		return err
	}
	if got := d.verdict().Severity; got != s {
		return fmt.Errorf("%w: the incident was declared %s, not %s", ErrAssertion, got, s)
	}
	return nil
}

// within checks that milestone kind came within limit of T0.
func (d *Drill) within(kind incident.Kind, what string, limit time.Duration) error {
	if err := d.needRun(); err != nil {
		return err
	}
	t0 := d.t0()
	m, ok := d.timeline.First(kind, func(m incident.Milestone) bool { return m.Drill >= t0 })
	if !ok {
		return fmt.Errorf("%w: the incident was never %s", ErrAssertion, what)
	}
	if got := m.Drill - t0; got > limit {
		return fmt.Errorf("%w: the incident was %s %s after the fault, later than %s", ErrAssertion, what, got, limit)
	}
	return nil
}

// AcknowledgedWithin: acknowledged − T0 ≤ limit (the drill's "IC assigned").
func (d *Drill) AcknowledgedWithin(limit time.Duration) error {
	return d.within(incident.Acknowledged, "acknowledged", limit)
}

// RecoversWithin: resolved − T0 ≤ limit.
func (d *Drill) RecoversWithin(limit time.Duration) error {
	return d.within(incident.Resolved, "resolved", limit)
}

// mttx is MTTD, MTTA or MTTR of the drill's verdict.
func (d *Drill) mttx(which string) scorer.Measurement { return measureOf(d.verdict(), which) }

// measureOf is MTTD, MTTA, MTTR or time to page of a verdict.
func measureOf(v scorer.Verdict, which string) scorer.Measurement {
	return map[string]scorer.Measurement{"MTTD": v.MTTD, "MTTA": v.MTTA, "MTTR": v.MTTR, "time to page": v.TimeToPage}[which]
}

// MTTxWithinTick checks MTTD, MTTA or MTTR is want give or take one tick,
// the measurement's resolution: what a calibration drill, whose answer is
// worked out by hand, asserts.
func (d *Drill) MTTxWithinTick(which string, want time.Duration) error {
	if err := d.needRun(); err != nil {
		return err
	}
	got, ok := d.mttx(which).Get()
	if !ok {
		return fmt.Errorf("%w: %s was not measured: its milestone never came (expected %s)", ErrAssertion, which, want)
	}
	if tick := d.engine.Clock().Tick(); got < want-tick || got > want+tick {
		return fmt.Errorf("%w: %s was %s, not %s within one tick (%s)", ErrAssertion, which, got.Round(time.Millisecond), want, tick)
	}
	return nil
}

// MTTxNotMeasured checks the milestone MTTD, MTTA or MTTR ends at never
// came: nobody acknowledged, nothing resolved.
func (d *Drill) MTTxNotMeasured(which string) error {
	if err := d.needRun(); err != nil {
		return err
	}
	if got, ok := d.mttx(which).Get(); ok {
		return fmt.Errorf("%w: %s was measured (%s), expected none", ErrAssertion, which, got.Round(time.Millisecond))
	}
	return nil
}

// MTTxAtMost checks MTTD, MTTA or MTTR against a bound.
func (d *Drill) MTTxAtMost(which string, most time.Duration) error {
	if err := d.needRun(); err != nil {
		return err
	}
	got, ok := d.mttx(which).Get()
	if !ok {
		return fmt.Errorf("%w: %s was not measured: its milestone never came", ErrAssertion, which)
	}
	if got > most {
		return fmt.Errorf("%w: %s was %s, more than %s", ErrAssertion, which, got, most)
	}
	return nil
}

// MeetsTargets: every scoring criterion was met.
func (d *Drill) MeetsTargets() error {
	if err := d.needRun(); err != nil {
		return err
	}
	v := d.verdict()
	if v.Passed {
		return nil
	}
	var missed []string
	for _, c := range v.Missed() {
		missed = append(missed, fmt.Sprintf("%s (%s)", c.Name, c.Status))
	}
	return fmt.Errorf("%w: score %.0f, missed: %s", ErrAssertion, v.Score, strings.Join(missed, ", "))
}

// NoDataLost: every seeded table has the row count and content it had
// before the first fault.
func (d *Drill) NoDataLost(ctx context.Context) error {
	if d.env == nil {
		return errors.New("no data is lost: the stack is not running")
	}
	if d.before == nil {
		return fmt.Errorf("%w: no data is lost: no fault was injected, so there is no state to compare with", ErrAssertion)
	}
	after, err := tableStates(ctx, d.env)
	if err != nil {
		return err
	}
	return compareStates(d.before, after)
}

// AppPasswordRotated: Postgres refuses the password the app was started
// with, asked by the harness itself, not by the playbook that rotated it.
func (d *Drill) AppPasswordRotated(ctx context.Context) error {
	if d.env == nil {
		return errors.New("the app's database password is rotated: the stack is not running")
	}
	err := d.env.AppPasswordRotated(ctx)
	if errors.Is(err, stack.ErrNotRotated) {
		return fmt.Errorf("%w: %w", ErrAssertion, err)
	}
	return err
}
