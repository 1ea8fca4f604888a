package responders

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/firedrill/firedrill/incident"
)

// OnCall is the automated on-call responder: paged, it "thinks" for a
// declared drill time, acknowledges, and runs its playbook. Everything
// happens in Tick, on drill time: the think time costs ticks, not wall
// time, and the playbook's real work moves the drill clock.
type OnCall struct {
	name  string
	pb    *Playbook
	think time.Duration
	rt    *Runtime
	tl    *incident.Timeline

	mu       sync.Mutex
	incident int // the incident being answered; 0 before any page
	pagedAt  time.Duration
	acked    bool
	run      *Run
	err      error
}

// NewOnCall answers pages with pb after think (drill time) from the first
// page of an incident to its acknowledgement. name signs its milestones as
// "responder:<name>".
func NewOnCall(name string, pb *Playbook, think time.Duration, rt *Runtime, tl *incident.Timeline) *OnCall {
	return &OnCall{name: name, pb: pb, think: think, rt: rt, tl: tl}
}

// Actor is how the responder signs its milestones.
func (o *OnCall) Actor() string { return "responder:" + o.name }

// Page notes the page; a page of a new incident starts the answer over,
// a later page of the same incident (severity raised) changes nothing.
func (o *OnCall) Page(_ context.Context, p Page) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if p.Incident == o.incident {
		return nil
	}
	o.incident, o.pagedAt, o.acked, o.run, o.err = p.Incident, p.Drill, false, nil, nil
	return nil
}

// Closed stops answering incident: the pager closed it (a false alarm open
// at the fault). Its playbook stops where it is; the next page starts over.
func (o *OnCall) Closed(_ context.Context, n int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if n != o.incident {
		return
	}
	if o.acked {
		o.tl.Record(incident.Milestone{Kind: incident.Note, Actor: o.Actor(), Subject: "stopped answering a closed incident",
			Labels: map[string]string{incident.IncidentLabel: strconv.Itoa(n)},
			Detail: "the pager closed incident " + strconv.Itoa(n) + " at the fault; playbook " + o.pb.Name + " stopped"})
	}
	o.incident, o.acked, o.run, o.err = 0, false, nil, nil
}

// Tick acknowledges once the think time has passed in drill time, then runs
// the playbook as far as it goes this tick. It returns the playbook's error
// once, on the tick where a step failed and stopped it.
func (o *OnCall) Tick(ctx context.Context, now time.Duration) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.incident == 0 || o.err != nil {
		return nil
	}
	labels := map[string]string{incident.IncidentLabel: strconv.Itoa(o.incident)}
	if !o.acked {
		if now < o.pagedAt+o.think {
			return nil
		}
		o.acked = true
		acked := map[string]string{incident.IncidentLabel: labels[incident.IncidentLabel], incident.ThinkLabel: o.think.String()}
		o.tl.Record(incident.Milestone{Kind: incident.Acknowledged, Actor: o.Actor(), Subject: o.pb.Name,
			Labels: acked, Detail: "running playbook " + o.pb.Name})
		o.run = NewRun(o.pb, o.rt, o.tl, o.Actor(), labels)
	}
	if done, _ := o.run.Done(); done {
		return nil
	}
	_, err := o.run.Tick(ctx)
	if err != nil && ctx.Err() == nil {
		o.err = err
		return err
	}
	return nil
}

// State says whether the responder acknowledged, whether its playbook's
// verification passed, and the playbook's error.
func (o *OnCall) State() (acked, verified bool, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.run != nil {
		verified = o.run.Verified()
	}
	return o.acked, verified, o.err
}
