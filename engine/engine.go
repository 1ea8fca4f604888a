package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/prometheus/promql"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/injectors"
	"github.com/firedrill/firedrill/internal/wiring"
	"github.com/firedrill/firedrill/monitors"
	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/stack"
)

// DefaultWarmup is the shortest warm-up: rate() windows need history
// before a fault.
const DefaultWarmup = time.Minute

// Spec is what a drill is made of before it starts.
type Spec struct {
	// Config gives traffic, monitoring (interval, rule files, routing,
	// severity labels).
	Config config.Config
	// Clock is the clock mode (compressed, paced, realtime); a paced
	// clock's pace is Config.Clock.Pace.
	Clock incident.Mode
	// RuleFiles replace the configuration's rule files when set.
	RuleFiles []string
	// Rate is the steady traffic, requests per second of drill time.
	Rate float64
	// Responder makes the drill's responder once the runtime exists; nil
	// (or a nil responder) means nobody answers.
	Responder func(rt *responders.Runtime, tl *incident.Timeline) (responders.Responder, error)
	// Warmup is the least drill time monitored before a fault; it is
	// stretched to the longest `for:` of the rules plus two ticks.
	Warmup time.Duration
	// Progress receives a line per milestone worth telling (nil: quiet).
	Progress func(format string, args ...any)
	// Hold keeps RunUntilResolved running after the incident resolved
	// while it returns true: a game day stays open for its post-mortem.
	Hold func() bool
	// Decided, asked after each tick once a fault is injected, says why
	// the drill's outcome can no longer change ("" while it can):
	// RunUntilResolved then stops early and records why. Nil: never.
	Decided func() string
	// OutDir is the drill's own directory in the run's output, where the
	// responder's steps keep what they collect (responders.Runtime.OutDir).
	OutDir string
}

// Engine is one drill, started.
type Engine struct {
	env  *stack.Env
	spec Spec

	clock    *incident.Clock
	timeline *incident.Timeline
	monitor  *monitors.Monitor
	pager    *responders.Pager
	apis     *apiServers
	faults   []fault
	// t0 is the drill time of the first fault (valid once faulted).
	t0 time.Duration
	// told counts the timeline entries progress has reported.
	told int

	// queued is work handed in from outside the tick loop (a facilitator's
	// fault), run by the loop between ticks: the engine's state is the
	// loop's alone.
	qmu sync.Mutex
	// fmu guards faults for Faults, read from outside the loop.
	fmu    sync.Mutex
	queued []func(context.Context)
	// faultLoad is the wall time the faults' own load took, by the drill
	// time of the tick it was sent after (tickFaults); tmu guards it, for
	// Ticks read from outside the loop.
	tmu       sync.Mutex
	faultLoad map[time.Duration]faultLoad
	// stop ends the run loop at the next tick boundary (Stop).
	stop atomic.Bool
	// checked is when the loop last asked whether the stack is gone;
	// gone is the answer that ended the drill.
	checked time.Time
	gone    error
}

// goneEvery is how often, in wall time, the tick loop asks the stack
// whether it is still there: a removed container looks like an outage to
// probes and scrapes, and only the provider can tell the two apart.
const goneEvery = time.Second

type fault struct {
	name   string
	inj    injectors.Injector
	params map[string]string
	at     time.Duration
}

// Start wires the drill on env; nothing ticks until Warmup or a run. On
// error the partial Engine is returned, so Close still releases what
// started.
func Start(ctx context.Context, env *stack.Env, spec Spec) (*Engine, error) {
	if spec.Progress == nil {
		spec.Progress = func(string, ...any) {}
	}
	if spec.Warmup <= 0 {
		spec.Warmup = DefaultWarmup
	}
	cfg := spec.Config
	e := &Engine{env: env, spec: spec}
	e.clock = incident.NewClock(spec.Clock, cfg.Monitoring.Interval.D(), time.Time{}, cfg.Clock.Options()...)
	e.timeline = incident.NewTimeline(e.clock)
	apis, err := listenAPIs()
	if err != nil {
		return e, err
	}
	e.apis = apis

	var responder responders.Responder
	if spec.Responder != nil {
		rt := responders.NewRuntime(env, e.clock, e)
		rt.PrometheusURL, rt.AlertmanagerURL, rt.OutDir = apis.promURL, apis.amURL, spec.OutDir
		r, err := spec.Responder(rt, e.timeline)
		if err != nil {
			return e, err
		}
		responder = r
	}
	routing, err := responders.LoadRouting(cfg.Monitoring.AlertmanagerConfig)
	if err != nil {
		return e, err
	}
	e.pager = responders.NewPager(e.timeline, responder, responders.WithRouting(routing))

	mcfg := wiring.MonitorConfig(cfg)
	mcfg.Traffic.Rate = spec.Rate
	if len(spec.RuleFiles) > 0 {
		mcfg.RuleFiles = spec.RuleFiles
	}
	mcfg.Sink = e.pager
	m, err := monitors.New(env, e.clock, e.timeline, mcfg)
	if err != nil {
		return e, err
	}
	e.monitor = m
	apis.serve(m.PrometheusAPI(), e.pager.AlertmanagerAPI())
	spec.Progress("  Prometheus API %s, Alertmanager API %s (drill time)", apis.promURL, apis.amURL)
	return e, nil
}

// PrometheusURL is where the drill serves Prometheus' HTTP API
// (/api/v1/query, query_range, alerts, rules, …) on its own samples and
// rules, at drill time, until Close.
func (e *Engine) PrometheusURL() string { return e.apis.promURL }

// AlertmanagerURL is where the drill serves Alertmanager's /api/v2/alerts:
// the alerts its pager holds, until Close.
func (e *Engine) AlertmanagerURL() string { return e.apis.amURL }

// Warmup monitors the healthy stack before any fault, so rate() windows
// have history and a rule that fires on a healthy stack shows itself
// first (pre-existing, never the drill's incident): Spec.Warmup, and at
// least the longest `for:` of the rules plus two ticks.
//
// Nobody acts during the warm-up, so a paced or realtime drill warms up on
// the compressed clock, in seconds, and runs on the wall clock from the
// end of the warm-up: people do not wait ten minutes for rules' history.
func (e *Engine) Warmup(ctx context.Context) error {
	warmup := max(e.spec.Warmup, e.monitor.LongestFor()+2*e.clock.Tick())
	mode, pace := e.clock.Mode(), e.clock.Pace()
	if mode != incident.Compressed {
		e.clock.Switch(incident.Compressed, 0)
		e.spec.Progress("  warming up %s of drill time on the compressed clock; the drill then runs %s", warmup, paceText(mode, pace))
		defer e.clock.Switch(mode, pace)
	}
	return e.run(ctx, func() bool { return e.clock.TickTime() >= warmup })
}

// paceText says how a paced clock runs, for people.
func paceText(mode incident.Mode, pace float64) string {
	if mode == incident.Realtime || pace == 1 {
		return "on the wall clock (realtime)"
	}
	return fmt.Sprintf("paced at ×%g of the wall clock", pace)
}

// Query answers PromQL from the drill's monitoring: the playbook runtime's
// querier (wait steps, diagnosis queries).
func (e *Engine) Query(ctx context.Context, expr string, at time.Time) (promql.Vector, error) {
	if e.monitor == nil {
		return nil, errors.New("query: monitoring has not started")
	}
	return e.monitor.Query(ctx, expr, at)
}

// Faults are the faults injected so far: name, parameters and drill time.
func (e *Engine) Faults() []Fault {
	e.fmu.Lock()
	defer e.fmu.Unlock()
	out := make([]Fault, 0, len(e.faults))
	for _, f := range e.faults {
		out = append(out, Fault{Name: f.name, Params: f.params, At: f.at})
	}
	return out
}

// Fault is one injected fault as Faults lists it.
type Fault struct {
	Name   string
	Params map[string]string
	At     time.Duration
}

// Inject injects a fault: T0 is recorded right before it acts. The first
// fault closes a false alarm's incident (the pager's FaultInjected).
func (e *Engine) Inject(ctx context.Context, name string, params map[string]string) error {
	inj, err := injectors.New(name, params)
	if err != nil {
		return err
	}
	if len(e.faults) == 0 {
		e.pager.FaultInjected(ctx)
		e.t0 = e.clock.Now()
	}
	e.fmu.Lock()
	e.faults = append(e.faults, fault{name: name, inj: inj, params: params, at: e.clock.Now()})
	e.fmu.Unlock()
	e.timeline.Record(incident.Milestone{Kind: incident.FaultInjected, Actor: "injector", Subject: name, Labels: params})
	e.spec.Progress("  %s  fault %s injected", e.when(e.clock.Now()), name)
	if err := inj.Inject(ctx, e.target(params)); err != nil {
		if gerr := e.checkGone(ctx); gerr != nil {
			return fmt.Errorf("inject %s: %w", name, gerr)
		}
		return fmt.Errorf("inject %s: %w", name, err)
	}
	return nil
}

// Gone is why the drill ended on a stack that disappeared under it
// (wrapping stack.ErrGone), nil otherwise.
func (e *Engine) Gone() error { return e.gone }

// Faulted says whether a fault was injected.
func (e *Engine) Faulted() bool { return len(e.faults) > 0 }

// Recover undoes every injected fault, newest first, even when ctx is
// cancelled (a Ctrl-C must not leave a fault behind), and records each.
// On a stack that is gone it tries briefly: what is left of the stack is
// about to be removed, and the run must end within seconds.
func (e *Engine) Recover(ctx context.Context) error {
	limit := 2 * time.Minute
	if e.gone != nil {
		limit = 10 * time.Second
	}
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), limit)
	defer cancel()
	var errs []error
	for i := len(e.faults) - 1; i >= 0; i-- {
		f := e.faults[i]
		if err := f.inj.Recover(cctx, e.target(f.params)); err != nil {
			errs = append(errs, fmt.Errorf("recover %s: %w", f.name, err))
			continue
		}
		e.timeline.Record(incident.Milestone{Kind: incident.FaultRecovered, Actor: "injector", Subject: f.name})
	}
	return errors.Join(errs...)
}

// Close stops the drill's APIs, then monitoring: nothing of the drill
// listens after it.
func (e *Engine) Close() error {
	var errs []error
	if e.apis != nil {
		errs = append(errs, e.apis.close())
	}
	if e.monitor != nil {
		errs = append(errs, e.monitor.Close())
	}
	return errors.Join(errs...)
}

// Ticks are the wall time of each tick so far, by part: the monitor's
// (traffic, scrapes, evaluation, and the pager and responder it calls) and
// the faults' own load sent for the tick.
func (e *Engine) Ticks() []reports.TickParts {
	if e.monitor == nil {
		return nil
	}
	var out []reports.TickParts
	timings := e.monitor.Timings()
	for i, t := range timings {
		respond := t.Total - t.Traffic - t.Scrape - t.Evaluate
		var fault faultLoad
		if i > 0 {
			fault = e.faultLoadAfter(timings[i-1].Drill)
		}
		p := reports.TickParts{Traffic: t.Traffic, Scrape: t.Scrape, Evaluate: t.Evaluate, Respond: max(respond, 0),
			Fault: fault.wall, Total: t.Total + fault.wall, Floor: t.Floor + fault.floor, FloorBy: t.FloorBy}
		if fault.floor > t.Floor {
			p.FloorBy = "the fault's own load (the stack's CPU)"
		}
		out = append(out, p)
	}
	return out
}

// Timeline is the drill's record.
func (e *Engine) Timeline() *incident.Timeline { return e.timeline }

// Clock is the drill clock.
func (e *Engine) Clock() *incident.Clock { return e.clock }

// Pager is the drill's Alertmanager and incident.
func (e *Engine) Pager() *responders.Pager { return e.pager }

// Monitor is the drill's monitoring.
func (e *Engine) Monitor() *monitors.Monitor { return e.monitor }

// report prints the milestones recorded since the last report.
func (e *Engine) report() {
	all := e.timeline.Entries()
	for _, m := range all[e.told:] {
		switch m.Kind {
		case incident.AlertFiring, incident.AlertResolved, incident.PageSent, incident.Acknowledged,
			incident.Diagnosed, incident.Mitigated, incident.Resolved:
			e.spec.Progress("  %s  %-14s %s %s", e.when(m.Drill), m.Kind, m.Subject, sevText(m.Severity))
		case incident.StepFinished:
			e.spec.Progress("  %s  step %-9s %s", e.when(m.Drill), m.Outcome, m.Subject)
		}
	}
	e.told = len(all)
}

// when is a drill time as progress prints it: from the drill's start, and
// from T0 once a fault was injected ("T+11:45 (T0+01:15)"), since the
// scores count from T0.
func (e *Engine) when(d time.Duration) string {
	if !e.Faulted() || d < e.t0 {
		return FmtDrill(d)
	}
	rel := (d - e.t0).Round(time.Second)
	return fmt.Sprintf("%s (T0+%02d:%02d)", FmtDrill(d), int(rel.Minutes()), int(rel.Seconds())%60)
}

func sevText(s incident.Severity) string {
	if s == incident.SeverityUnknown {
		return ""
	}
	return "(" + s.String() + ")"
}

// FmtDrill is a drill time as progress lines print it: T+mm:ss.
func FmtDrill(d time.Duration) string {
	d = d.Round(time.Second)
	return fmt.Sprintf("T+%02d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}
