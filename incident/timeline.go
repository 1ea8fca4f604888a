package incident

import (
	"slices"
	"sync"
	"time"
)

// Kind is what a milestone marks.
type Kind string

// Milestone kinds. Scoring reads FaultInjected (T0), AlertFiring (detected),
// Acknowledged, Diagnosed, Mitigated and Resolved; the rest tell the story.
const (
	FaultInjected  Kind = "fault_injected"
	FaultRecovered Kind = "fault_recovered"
	AlertPending   Kind = "alert_pending"
	AlertFiring    Kind = "alert_firing"
	AlertResolved  Kind = "alert_resolved"
	PageSent       Kind = "page_sent"
	Acknowledged   Kind = "acknowledged"
	Diagnosed      Kind = "diagnosed"
	Mitigated      Kind = "mitigated"
	Resolved       Kind = "resolved"
	StepStarted    Kind = "step_started"
	StepFinished   Kind = "step_finished"
	Note           Kind = "note"
)

// Game-day milestone kinds: what people do besides fixing the service,
// which the playbook's Monthly Incident Drill evaluates. Each carries the
// IncidentLabel of the incident it is about; the scorer credits only the
// drill's own.
const (
	// RolePaged: a role of the team was paged (labels RoleLabel,
	// PersonLabel; EscalatedLabel "true" when the page went to the
	// backup because the primary did not acknowledge in time).
	RolePaged Kind = "role_paged"
	// RoleAcknowledged: a person acknowledged a page for their role (labels
	// RoleLabel, PersonLabel).
	RoleAcknowledged Kind = "role_acknowledged"
	// SeverityDeclared: the incident commander declared the incident's
	// severity (Milestone.Severity; PersonLabel who). A later one
	// re-assesses it.
	SeverityDeclared Kind = "severity_declared"
	// UpdatePosted: an internal update (the playbook's Slack update) was
	// posted (PersonLabel who; StatusLabel its status; Detail its text).
	UpdatePosted Kind = "update_posted"
	// NoticePublished: a status-page notice was published (NoticeLabel:
	// NoticeInitial, NoticeUpdate or NoticeResolution; PersonLabel who;
	// Detail the notice as published).
	NoticePublished Kind = "notice_published"
	// PostmortemSubmitted: the post-mortem was submitted (PersonLabel who;
	// Detail the post-mortem's markdown). A later one revises it.
	PostmortemSubmitted Kind = "postmortem_submitted"
	// RoleAssigned: a person took or was given a role (RoleLabel,
	// PersonLabel; "by" who assigned it): taking IC is one.
	RoleAssigned Kind = "role_assigned"
)

// GameDayKinds are the game-day milestone kinds: one of the drill's
// incident makes a drill a game day for scoring.
var GameDayKinds = []Kind{RolePaged, RoleAcknowledged, RoleAssigned, SeverityDeclared, UpdatePosted, NoticePublished, PostmortemSubmitted}

// Labels of game-day milestones.
const (
	// RoleLabel is the role's key in the team (incident_commander, …).
	RoleLabel = "role"
	// PersonLabel is who was paged, or who acted.
	PersonLabel = "person"
	// EscalatedLabel is "true" on a RolePaged that went to the backup.
	EscalatedLabel = "escalated"
	// NoticeLabel is a status-page notice's kind.
	NoticeLabel = "notice"
	// StatusLabel is an internal update's status (UpdateStatuses).
	StatusLabel = "status"
)

// UpdateStatuses are the statuses of the playbook's internal (Slack)
// update, in the order an incident moves through them.
var UpdateStatuses = []string{"Investigating", "Identified", "Fixing", "Monitoring", "Resolved"}

// The playbook's status-page notices (Phase 5: Initial Notice, Update,
// Resolution).
const (
	NoticeInitial    = "initial"
	NoticeUpdate     = "update"
	NoticeResolution = "resolution"
)

// IncidentLabel is the label that names the incident a milestone belongs
// to (the pager's number, "1", "2", …). Pages, acknowledgements, playbook
// steps and resolutions carry it; scoring credits only the drill's own.
const IncidentLabel = "incident"

// ThinkLabel, on an Acknowledged milestone, is the responder's declared
// think time from page to ack (a Go duration: "3m0s"), the delay the drill
// itself set. A report never blames the acknowledgement for it.
const ThinkLabel = "think_time"

// Milestone is one entry of the timeline. It carries both clocks: Drill is
// drill time since the drill began, At the drill timestamp (what the TSDB
// and alert rules see), Wall when it really happened.
type Milestone struct {
	Kind  Kind          `json:"kind"`
	Drill time.Duration `json:"drill_ns"`
	At    time.Time     `json:"at"`
	Wall  time.Time     `json:"wall"`
	// Actor is who recorded it: "injector", "monitor", "pager", "responder:<name>".
	Actor string `json:"actor,omitempty"`
	// Subject is what it is about: a fault, an alert, a playbook step.
	Subject  string            `json:"subject,omitempty"`
	Severity Severity          `json:"severity,omitempty"`
	Labels   map[string]string `json:"labels,omitempty"`
	// Outcome is "ok" or "failed" for steps and the like; empty otherwise.
	Outcome string `json:"outcome,omitempty"`
	Detail  string `json:"detail,omitempty"`
	// Expr is the alert rule's PromQL expression, on alert_firing: what a
	// reader needs to see why a rule fired.
	Expr string `json:"expr,omitempty"`
}

// Timeline is the one record of a drill that every actor writes to. It is
// safe for concurrent use.
type Timeline struct {
	clock   *Clock
	mu      sync.Mutex
	entries []Milestone
	subs    []*subscriber
}

// subscriber is one Subscribe call; its pointer identifies it for the
// unsubscribe function.
type subscriber struct{ f func(Milestone) }

// NewTimeline returns an empty timeline that stamps entries from clock.
func NewTimeline(clock *Clock) *Timeline { return &Timeline{clock: clock} }

// Clock is the clock the timeline stamps with.
func (t *Timeline) Clock() *Clock { return t.clock }

// Record appends m, stamping Drill, At and Wall from the clock when they are
// zero (with only At given, Drill is derived from it, and the other way
// round), and returns the stored milestone. Subscribers see it after it is
// stored, outside the timeline's lock.
func (t *Timeline) Record(m Milestone) Milestone {
	switch {
	case m.Drill == 0 && m.At.IsZero():
		m.Drill = t.clock.Now()
		m.At = t.clock.At(m.Drill)
	case m.At.IsZero():
		m.At = t.clock.At(m.Drill)
	case m.Drill == 0:
		m.Drill = m.At.Sub(t.clock.Epoch())
	}
	if m.Wall.IsZero() {
		m.Wall = time.Now()
	}
	t.mu.Lock()
	t.entries = append(t.entries, m)
	subs := slices.Clone(t.subs)
	t.mu.Unlock()
	for _, s := range subs {
		s.f(m)
	}
	return m
}

// Subscribe calls f with every milestone recorded from now on, until the
// returned function is called: a watcher that goes away (a console's
// browser tab) stops being called. Unsubscribing twice is harmless; a
// milestone being delivered while it unsubscribes may still reach f.
func (t *Timeline) Subscribe(f func(Milestone)) (unsubscribe func()) {
	s := &subscriber{f: f}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.subs = append(t.subs, s)
	return func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.subs = slices.DeleteFunc(t.subs, func(o *subscriber) bool { return o == s })
	}
}

// Entries is a copy of the timeline, in the order recorded.
func (t *Timeline) Entries() []Milestone {
	t.mu.Lock()
	defer t.mu.Unlock()
	return slices.Clone(t.entries)
}

// First is the earliest milestone of kind that match accepts (nil accepts
// all).
func (t *Timeline) First(kind Kind, match func(Milestone) bool) (Milestone, bool) {
	for _, m := range t.Entries() {
		if m.Kind == kind && (match == nil || match(m)) {
			return m, true
		}
	}
	return Milestone{}, false
}
