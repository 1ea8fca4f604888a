package scenarios

// The game day: people on call (the team of firedrill.yaml, or one person)
// answer the drill through the console (responders/console) or the CLI.
// gameDrill is the running drill as the console sees it.

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/firedrill/firedrill/engine"
	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/injectors"
	"github.com/firedrill/firedrill/internal/wiring"
	"github.com/firedrill/firedrill/monitors"
	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/responders/console"
	"github.com/firedrill/firedrill/scorer"
)

// onCallRole is the one role of a drill whose on-call responder is a
// person: every severity pages it.
const onCallRole = "on_call"

// teamSpec is who the drill's people are: the team and escalation of
// firedrill.yaml, or one person on call paged at every severity.
func (d *Drill) teamSpec(rt *responders.Runtime) (responders.TeamSpec, error) {
	cfg := d.suite.opts.Config
	spec := wiring.TeamSpec(cfg)
	if d.person {
		spec.Roles = []responders.TeamRole{{Key: onCallRole, Title: cfg.Team.Title(onCallRole)}}
		spec.Pages = map[incident.Severity][]string{}
		for _, s := range []incident.Severity{incident.P1, incident.P2, incident.P3, incident.P4} {
			spec.Pages[s] = []string{onCallRole}
		}
	}
	for recv, roles := range d.receiverRoles {
		spec.Receivers[recv] = append(spec.Receivers[recv], roles...)
	}
	pbs, err := d.suite.loadPlaybooks()
	if err != nil {
		return spec, err
	}
	spec.Playbooks, spec.Runtime = pbs, rt
	return spec, nil
}

// AddReceiverRole makes a page routed to the Alertmanager receiver recv
// page role too, for this drill (firedrill.yaml's escalation.receivers
// does it for every drill).
func (d *Drill) AddReceiverRole(recv, role string) error {
	if err := d.errStarted("add a receiver's role"); err != nil {
		return err
	}
	if _, ok := d.suite.opts.Config.Team[role]; !ok {
		return fmt.Errorf("the receiver %q pages the role %q: the team has no such role", recv, role)
	}
	if d.receiverRoles == nil {
		d.receiverRoles = map[string][]string{}
	}
	d.receiverRoles[recv] = append(d.receiverRoles[recv], role)
	return nil
}

// targets are the drill's scoring targets: the run's, with the roles a
// lone person on call must answer being that person's.
func (d *Drill) targets() scorer.Targets {
	t := d.suite.targets
	if d.person {
		one := []string{onCallRole}
		t.GameDay.Roles = scorer.RoleTargets{P1: one, P2: one, P3: one, P4: one}
	}
	return t
}

// newTeam makes the drill's people and tells the run where they answer.
func (d *Drill) newTeam(rt *responders.Runtime, tl *incident.Timeline) (responders.Responder, error) {
	spec, err := d.teamSpec(rt)
	if err != nil {
		return nil, err
	}
	urls := d.suite.consoleURLs()
	d.team = responders.NewTeam("team", tl, spec, func(p responders.RolePage) {
		who := p.Person
		if who == "" {
			who = "nobody named"
		}
		backup := ""
		if p.Escalated {
			backup = ", backup"
		}
		d.suite.opts.Progress("  %s  PAGE incident %d: %s %s → %s (%s%s); answer at %s or with `firedrill ack`",
			engine.FmtDrill(p.At), p.Incident, p.Severity, p.Alert, p.Title, who, backup, urls.Responder)
	})
	d.suite.opts.Progress("  Prometheus %s, Alertmanager %s (PROMETHEUS_URL, ALERTMANAGER_URL for people's tools)", rt.PrometheusURL, rt.AlertmanagerURL)
	return d.team, nil
}

// hold keeps a resolved game day open for its post-mortem: P1 and P2
// need one (the playbook's Post-Mortem Completion target is 100 %), until
// it is submitted or the facilitator closes the game day.
func (d *Drill) hold() bool {
	if d.team == nil || d.game.closed() {
		return false
	}
	st := d.team.Status()
	sev, _ := incident.ParseSeverity(st.Severity)
	if sev != incident.P1 && sev != incident.P2 {
		return false
	}
	return !slices.Contains(st.Done, string(responders.Postmortem))
}

// gameDrill is a drill with people on call, as the console sees it.
type gameDrill struct {
	d *Drill

	mu     sync.Mutex
	abort  string
	closer bool
}

var _ console.Drill = (*gameDrill)(nil)

func (g *gameDrill) Name() string                 { return g.d.scenario.Name }
func (g *gameDrill) Team() *responders.Team       { return g.d.team }
func (g *gameDrill) Timeline() *incident.Timeline { return g.d.timeline }

// Board reads the stack's health from the drill's own metrics at the
// drill's latest tick: the probes, the error rate and p95 latency.
func (g *gameDrill) Board(ctx context.Context) console.Board {
	e := g.d.engine
	now := e.Clock().TickTime()
	at := e.Clock().At(now)
	b := console.Board{At: engine.FmtDrill(now)}
	for _, c := range []struct{ name, probe string }{
		{"app", monitors.ProbeAppHealth}, {"database", monitors.ProbePostgres}, {"redis", monitors.ProbeRedis},
	} {
		check := console.Check{Name: c.name, State: "unknown", Detail: "no probe result yet"}
		if v, ok := g.value(ctx, fmt.Sprintf(`max(probe_success{job="blackbox", probe=%q})`, c.probe), at); ok {
			check.State, check.Detail = "down", "probe failing"
			if v == 1 {
				check.State, check.Detail = "up", "probe passing"
			}
		}
		b.Checks = append(b.Checks, check)
	}
	if v, ok := g.value(ctx, `sum(rate(http_requests_total{job="app", code=~"5.."}[1m])) / sum(rate(http_requests_total{job="app"}[1m]))`, at); ok {
		b.ErrorRate = &v
	}
	if v, ok := g.value(ctx, `histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="app"}[1m])))`, at); ok {
		b.LatencyP95 = &v
	}
	return b
}

// value is expr's single value at at, if it has one.
func (g *gameDrill) value(ctx context.Context, expr string, at time.Time) (float64, bool) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	v, err := g.d.engine.Query(ctx, expr, at)
	if err != nil || len(v) == 0 || math.IsNaN(v[0].F) {
		return 0, false
	}
	return v[0].F, true
}

// Truth is the faults so far and the score as it stands.
func (g *gameDrill) Truth() console.Truth {
	t := console.Truth{Injectable: injectors.Names(), Faults: []console.Fault{}}
	for i, f := range g.d.engine.Faults() {
		t.Faults = append(t.Faults, console.Fault{Name: f.Name, Params: f.Params, At: engine.FmtDrill(f.At)})
		if i == 0 {
			t.T0 = engine.FmtDrill(f.At)
		}
	}
	if len(t.Faults) > 0 {
		v := scorer.Score(g.d.timeline.Entries(), g.d.targets())
		t.Verdict = &v
	}
	return t
}

// Inject injects another fault between two ticks; a fault that fails to
// inject is noted on the timeline (the drill goes on; its recovery still
// runs at the end).
func (g *gameDrill) Inject(name string, params map[string]string) error {
	if _, err := injectors.New(name, params); err != nil {
		return err
	}
	e, tl := g.d.engine, g.d.timeline
	e.Later(func(ctx context.Context) {
		if err := e.Inject(ctx, name, params); err != nil {
			tl.Record(incident.Milestone{Kind: incident.Note, Actor: "facilitator", Subject: "inject failed", Outcome: "failed", Detail: err.Error()})
		}
	})
	return nil
}

// Abort ends the drill at the next tick: its faults are recovered and it
// is reported aborted, not scored.
func (g *gameDrill) Abort(reason string) {
	g.mu.Lock()
	g.abort = "aborted by the facilitator"
	if reason != "" {
		g.abort += ": " + reason
	}
	g.mu.Unlock()
	g.d.engine.Stop()
}

// aborted is why the facilitator aborted the drill ("" if not).
func (g *gameDrill) aborted() string {
	if g == nil {
		return ""
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.abort
}

// Close ends the game day at the next tick, scored as it stands.
func (g *gameDrill) Close() {
	g.mu.Lock()
	g.closer = true
	g.mu.Unlock()
	g.d.engine.Stop()
}

func (g *gameDrill) closed() bool {
	if g == nil {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closer
}

// PostmortemDraft is the playbook's post-mortem filled in from what the
// responders have seen: no fault, no T0, no score (those are the
// facilitator's until the game day ends).
func (g *gameDrill) PostmortemDraft(seen []incident.Milestone) string {
	return reports.PostmortemDraft(reports.Drill{Feature: g.d.scenario.Uri, Scenario: g.d.scenario.Name, Started: g.d.started, Timeline: seen})
}
