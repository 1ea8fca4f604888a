package responders

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/firedrill/firedrill/incident"
)

// teamRun is a playbook (or one step of it) a person started from the
// console: it runs against the stack on drill ticks like the automated
// on-call's, its milestones signed by the team and the person.
type teamRun struct {
	name   string
	step   int
	person string
	run    *Run

	mu    sync.Mutex
	state string // running, done, failed
	err   error
}

// RunStatus is one playbook run as a console shows it.
type RunStatus struct {
	Playbook string `json:"playbook"`
	// Step is the step run alone (1-based); 0: the whole playbook.
	Step   int    `json:"step,omitempty"`
	Person string `json:"person,omitempty"`
	// State is running, done or failed.
	State string `json:"state"`
	Error string `json:"error,omitempty"`
}

// startRun prepares a run of a.Playbook for the next ticks. A single step
// runs as a playbook of that step.
func (t *Team) startRun(now time.Duration, a TeamAction) *teamRun {
	pb := t.spec.Playbooks[a.Playbook]
	what := "playbook " + pb.Name
	if a.Step > 0 {
		one := *pb
		one.Steps = []*StepSpec{pb.Steps[a.Step-1]}
		pb = &one
		what = fmt.Sprintf("step %d (%s) of playbook %s", a.Step, one.Steps[0].Name, a.Playbook)
	}
	labels := t.labels(a.Person)
	m := incident.Milestone{Kind: incident.Note, Drill: now, Actor: t.Actor(), Subject: "ran " + what, Labels: labels, Detail: a.Note}
	t.tl.Record(m)
	run := NewRun(pb, t.spec.Runtime, t.tl, t.Actor(), t.labels(a.Person))
	return &teamRun{name: a.Playbook, step: a.Step, person: a.Person, run: run, state: "running"}
}

// tick moves the run as far as it goes this tick.
func (r *teamRun) tick(ctx context.Context) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.state != "running" {
		return
	}
	done, err := r.run.Tick(ctx)
	switch {
	case err != nil && ctx.Err() == nil:
		r.state, r.err = "failed", err
	case done:
		r.state = "done"
	}
}

func (r *teamRun) status() RunStatus {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := RunStatus{Playbook: r.name, Step: r.step, Person: r.person, State: r.state}
	if r.err != nil {
		s.Error = r.err.Error()
	}
	return s
}

// PlaybookInfo is a playbook as a console offers it: its steps by name.
type PlaybookInfo struct {
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Steps       []string `json:"steps"`
}

// Playbooks are the playbooks the team may run, by name.
func (t *Team) Playbooks() []PlaybookInfo {
	var out []PlaybookInfo
	for _, n := range t.playbookNames() {
		pb := t.spec.Playbooks[n]
		info := PlaybookInfo{Name: n, Description: pb.Description, Steps: []string{}}
		for i, s := range pb.Steps {
			info.Steps = append(info.Steps, strconv.Itoa(i+1)+". "+s.Name+" ("+string(s.Phase)+")")
		}
		out = append(out, info)
	}
	return out
}
