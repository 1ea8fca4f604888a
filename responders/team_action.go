package responders

import (
	"errors"
	"fmt"
	"time"

	"github.com/firedrill/firedrill/incident"
)

// Action is what a person on call reports during a game day.
type Action string

// A person on call's actions, in the order an incident usually sees them.
// Resolve is the person's word that they verified the service: the pager
// resolves the incident once, in addition, its alerts have resolved.
const (
	Ack       Action = "ack"
	Diagnosed Action = "diagnosed"
	Mitigated Action = "mitigated"
	Resolve   Action = "resolve"
)

// ParseAction reads a person on call's action's name.
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

// markMilestone is the milestone of a diagnosis, a mitigation or a
// verification by who (labels: the incident's; "by" who).
func markMilestone(a Action, now time.Duration, actor, who, note string, labels map[string]string) incident.Milestone {
	m := incident.Milestone{Drill: now, Actor: actor, Labels: labels, Detail: note}
	if who != "" {
		m.Labels = map[string]string{incident.IncidentLabel: labels[incident.IncidentLabel], "by": who}
	}
	switch a {
	case Diagnosed:
		m.Kind, m.Subject = incident.Diagnosed, "diagnosed by a person"
	case Mitigated:
		m.Kind, m.Subject = incident.Mitigated, "mitigated by a person"
	case Resolve:
		m.Kind, m.Subject, m.Outcome = incident.Note, VerificationPassed, "ok"
	}
	return m
}
