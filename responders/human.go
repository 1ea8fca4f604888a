package responders

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/firedrill/firedrill/incident"
)

// Action is what a person on call reports during a game day.
type Action string

// The actions, in the order an incident usually sees them. Resolve is the
// person's word that they verified the service: the pager resolves the
// incident once, in addition, its alerts have resolved.
const (
	Ack       Action = "ack"
	Diagnosed Action = "diagnosed"
	Mitigated Action = "mitigated"
	Resolve   Action = "resolve"
)

// ParseAction reads an action's name.
func ParseAction(s string) (Action, error) {
	switch a := Action(s); a {
	case Ack, Diagnosed, Mitigated, Resolve:
		return a, nil
	}
	return "", fmt.Errorf("parse action %q: want ack, diagnosed, mitigated or resolve", s)
}

// ErrNotPaged means an action came before any page: there is nothing to
// acknowledge yet.
var ErrNotPaged = errors.New("no incident has been paged yet")

// Human is a person on call during a game day. Pages are shown through
// notify; the person answers with `firedrill ack`, `firedrill resolve` or
// the web page (HumanHandler), which call Do. An answer takes effect at the
// next tick, stamped with that tick's drill time, like everything the pager
// sees. An action the person skipped is implied by a later one: resolving
// an incident never acknowledged acknowledges it first.
type Human struct {
	name   string
	tl     *incident.Timeline
	notify func(Page)

	mu       sync.Mutex
	incident int
	page     Page
	pending  []humanAction
	done     map[Action]bool
}

type humanAction struct {
	action Action
	who    string
	note   string
}

// NewHuman returns a person on call; notify (may be nil) shows them pages.
func NewHuman(name string, tl *incident.Timeline, notify func(Page)) *Human {
	if notify == nil {
		notify = func(Page) {}
	}
	return &Human{name: name, tl: tl, notify: notify, done: map[Action]bool{}}
}

// Actor is how the responder signs its milestones.
func (h *Human) Actor() string { return "responder:" + h.name }

// Page shows the page to the person. A new incident starts over.
func (h *Human) Page(_ context.Context, p Page) error {
	h.mu.Lock()
	if p.Incident != h.incident {
		h.incident, h.pending, h.done = p.Incident, nil, map[Action]bool{}
	}
	h.page = p
	h.mu.Unlock()
	h.notify(p)
	return nil
}

// Closed drops incident if it is the one the person was paged for: the
// pager closed it at the fault, so answers to it would be credited to
// nothing. Until the next page, an action is refused (ErrNotPaged).
func (h *Human) Closed(_ context.Context, n int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if n != h.incident {
		return
	}
	h.incident, h.page, h.pending, h.done = 0, Page{}, nil, map[Action]bool{}
}

// Do queues the person's action for the next tick. who names the person
// (for the timeline); note is free text.
func (h *Human) Do(a Action, who, note string) error {
	if _, err := ParseAction(string(a)); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.incident == 0 {
		return ErrNotPaged
	}
	h.pending = append(h.pending, humanAction{action: a, who: who, note: note})
	return nil
}

// HumanStatus is what the person sees of the incident.
type HumanStatus struct {
	Paged    bool            `json:"paged"`
	Incident int             `json:"incident,omitempty"`
	Alert    string          `json:"alert,omitempty"`
	Severity string          `json:"severity,omitempty"`
	Alerts   []string        `json:"alerts,omitempty"`
	PagedAt  string          `json:"paged_at,omitempty"`
	Done     map[string]bool `json:"done"`
	Pending  int             `json:"pending"`
}

// Status is the incident as the person sees it.
func (h *Human) Status() HumanStatus {
	h.mu.Lock()
	defer h.mu.Unlock()
	s := HumanStatus{Paged: h.incident != 0, Done: map[string]bool{}, Pending: len(h.pending)}
	for k, v := range h.done {
		s.Done[string(k)] = v
	}
	if s.Paged {
		s.Incident, s.Alert, s.Severity, s.Alerts = h.page.Incident, h.page.Alert, h.page.Severity.String(), h.page.Alerts
		s.PagedAt = "T+" + h.page.Drill.String()
	}
	return s
}

// Tick records the actions that arrived since the last tick.
func (h *Human) Tick(_ context.Context, now time.Duration) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	labels := map[string]string{incident.IncidentLabel: strconv.Itoa(h.incident)}
	for _, a := range h.pending {
		if a.action != Ack && !h.done[Ack] {
			h.done[Ack] = true
			h.tl.Record(humanMilestone(Ack, now, h.Actor(), a, labels))
		}
		if !h.done[a.action] {
			h.done[a.action] = true
			h.tl.Record(humanMilestone(a.action, now, h.Actor(), a, labels))
		}
	}
	h.pending = nil
	return nil
}

func humanMilestone(a Action, now time.Duration, actor string, by humanAction, labels map[string]string) incident.Milestone {
	m := incident.Milestone{Drill: now, Actor: actor, Labels: labels, Detail: by.note}
	if by.who != "" {
		m.Labels = map[string]string{incident.IncidentLabel: labels[incident.IncidentLabel], "by": by.who}
	}
	switch a {
	case Ack:
		m.Kind, m.Subject = incident.Acknowledged, "acknowledged by a person"
	case Diagnosed:
		m.Kind, m.Subject = incident.Diagnosed, "diagnosed by a person"
	case Mitigated:
		m.Kind, m.Subject = incident.Mitigated, "mitigated by a person"
	case Resolve:
		m.Kind, m.Subject, m.Outcome = incident.Note, VerificationPassed, "ok"
	}
	return m
}
