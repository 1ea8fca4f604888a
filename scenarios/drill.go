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
	"github.com/prometheus/prometheus/promql"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/injectors"
	"github.com/firedrill/firedrill/internal/wiring"
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
	rate      float64
	rateSet   bool
	playbook  string
	think     time.Duration
	person    bool

	clock    *incident.Clock
	timeline *incident.Timeline
	monitor  *monitors.Monitor
	pager    *responders.Pager
	oncall   *responders.OnCall
	human    *responders.Human

	faults []injected
	// before is each seeded table's state just before the first fault.
	before map[string]tableState
	ran    bool
}

type injected struct {
	name   string
	inj    injectors.Injector
	params map[string]string
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
	if d.monitor == nil {
		return nil
	}
	return fmt.Errorf("%s: the drill has started; give the setup (Given steps) before the fault and the run", what)
}

// SetTraffic sets the steady request rate (drill time).
func (d *Drill) SetTraffic(rps float64) error {
	if err := d.errStarted("set traffic"); err != nil {
		return err
	}
	if rps < 0 || rps > 1000 {
		return fmt.Errorf("set traffic: %g requests per second is outside 0..1000", rps)
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

// start wires the drill's clock, timeline, pager, responder and monitor
// and monitors a warm-up period, so rules have history before any fault.
func (d *Drill) start(ctx context.Context) error {
	if d.monitor != nil {
		return nil
	}
	if d.env == nil {
		return errors.New("the stack is not running: start the scenario with \"Given the stack is running\"")
	}
	cfg := d.suite.opts.Config
	d.clock = incident.NewClock(d.suite.opts.Clock, cfg.Monitoring.Interval.D(), time.Time{})
	d.timeline = incident.NewTimeline(d.clock)
	mcfg := wiring.MonitorConfig(cfg)
	mcfg.Traffic.Rate = d.rate
	if len(d.ruleFiles) > 0 {
		mcfg.RuleFiles = d.ruleFiles
	}
	var responder responders.Responder
	var mon *monitors.Monitor
	rt := responders.NewRuntime(d.env, d.clock, querier{&mon})
	if d.playbook != "" {
		pb, err := d.suite.playbook(d.playbook)
		if err != nil {
			return err
		}
		d.oncall = responders.NewOnCall("on-call", pb, d.think, rt, d.timeline)
		responder = d.oncall
	}
	if d.person {
		addr, err := d.suite.serveHumans()
		if err != nil {
			return err
		}
		d.human = responders.NewHuman("on-call", d.timeline, func(p responders.Page) {
			d.suite.opts.Progress("  PAGE incident %d: %s %s — answer with `firedrill ack` / `firedrill resolve` or http://%s/",
				p.Incident, p.Severity, p.Alert, addr)
		})
		d.suite.setHuman(d.human)
		responder = d.human
		if d.clock.Mode() == incident.Compressed {
			d.suite.opts.Progress("  note: the clock is compressed, so the drill will not wait for people; game days run with --clock realtime")
		}
	}
	d.pager = responders.NewPager(d.timeline, responder)
	mcfg.Sink = d.pager
	m, err := monitors.New(d.env, d.clock, d.timeline, mcfg)
	if err != nil {
		return err
	}
	mon, d.monitor = m, m
	// The first tick is at drill time 0; each later one advances first, so
	// a tick's samples are never stamped before what happened ahead of it.
	if err := d.observe(ctx); err != nil {
		return err
	}
	for d.clock.TickTime() < d.suite.opts.Warmup {
		if err := d.tick(ctx); err != nil {
			return err
		}
	}
	return nil
}

// querier reaches the monitor once it exists (the runtime is made first).
type querier struct{ m **monitors.Monitor }

func (q querier) Query(ctx context.Context, expr string, at time.Time) (promql.Vector, error) {
	if *q.m == nil {
		return nil, errors.New("query: monitoring has not started")
	}
	return (*q.m).Query(ctx, expr, at)
}

// tick advances the clock to the next tick and observes it.
func (d *Drill) tick(ctx context.Context) error {
	if _, err := d.clock.Advance(ctx); err != nil {
		return err
	}
	return d.observe(ctx)
}

// observe runs the monitoring of the current tick, which pages and lets the
// responder act.
func (d *Drill) observe(ctx context.Context) error {
	if err := d.monitor.Tick(ctx); err != nil {
		return err
	}
	return d.pager.Err()
}

// Inject injects a fault: T0 is recorded right before it acts.
func (d *Drill) Inject(ctx context.Context, name string, params map[string]string) error {
	inj, err := injectors.New(name, params)
	if err != nil {
		return err
	}
	if err := d.start(ctx); err != nil {
		return err
	}
	if d.before == nil {
		if d.before, err = tableStates(ctx, d.env); err != nil {
			return err
		}
	}
	if len(d.faults) == 0 {
		d.pager.FaultInjected()
	}
	d.faults = append(d.faults, injected{name: name, inj: inj, params: params})
	d.timeline.Record(incident.Milestone{Kind: incident.FaultInjected, Actor: "injector", Subject: name, Labels: params})
	d.suite.opts.Progress("  %s  fault %s injected", fmtDrill(d.clock.Now()), name)
	if err := inj.Inject(ctx, injectors.Target{Env: d.env, Params: params}); err != nil {
		return fmt.Errorf("inject %s: %w", name, err)
	}
	return nil
}

// RunUntilResolved runs the drill until the incident is resolved or limit
// of drill time passes; with no fault injected it runs the whole limit.
func (d *Drill) RunUntilResolved(ctx context.Context, limit time.Duration) error {
	if err := d.start(ctx); err != nil {
		return err
	}
	d.ran = true
	end := d.clock.TickTime() + limit
	seen := len(d.timeline.Entries())
	for d.clock.TickTime() < end {
		if err := d.tick(ctx); err != nil {
			return err
		}
		seen = d.report(seen)
		if len(d.faults) > 0 {
			if inc, ok := d.pager.Current(); ok && inc.Resolved {
				d.timeline.Record(incident.Milestone{Kind: incident.Note, Actor: "drill", Subject: "incident resolved", Drill: d.clock.TickTime()})
				return nil
			}
		}
	}
	// The end of the run marks how much drill time it covered.
	what := "time limit reached"
	if len(d.faults) == 0 {
		what = "steady state held for " + limit.String()
	}
	d.timeline.Record(incident.Milestone{Kind: incident.Note, Actor: "drill", Subject: what, Drill: d.clock.TickTime()})
	return nil
}

// report prints the milestones recorded since seen; it returns the new count.
func (d *Drill) report(seen int) int {
	all := d.timeline.Entries()
	for _, m := range all[seen:] {
		switch m.Kind {
		case incident.AlertFiring, incident.AlertResolved, incident.PageSent, incident.Acknowledged,
			incident.Diagnosed, incident.Mitigated, incident.Resolved:
			d.suite.opts.Progress("  %s  %-14s %s %s", fmtDrill(m.Drill), m.Kind, m.Subject, sevText(m.Severity))
		case incident.StepFinished:
			d.suite.opts.Progress("  %s  step %-9s %s", fmtDrill(m.Drill), m.Outcome, m.Subject)
		}
	}
	return len(all)
}

func sevText(s incident.Severity) string {
	if s == incident.SeverityUnknown {
		return ""
	}
	return "(" + s.String() + ")"
}

func fmtDrill(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("T+%02d:%02d", int(d.Minutes()), int(d.Seconds())%60)
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
		return fmt.Errorf("%w: alert %s fired at %s", ErrAssertion, alert, fmtDrill(m.Drill))
	}
	return nil
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

// MTTxAtMost checks MTTD, MTTA or MTTR against a bound.
func (d *Drill) MTTxAtMost(which string, most time.Duration) error {
	if err := d.needRun(); err != nil {
		return err
	}
	v := d.verdict()
	m := map[string]scorer.Measurement{"MTTD": v.MTTD, "MTTA": v.MTTA, "MTTR": v.MTTR}[which]
	got, ok := m.Get()
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
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
	defer cancel()
	var errs []error
	if stepErr != nil {
		errs = append(errs, stepErr)
	}
	for i := len(d.faults) - 1; i >= 0; i-- {
		f := d.faults[i]
		if err := f.inj.Recover(cctx, injectors.Target{Env: d.env, Params: f.params}); err != nil {
			errs = append(errs, fmt.Errorf("recover %s: %w", f.name, err))
		} else if d.timeline != nil {
			d.timeline.Record(incident.Milestone{Kind: incident.FaultRecovered, Actor: "injector", Subject: f.name})
		}
	}
	if d.monitor != nil {
		if err := d.monitor.Close(); err != nil {
			errs = append(errs, err)
		}
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
	var err error
	if len(errs) > 0 {
		err = errors.Join(errs...)
		out.Error = err.Error()
	}
	if d.timeline != nil {
		out.Timeline = d.timeline.Entries()
		out.Verdict = d.verdict()
		out.Steps = stepLog(out.Timeline)
	}
	out.Status = statusOf(d.timeline != nil, out.Verdict, err)
	return out
}

// statusOf: a drill whose steps ran but missed an expectation or a target
// failed; one that could not run (no stack, a bad step) errored.
func statusOf(ran bool, v scorer.Verdict, err error) reports.Status {
	switch {
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
