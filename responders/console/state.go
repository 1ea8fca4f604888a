package console

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/responders"
)

// State is the responder view: everything the people on call may see.
// Between drills only Running (false) is set.
type State struct {
	Drill   string `json:"drill,omitempty"`
	Running bool   `json:"running"`
	// Now is the drill time the state was read ("T+12m30s").
	Now       string                    `json:"now,omitempty"`
	Team      *responders.TeamStatus    `json:"team,omitempty"`
	Board     *Board                    `json:"board,omitempty"`
	Alerts    []Alert                   `json:"alerts,omitempty"`
	Timeline  []Entry                   `json:"timeline,omitempty"`
	Comms     []Comm                    `json:"comms,omitempty"`
	Playbooks []responders.PlaybookInfo `json:"playbooks,omitempty"`
	Drafts    *Drafts                   `json:"drafts,omitempty"`
	// Statuses are the internal update's statuses, in order.
	Statuses []string `json:"statuses,omitempty"`
}

// FacilitatorState is the responder view plus the ground truth and the
// whole timeline (the fault's milestones included).
type FacilitatorState struct {
	State
	Truth        *Truth  `json:"truth,omitempty"`
	FullTimeline []Entry `json:"full_timeline,omitempty"`
}

// Entry is one milestone as a view shows it.
type Entry struct {
	At      string `json:"at"`
	Kind    string `json:"kind"`
	Who     string `json:"who,omitempty"`
	Subject string `json:"subject,omitempty"`
	Detail  string `json:"detail,omitempty"`
	// Severity is "P1".."P4", or empty when the milestone has none.
	Severity string `json:"severity,omitempty"`
	Outcome  string `json:"outcome,omitempty"`
}

// Alert is one alert firing now, with what its rule says about it.
type Alert struct {
	Name     string            `json:"name"`
	Severity string            `json:"severity,omitempty"`
	Since    string            `json:"since"`
	Summary  string            `json:"summary,omitempty"`
	Labels   map[string]string `json:"labels,omitempty"`
}

// Comm is one internal update or status-page notice, as posted.
type Comm struct {
	At string `json:"at"`
	// Kind is "update" or "notice"; Status the update's status or the
	// notice's kind (initial, update, resolution).
	Kind   string `json:"kind"`
	Status string `json:"status"`
	Who    string `json:"who,omitempty"`
	Text   string `json:"text,omitempty"`
}

// Drafts are what the forms start from: the playbook's templates filled
// in with the incident's data.
type Drafts struct {
	Update string `json:"update"`
	// Notices by kind: initial, update, resolution.
	Notices    map[string]string `json:"notices"`
	Postmortem string            `json:"postmortem"`
}

// FacilitatorActor signs the facilitator's inject notes.
const FacilitatorActor = "facilitator"

// visible says whether responders may see m: never the fault (its
// milestones, the injector's, the pager's notes that date it).
func visible(m incident.Milestone) bool {
	switch {
	case m.Kind == incident.FaultInjected, m.Kind == incident.FaultRecovered, m.Actor == "injector":
		return false
	case m.Actor == responders.PagerActor && m.Kind == incident.Note && (m.Subject == responders.PreExisting || strings.Contains(m.Subject, "fault")):
		return false
	}
	return true
}

// state reads the responder view of d (nil: no drill).
func state(ctx context.Context, d Drill) State {
	if d == nil {
		return State{}
	}
	team, entries := roundTimes(d.Team().Status()), d.Timeline().Entries()
	board := d.Board(ctx)
	s := State{Drill: d.Name(), Running: true, Now: at(d.Timeline().Clock().Now()), Team: &team, Board: &board,
		Playbooks: d.Team().Playbooks(), Statuses: incident.UpdateStatuses, Timeline: []Entry{}, Comms: []Comm{}, Alerts: []Alert{}}
	if s.Playbooks == nil {
		s.Playbooks = []responders.PlaybookInfo{}
	}
	var shown []incident.Milestone
	for _, m := range entries {
		if visible(m) {
			shown = append(shown, m)
			s.Timeline = append(s.Timeline, entry(m))
		}
	}
	s.Alerts = firing(shown)
	s.Comms = comms(shown)
	s.Drafts = drafts(team, s.Alerts, shown, d.PostmortemDraft(shown))
	return s
}

// facilitatorState reads the facilitator view of d.
func facilitatorState(ctx context.Context, d Drill) FacilitatorState {
	f := FacilitatorState{State: state(ctx, d)}
	if d == nil {
		return f
	}
	t := d.Truth()
	if t.Faults == nil {
		t.Faults = []Fault{}
	}
	f.Truth = &t
	f.FullTimeline = []Entry{}
	for _, m := range d.Timeline().Entries() {
		e := entry(m)
		if !visible(m) {
			e.Who = cmp.Or(e.Who, m.Actor)
		}
		f.FullTimeline = append(f.FullTimeline, e)
	}
	return f
}

func at(d time.Duration) string { return "T+" + d.Round(time.Second).String() }

// roundTimes shows the team's drill times to the second, like the
// timeline's.
func roundTimes(s responders.TeamStatus) responders.TeamStatus {
	round := func(v *string) {
		if d, err := time.ParseDuration(strings.TrimPrefix(*v, "T+")); err == nil && strings.HasPrefix(*v, "T+") {
			*v = at(d)
		}
	}
	round(&s.PagedAt)
	for _, rs := range [][]responders.RoleStatus{s.Roles, s.Team} {
		for i := range rs {
			round(&rs[i].PagedAt)
			round(&rs[i].AckedAt)
		}
	}
	return s
}

// entry is m as a timeline row: who is the person (or whoever assigned or
// acknowledged), else the actor.
func entry(m incident.Milestone) Entry {
	e := Entry{At: at(m.Drill), Kind: string(m.Kind), Who: who(m), Subject: m.Subject, Detail: m.Detail, Outcome: m.Outcome}
	if m.Severity != incident.SeverityUnknown {
		e.Severity = m.Severity.String()
	}
	return e
}

func who(m incident.Milestone) string {
	return cmp.Or(m.Labels[incident.PersonLabel], m.Labels["by"], m.Actor)
}

// firing are the alerts firing now, in the order they fired: the latest
// firing or resolved milestone of each alert (name and labels) decides.
func firing(ms []incident.Milestone) []Alert {
	type state struct {
		alert  Alert
		firing bool
		order  int
	}
	byKey := map[string]*state{}
	for i, m := range ms {
		if m.Kind != incident.AlertFiring && m.Kind != incident.AlertResolved {
			continue
		}
		key := m.Subject + "\x00" + labelKey(m.Labels)
		st := byKey[key]
		if st == nil {
			st = &state{}
			byKey[key] = st
		}
		if m.Kind == incident.AlertResolved {
			st.firing = false
			continue
		}
		if !st.firing {
			st.firing, st.order = true, i
			st.alert = Alert{Name: m.Subject, Since: at(m.Drill), Summary: m.Detail, Labels: m.Labels}
			if m.Severity != incident.SeverityUnknown {
				st.alert.Severity = m.Severity.String()
			}
		}
	}
	var live []*state
	for _, st := range byKey {
		if st.firing {
			live = append(live, st)
		}
	}
	slices.SortFunc(live, func(a, b *state) int { return a.order - b.order })
	out := []Alert{}
	for _, st := range live {
		out = append(out, st.alert)
	}
	return out
}

func labelKey(l map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(l)) {
		fmt.Fprintf(&b, "%s=%q,", k, l[k])
	}
	return b.String()
}

// comms are the updates and notices in the order posted.
func comms(ms []incident.Milestone) []Comm {
	out := []Comm{}
	for _, m := range ms {
		switch m.Kind {
		case incident.UpdatePosted:
			out = append(out, Comm{At: at(m.Drill), Kind: "update", Status: m.Labels[incident.StatusLabel], Who: m.Labels[incident.PersonLabel], Text: m.Detail})
		case incident.NoticePublished:
			out = append(out, Comm{At: at(m.Drill), Kind: "notice", Status: m.Labels[incident.NoticeLabel], Who: m.Labels[incident.PersonLabel], Text: m.Detail})
		}
	}
	return out
}
