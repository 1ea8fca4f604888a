package scenarios

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cucumber/godog"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/engine"
	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/injectors"
	"github.com/firedrill/firedrill/monitors"
	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/responders"
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
	// person: one person on call; teamOnCall: the team of firedrill.yaml.
	// Either way people answer (team) through the console (game).
	person     bool
	teamOnCall bool
	// receiverRoles are the roles a receiver pages in this drill, besides
	// firedrill.yaml's escalation.receivers.
	receiverRoles map[string][]string

	engine   *engine.Engine
	timeline *incident.Timeline
	oncall   *responders.OnCall
	team     *responders.Team
	game     *gameDrill

	// outcomes are how the scenario's Then steps ended, by pickle step ID.
	outcomes map[string]reports.Check

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
// configuration's rule files apply. A relative path not found from the
// working directory is read beside the scenario's feature file, as
// validation reads it (see resolvePath).
func (d *Drill) AddRuleFile(path string) error {
	if err := d.errStarted("add rule file"); err != nil {
		return err
	}
	path, err := resolvePath(d.scenario.Uri, "rule file", path)
	if err != nil {
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
// alertmanager.yml instead of the configuration's, found as AddRuleFile
// finds a rule file.
func (d *Drill) SetAlertmanagerConfig(path string) error {
	if err := d.errStarted("set the Alertmanager configuration"); err != nil {
		return err
	}
	path, err := resolvePath(d.scenario.Uri, "Alertmanager configuration", path)
	if err != nil {
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
	if err := d.errPeople("the on-call responder runs a playbook"); err != nil {
		return err
	}
	if _, err := d.suite.playbook(name); err != nil {
		return err
	}
	d.playbook = name
	return nil
}

// errPeople refuses a second answer to "who is on call".
func (d *Drill) errPeople(want string) error {
	var have string
	switch {
	case d.playbook != "":
		have = "the on-call responder runs playbook " + d.playbook
	case d.person:
		have = "the on-call responder is a person"
	case d.teamOnCall:
		have = "the team is on call"
	default:
		return nil
	}
	return fmt.Errorf("%s: this drill already says %s; choose one", want, have)
}

// SetPerson makes one person the on-call responder: pages are shown on
// the terminal and the person answers on the console or with `firedrill
// ack` / `resolve`.
func (d *Drill) SetPerson() error {
	return d.setPeople("the on-call responder is a person", &d.person)
}

// SetTeam makes the team of firedrill.yaml answer: each severity pages
// the roles its escalation names, and people answer on the console.
func (d *Drill) SetTeam() error {
	return d.setPeople("the team is on call", &d.teamOnCall)
}

func (d *Drill) setPeople(what string, flag *bool) error {
	if err := d.errStarted(what); err != nil {
		return err
	}
	if err := d.errPeople(what); err != nil {
		return err
	}
	// Serve the console now, before anything is injected: a taken address
	// stops the drill here, not after its fault.
	if err := d.suite.serveConsole(); err != nil {
		return err
	}
	*flag = true
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
	out, err := d.suite.drillOutDir(d.scenario)
	if err != nil {
		return fmt.Errorf("the drill's output directory: %w", err)
	}
	spec := engine.Spec{
		Config: cfg, Clock: d.suite.opts.Clock, RuleFiles: d.ruleFiles, Rate: d.rate,
		Warmup: d.suite.opts.Warmup, Progress: d.suite.opts.Progress, Decided: d.decided, OutDir: out,
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
	case d.person || d.teamOnCall:
		if err := d.suite.serveConsole(); err != nil {
			return err
		}
		spec.Responder, spec.Hold = d.newTeam, d.hold
		if d.suite.opts.Clock == incident.Compressed {
			d.suite.opts.Progress("  note: the clock is compressed, so the drill will not wait for people; game days run with --clock realtime (or --clock paced)")
		}
	}
	e, err := engine.Start(ctx, d.env, spec)
	d.engine, d.timeline = e, e.Timeline()
	if err != nil {
		return err
	}
	if d.team != nil {
		d.game = &gameDrill{d: d}
		d.suite.setGame(d.game)
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
	if err := d.engine.RunUntilResolved(ctx, limit); err != nil {
		return err
	}
	if why := d.game.aborted(); why != "" {
		return errors.New(why)
	}
	return nil
}
