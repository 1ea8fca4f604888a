package responders

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/firedrill/firedrill/incident"
)

// The team's own actions during a game day, besides a person on call's
// (Ack, Diagnosed, Mitigated, Resolve): what the playbook's evaluation
// criteria look for.
const (
	// Declare declares the incident's severity (TeamAction.Severity).
	Declare Action = "declare"
	// Update posts an internal update (the playbook's Slack update).
	Update Action = "update"
	// Notice publishes a status-page notice (TeamAction.Notice).
	Notice Action = "notice"
	// Postmortem submits the post-mortem.
	Postmortem Action = "postmortem"
)

// ParseTeamAction reads a team action's name: a person on call's actions
// and the team's own.
func ParseTeamAction(s string) (Action, error) {
	switch a := Action(s); a {
	case Ack, Diagnosed, Mitigated, Resolve, Declare, Update, Notice, Postmortem:
		return a, nil
	}
	return "", fmt.Errorf("parse team action %q: want ack, declare, update, notice, diagnosed, mitigated, resolve or postmortem", s)
}

// Errors of Team.Do, for callers that branch on them (a console answers
// 404 to an unknown role, 409 to a role not paged).
var (
	ErrUnknownRole  = errors.New("unknown role")
	ErrRoleNotPaged = errors.New("role was not paged")
)

// TeamRole is one role of the team: its key (as escalation names it), how
// people name it, who is paged first and who stands in.
type TeamRole struct {
	Key, Title, Primary, Backup string
}

// TeamSpec is who a game day pages and when: firedrill.yaml's team and
// escalation (internal/wiring builds it from the configuration).
type TeamSpec struct {
	Roles []TeamRole
	// Pages are the role keys each severity pages, in paging order ("all
	// hands" already spelt out).
	Pages map[incident.Severity][]string
	// AckTimeout is the drill time a page waits for its acknowledgement
	// before the role's backup is paged.
	AckTimeout time.Duration
}

// RolePage is one page to one person: what a console or a terminal shows.
type RolePage struct {
	Page
	Role, Title, Person string
	// Escalated: the primary did not acknowledge within the ack timeout,
	// so this page goes to the backup.
	Escalated bool
}

// TeamAction is one thing a member of the team reports.
type TeamAction struct {
	Action Action
	// Role is the role acknowledged (Ack); optional otherwise.
	Role string
	// Person is who acts; on an Ack it defaults to the person the role's
	// latest page went to.
	Person string
	// Severity is the declared severity (Declare).
	Severity incident.Severity
	// Notice is the status-page notice's kind (Notice): incident.NoticeInitial,
	// NoticeUpdate or NoticeResolution.
	Notice string
	Note   string
}

// Team is the people of a game day. When an incident pages with severity
// S, it pages each role the escalation says S needs (RolePaged, to the
// primary), and when a role has not acknowledged after AckTimeout of drill
// time it pages the role's backup (RolePaged with EscalatedLabel). A severity
// that rises pages the roles the new one adds. People answer through Do:
// acknowledgements per role, the severity they declare, updates, notices,
// diagnosis, mitigation, verification, the post-mortem. Like Human, an
// answer takes effect at the next tick, stamped with its drill time; the
// first role to acknowledge acknowledges the incident (MTTA), and a
// diagnosis, mitigation or verification before any acknowledgement implies
// one.
type Team struct {
	name   string
	tl     *incident.Timeline
	spec   TeamSpec
	byKey  map[string]TeamRole
	notify func(RolePage)

	mu       sync.Mutex
	incident int
	page     Page
	roles    map[string]*roleState
	order    []string // roles in the order paged
	pending  []TeamAction
	done     map[Action]bool
}

// roleState is one role's pages and acknowledgement for the incident.
type roleState struct {
	pagedAt   time.Duration
	person    string
	escalated bool
	acked     bool
	ackedBy   string
	ackedAt   time.Duration
}

// NewTeam returns the team of a game day; notify (may be nil) shows each
// person their page.
func NewTeam(name string, tl *incident.Timeline, spec TeamSpec, notify func(RolePage)) *Team {
	if notify == nil {
		notify = func(RolePage) {}
	}
	byKey := map[string]TeamRole{}
	for _, r := range spec.Roles {
		byKey[r.Key] = r
	}
	return &Team{name: name, tl: tl, spec: spec, byKey: byKey, notify: notify, roles: map[string]*roleState{}, done: map[Action]bool{}}
}

// Actor is how the team signs its milestones.
func (t *Team) Actor() string { return "responder:" + t.name }

// Page takes the incident's page; the roles are paged at the tick.
func (t *Team) Page(_ context.Context, p Page) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if p.Incident != t.incident {
		t.reset(p.Incident)
	}
	if t.page.Severity.MoreSevere(p.Severity) {
		p.Severity = t.page.Severity // a declared severity never drops
	}
	t.page = p
	return nil
}

func (t *Team) reset(n int) {
	t.incident, t.page, t.roles, t.order, t.pending, t.done = n, Page{}, map[string]*roleState{}, nil, nil, map[Action]bool{}
}

// Closed drops incident if it is the team's: the pager closed it at the
// fault, so answers to it would be credited to nothing.
func (t *Team) Closed(_ context.Context, n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if n == t.incident {
		t.reset(0)
	}
}

// Do queues a team action for the next tick. An acknowledgement must name
// a role of the team that was paged.
func (t *Team) Do(a TeamAction) error {
	if _, err := ParseTeamAction(string(a.Action)); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.incident == 0 {
		return ErrNotPaged
	}
	switch a.Action {
	case Ack:
		if _, ok := t.byKey[a.Role]; !ok {
			return fmt.Errorf("ack %q: %w", a.Role, ErrUnknownRole)
		}
		if t.roles[a.Role] == nil {
			return fmt.Errorf("ack %q: %w", a.Role, ErrRoleNotPaged)
		}
	case Declare:
		if a.Severity < incident.P1 || a.Severity > incident.P4 {
			return fmt.Errorf("declare: severity %s: want P1, P2, P3 or P4", a.Severity)
		}
	case Notice:
		switch a.Notice {
		case incident.NoticeInitial, incident.NoticeUpdate, incident.NoticeResolution:
		default:
			return fmt.Errorf("notice %q: want %s, %s or %s", a.Notice, incident.NoticeInitial, incident.NoticeUpdate, incident.NoticeResolution)
		}
	}
	if a.Role != "" {
		if _, ok := t.byKey[a.Role]; !ok {
			return fmt.Errorf("%s by role %q: %w", a.Action, a.Role, ErrUnknownRole)
		}
	}
	t.pending = append(t.pending, a)
	return nil
}

// Tick pages the roles the incident's severity needs, escalates the pages
// that waited AckTimeout to the backups, and records the actions that
// arrived since the last tick.
func (t *Team) Tick(_ context.Context, now time.Duration) error {
	t.mu.Lock()
	if t.incident == 0 {
		t.mu.Unlock()
		return nil
	}
	var shown []RolePage
	for _, key := range t.spec.Pages[t.page.Severity] {
		if t.roles[key] == nil {
			r := t.byKey[key]
			t.roles[key] = &roleState{pagedAt: now, person: r.Primary}
			t.order = append(t.order, key)
			shown = append(shown, t.pageRole(now, r, r.Primary, false))
		}
	}
	for _, key := range t.order {
		st, r := t.roles[key], t.byKey[key]
		if st.acked || st.escalated || r.Backup == "" || now-st.pagedAt < t.spec.AckTimeout {
			continue
		}
		st.escalated, st.person = true, r.Backup
		shown = append(shown, t.pageRole(now, r, r.Backup, true))
	}
	for _, a := range t.pending {
		t.apply(now, a)
	}
	t.pending = nil
	t.mu.Unlock()
	for _, p := range shown {
		t.notify(p)
	}
	return nil
}

// pageRole records one role's page and returns what its person is shown.
func (t *Team) pageRole(now time.Duration, r TeamRole, person string, escalated bool) RolePage {
	labels := t.labels(person)
	labels[incident.RoleLabel] = r.Key
	subject := "paged " + t.title(r)
	if escalated {
		labels[incident.EscalatedLabel] = "true"
		subject += " (backup)"
	}
	t.tl.Record(incident.Milestone{Kind: incident.RolePaged, Drill: now, Actor: t.Actor(), Subject: subject,
		Severity: t.page.Severity, Labels: labels})
	return RolePage{Page: t.page, Role: r.Key, Title: t.title(r), Person: person, Escalated: escalated}
}

// apply records one action at now.
func (t *Team) apply(now time.Duration, a TeamAction) {
	m := incident.Milestone{Drill: now, Actor: t.Actor(), Labels: t.labels(a.Person), Detail: a.Note}
	if a.Role != "" {
		m.Labels[incident.RoleLabel] = a.Role
	}
	switch a.Action {
	case Ack:
		st, r := t.roles[a.Role], t.byKey[a.Role]
		if st.acked {
			return
		}
		person := cmp.Or(a.Person, st.person)
		st.acked, st.ackedBy, st.ackedAt = true, person, now
		m.Labels[incident.PersonLabel] = person
		m.Kind, m.Subject = incident.RoleAcknowledged, t.title(r)+" acknowledged"
		t.tl.Record(m)
		t.acknowledge(now, a, person)
	case Declare:
		m.Kind, m.Subject, m.Severity = incident.SeverityDeclared, "declared "+a.Severity.String(), a.Severity
		t.tl.Record(m)
	case Update:
		m.Kind, m.Subject = incident.UpdatePosted, "internal update"
		t.tl.Record(m)
	case Notice:
		m.Labels[incident.NoticeLabel] = a.Notice
		m.Kind, m.Subject = incident.NoticePublished, "status page: "+a.Notice
		t.tl.Record(m)
	case Postmortem:
		if !t.done[Postmortem] {
			t.done[Postmortem] = true
			m.Kind, m.Subject = incident.PostmortemSubmitted, "post-mortem submitted"
			t.tl.Record(m)
		}
	case Diagnosed, Mitigated, Resolve:
		t.acknowledge(now, a, a.Person)
		if !t.done[a.Action] {
			t.done[a.Action] = true
			by := humanAction{action: a.Action, who: a.Person, note: a.Note}
			t.tl.Record(humanMilestone(a.Action, now, t.Actor(), by, t.labels("")))
		}
	}
}

// acknowledge records the incident's acknowledgement once: the first
// role to acknowledge, or whoever acts first.
func (t *Team) acknowledge(now time.Duration, a TeamAction, person string) {
	if t.done[Ack] {
		return
	}
	t.done[Ack] = true
	subject := "acknowledged by the team"
	if r, ok := t.byKey[a.Role]; ok && a.Action == Ack {
		subject = "acknowledged by the " + t.title(r)
	}
	labels := t.labels("")
	if person != "" {
		labels["by"] = person
	}
	t.tl.Record(incident.Milestone{Kind: incident.Acknowledged, Drill: now, Actor: t.Actor(), Subject: subject,
		Labels: labels, Detail: a.Note})
}

func (t *Team) labels(person string) map[string]string {
	l := map[string]string{incident.IncidentLabel: strconv.Itoa(t.incident)}
	if person != "" {
		l[incident.PersonLabel] = person
	}
	return l
}

func (t *Team) title(r TeamRole) string { return cmp.Or(r.Title, r.Key) }

// RoleStatus is one role as a console shows it.
type RoleStatus struct {
	Role      string `json:"role"`
	Title     string `json:"title"`
	Person    string `json:"person,omitempty"`
	PagedAt   string `json:"paged_at"`
	Escalated bool   `json:"escalated,omitempty"`
	Acked     bool   `json:"acked"`
	AckedBy   string `json:"acked_by,omitempty"`
	AckedAt   string `json:"acked_at,omitempty"`
}

// TeamStatus is the incident as the team sees it.
type TeamStatus struct {
	Paged    bool         `json:"paged"`
	Incident int          `json:"incident,omitempty"`
	Alert    string       `json:"alert,omitempty"`
	Severity string       `json:"severity,omitempty"`
	Roles    []RoleStatus `json:"roles"`
	Done     []string     `json:"done"`
	Pending  int          `json:"pending"`
}

// Status is the incident, its roles in the order paged, and what is done.
func (t *Team) Status() TeamStatus {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := TeamStatus{Paged: t.incident != 0, Roles: []RoleStatus{}, Done: []string{}, Pending: len(t.pending)}
	if !s.Paged {
		return s
	}
	s.Incident, s.Alert, s.Severity = t.incident, t.page.Alert, t.page.Severity.String()
	for _, key := range t.order {
		st, r := t.roles[key], t.byKey[key]
		rs := RoleStatus{Role: key, Title: t.title(r), Person: st.person, PagedAt: "T+" + st.pagedAt.String(),
			Escalated: st.escalated, Acked: st.acked, AckedBy: st.ackedBy}
		if st.acked {
			rs.AckedAt = "T+" + st.ackedAt.String()
		}
		s.Roles = append(s.Roles, rs)
	}
	for a, ok := range t.done {
		if ok {
			s.Done = append(s.Done, string(a))
		}
	}
	slices.Sort(s.Done)
	return s
}
