package scenarios

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/engine"
	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/injectors"
	"github.com/firedrill/firedrill/monitors"
	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/scorer"
	"github.com/firedrill/firedrill/stack"
)

type drillKey struct{}

func withDrill(ctx context.Context, d *Drill) context.Context {
	return context.WithValue(ctx, drillKey{}, d)
}

// drillOf is the scenario's Drill; the Before hook always sets one.
func drillOf(ctx context.Context) *Drill { return ctx.Value(drillKey{}).(*Drill) }

// ErrAssertion marks a Then step whose expectation the drill did not meet,
// as opposed to a drill that could not run.
var ErrAssertion = errors.New("drill expectation not met")

// Drill is the runtime of one scenario: what its Given steps set up, the
// faults its When steps injected, and the timeline its Then steps judge.
type Drill struct {
	suite    *Suite
	scenario *godog.Scenario
	started  time.Time

	env       *stack.Env
	ruleFiles []string
	// alertmanager is the drill's alertmanager.yml ("": the config's).
	alertmanager string
	rate         float64
	rateSet      bool
	playbook     string
	think        time.Duration
	person       bool

	engine   *engine.Engine
	timeline *incident.Timeline
	oncall   *responders.OnCall
	human    *responders.Human

	// before is each seeded table's state just before the first fault.
	before map[string]tableState
	ran    bool
}

func newDrill(s *Suite, p *godog.Scenario) *Drill {
	return &Drill{suite: s, scenario: p, started: time.Now(), rate: s.opts.Config.Traffic.Rate}
}

// StackRunning starts (or resets) the stack for the scenario's feature.
func (d *Drill) StackRunning(ctx context.Context) error {
	env, err := d.suite.stack(ctx, d.scenario.Uri)
	if err != nil {
		return err
	}
	d.env = env
	return nil
}

// AddRuleFile adds a rule file for this drill; without any, the
// configuration's rule files apply.
func (d *Drill) AddRuleFile(path string) error {
	if err := d.errStarted("add rule file"); err != nil {
		return err
	}
	if _, err := monitors.LoadRuleFiles(path); err != nil {
		return err
	}
	d.ruleFiles = append(d.ruleFiles, path)
	return nil
}

// errStarted refuses a setup step once monitoring runs: its value would be
// silently ignored.
func (d *Drill) errStarted(what string) error {
	if d.engine == nil {
		return nil
	}
	return fmt.Errorf("%s: the drill has started; give the setup (Given steps) before the fault and the run", what)
}

// MaxTrafficRate bounds a drill's steady traffic, in requests per second
// of drill time: the same bound as firedrill.yaml's traffic.rate (see
// config.MaxTrafficRate for why). `firedrill validate` checks steps
// against it too.
const MaxTrafficRate = config.MaxTrafficRate

// SetAlertmanagerConfig routes this drill's alerts with an
// alertmanager.yml instead of the configuration's.
func (d *Drill) SetAlertmanagerConfig(path string) error {
	if err := d.errStarted("set the Alertmanager configuration"); err != nil {
		return err
	}
	if _, err := responders.LoadRouting(path); err != nil {
		return err
	}
	d.alertmanager = path
	return nil
}

// SetTraffic sets the steady request rate (drill time).
func (d *Drill) SetTraffic(rps float64) error {
	if err := d.errStarted("set traffic"); err != nil {
		return err
	}
	if rps < 0 || rps > MaxTrafficRate {
		return fmt.Errorf("set traffic: %g requests per second is outside 0..%d", rps, MaxTrafficRate)
	}
	d.rate, d.rateSet = rps, true
	return nil
}

// SetPlaybook makes the automated on-call responder answer with a playbook.
func (d *Drill) SetPlaybook(name string) error {
	if err := d.errStarted("set playbook"); err != nil {
		return err
	}
	if d.person {
		return errors.New("set playbook: the on-call responder is a person in this drill; choose one")
	}
	if _, err := d.suite.playbook(name); err != nil {
		return err
	}
	d.playbook = name
	return nil
}

// SetPerson makes a person the on-call responder: pages are shown on the
// terminal and the person answers with `firedrill ack` / `resolve` or the
// web page on the run's ack address.
func (d *Drill) SetPerson() error {
	if err := d.errStarted("set person"); err != nil {
		return err
	}
	if d.playbook != "" {
		return errors.New("set person: the on-call responder runs a playbook in this drill; choose one")
	}
	// Serve the person's address now, before anything is injected: a
	// taken address stops the drill here, not after its fault.
	if _, err := d.suite.serveHumans(); err != nil {
		return err
	}
	d.person = true
	return nil
}

// SetThinkTime is the responder's declared time from page to ack.
func (d *Drill) SetThinkTime(t time.Duration) error {
	if err := d.errStarted("set think time"); err != nil {
		return err
	}
	d.think = t
	return nil
}

// start wires the drill (the engine) and runs its warm-up, so rules have
// history before any fault.
func (d *Drill) start(ctx context.Context) error {
	if d.engine != nil {
		return nil
	}
	if d.env == nil {
		return errors.New("the stack is not running: start the scenario with \"Given the stack is running\"")
	}
	cfg := d.suite.opts.Config
	if d.alertmanager != "" {
		cfg.Monitoring.AlertmanagerConfig = d.alertmanager
	}
	spec := engine.Spec{
		Config: cfg, Clock: d.suite.opts.Clock, RuleFiles: d.ruleFiles, Rate: d.rate,
		Warmup: d.suite.opts.Warmup, Progress: d.suite.opts.Progress,
	}
	switch {
	case d.playbook != "":
		pb, err := d.suite.playbook(d.playbook)
		if err != nil {
			return err
		}
		spec.Responder = func(rt *responders.Runtime, tl *incident.Timeline) (responders.Responder, error) {
			d.oncall = responders.NewOnCall("on-call", pb, d.think, rt, tl)
			return d.oncall, nil
		}
	case d.person:
		addr, err := d.suite.serveHumans()
		if err != nil {
			return err
		}
		spec.Responder = func(_ *responders.Runtime, tl *incident.Timeline) (responders.Responder, error) {
			d.human = responders.NewHuman("on-call", tl, func(p responders.Page) {
				d.suite.opts.Progress("  PAGE incident %d: %s %s — answer with `firedrill ack` / `firedrill resolve` or http://%s/",
					p.Incident, p.Severity, p.Alert, addr)
			})
			d.suite.setHuman(d.human)
			return d.human, nil
		}
		if d.suite.opts.Clock == incident.Compressed {
			d.suite.opts.Progress("  note: the clock is compressed, so the drill will not wait for people; game days run with --clock realtime")
		}
	}
	e, err := engine.Start(ctx, d.env, spec)
	d.engine, d.timeline = e, e.Timeline()
	if err != nil {
		return err
	}
	return e.Warmup(ctx)
}

// Inject injects a fault: T0 is recorded right before it acts. The seeded
// tables' state is taken first, for "no data is lost".
func (d *Drill) Inject(ctx context.Context, name string, params map[string]string) error {
	if _, err := injectors.New(name, params); err != nil {
		return err
	}
	if err := d.start(ctx); err != nil {
		return err
	}
	if d.before == nil {
		var err error
		if d.before, err = tableStates(ctx, d.env); err != nil {
			return err
		}
	}
	return d.engine.Inject(ctx, name, params)
}

// RunUntilResolved runs the drill until the incident is resolved or limit
// of drill time passes; with no fault injected it runs the whole limit.
func (d *Drill) RunUntilResolved(ctx context.Context, limit time.Duration) error {
	if err := d.start(ctx); err != nil {
		return err
	}
	d.ran = true
	return d.engine.RunUntilResolved(ctx, limit)
}

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

func (d *Drill) verdict() scorer.Verdict { return scorer.Score(d.timeline.Entries(), d.suite.targets) }

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
func (d *Drill) mttx(which string) scorer.Measurement {
	v := d.verdict()
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
	if d.human != nil {
		d.suite.setHuman(nil)
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
	err := errors.Join(errs...)
	if err != nil {
		out.Error = err.Error()
	}
	var v scorer.Verdict
	if d.timeline != nil {
		out.Timeline = d.timeline.Entries()
		out.Steps = stepLog(out.Timeline)
		v = d.verdict()
	}
	out.Status = statusOf(ctx.Err() != nil, d.timeline != nil, v, err)
	if out.Status.Scored() {
		out.Verdict = &v
	}
	return out
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
