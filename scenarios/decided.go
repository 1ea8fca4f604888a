package scenarios

import (
	"time"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/scorer"
)

// A drill whose outcome is decided stops early: every Then step of its
// scenario is settled (Step.Settled: its verdict can no longer change) and
// so is its score (scorer.Settled: every criterion measured, past the
// point where it earns credit, or waiting for an answer nobody can give).
// Running on could change nothing in its report but its wall time; the
// timeline says where and why it stopped. A scenario with a Then step
// that cannot be settled early (a "does not fire", "no data is lost") runs
// to its end, as does a drill with people, who may act at any time, and
// one tagged @run-to-limit (or every drill with `run --no-early-stop`).

// RunToLimitTag keeps a scenario running to its resolution or time limit.
const RunToLimitTag = "@run-to-limit"

// decided is why the drill can stop now, "" while it cannot.
func (d *Drill) decided() string {
	if d.person || d.teamOnCall || d.suite.opts.NoEarlyStop {
		return ""
	}
	for _, t := range d.scenario.Tags {
		if t.Name == RunToLimitTag {
			return ""
		}
	}
	for _, st := range d.scenario.Steps {
		if !isThen(st) {
			continue
		}
		m := matchStep(st.Text, nil)
		if m.step == nil || m.err != nil || m.step.Settled == nil || !m.step.Settled(d, m.args) {
			return ""
		}
	}
	if !d.scoreSettled() {
		return ""
	}
	if d.nobody() {
		return "its outcome is decided: every Then step's verdict and every criterion's credit is final, and nobody is on call to acknowledge or resolve"
	}
	return "its outcome is decided: every Then step's verdict and every criterion's credit is final"
}

// nobody says no responder is on call: no playbook, no person, no team.
// Nothing then acknowledges, diagnoses, mitigates or resolves.
func (d *Drill) nobody() bool { return d.playbook == "" && !d.person && !d.teamOnCall }

// now is the drill time of the last tick.
func (d *Drill) now() time.Duration { return d.engine.Clock().TickTime() }

// past says more than limit of drill time has passed since T0: a "within
// limit" verdict is final.
func (d *Drill) past(limit time.Duration) bool {
	_, faulted := d.timeline.First(incident.FaultInjected, nil)
	return faulted && d.now()-d.t0() > limit
}

// firedSince says the alert fired after T0: "fires within" is final.
func (d *Drill) firedSince(alert string) bool {
	t0 := d.t0()
	_, ok := d.timeline.First(incident.AlertFiring, func(m incident.Milestone) bool { return m.Subject == alert && m.Drill >= t0 })
	return ok
}

// answeredSettled: a responder's milestone came, or cannot come in time.
func (d *Drill) answeredSettled(kind incident.Kind, limit time.Duration) bool {
	t0 := d.t0()
	_, came := d.timeline.First(kind, func(m incident.Milestone) bool { return m.Drill >= t0 })
	return came || d.nobody() || d.past(limit)
}

// answeredMeasure says MTTA and MTTR end at a responder's milestone.
func answeredMeasure(which string) bool { return which == "MTTA" || which == "MTTR" }

// mttxSettled: the measure is taken (it does not move), or only a
// responder could take it and nobody can, or limit has passed since where
// it starts without it.
func (d *Drill) mttxSettled(which string, limit time.Duration) bool {
	v := d.verdict()
	if measureOf(v, which).Present || (d.nobody() && answeredMeasure(which)) {
		return true
	}
	from := v.Marks.T0
	if which == "MTTA" {
		from = v.Marks.Detected
	}
	at, ok := from.Get()
	return ok && d.now()-at > limit
}

// scoreSettled: no criterion's credit can change.
func (d *Drill) scoreSettled() bool {
	return scorer.Settled(d.timeline.Entries(), d.targets(), d.now(), d.nobody())
}
