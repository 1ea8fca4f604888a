package responders

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

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
	// Postmortem submits the post-mortem (TeamAction.Text, markdown); a
	// later submission revises it.
	Postmortem Action = "postmortem"
	// Assign gives TeamAction.Role to TeamAction.Person ("take IC" is the
	// incident commander assigned to oneself). A paged role not yet
	// acknowledged is acknowledged by its new holder.
	Assign Action = "assign"
	// PageRole pages TeamAction.Role now (escalating by hand), to its
	// primary, or to its backup with TeamAction.Backup or when the primary
	// was already paged.
	PageRole Action = "page"
	// RunPlaybook runs one of the team's playbooks against the stack
	// (TeamAction.Playbook; TeamAction.Step > 0 runs that step alone).
	RunPlaybook Action = "run"
)

// Bounds of what people type: a name, and a text (an update, a notice, a
// note, the post-mortem). Longer input is refused, not cut.
const (
	MaxName = 100
	MaxText = 64 << 10
)

// ErrTooLong means a name or a text is past its bound.
var ErrTooLong = errors.New("too long")

// ParseTeamAction reads a team action's name: a person on call's actions
// and the team's own.
func ParseTeamAction(s string) (Action, error) {
	switch a := Action(s); a {
	case Ack, Diagnosed, Mitigated, Resolve, Declare, Update, Notice, Postmortem, Assign, PageRole, RunPlaybook:
		return a, nil
	}
	return "", fmt.Errorf("parse team action %q: want ack, assign, page, declare, update, notice, diagnosed, mitigated, run, resolve or postmortem", s)
}

// Errors of Team.Do, for callers that branch on them (a console answers
// 404 to an unknown role, 409 to a role not paged).
var (
	ErrUnknownRole     = errors.New("unknown role")
	ErrRoleNotPaged    = errors.New("role was not paged")
	ErrUnknownPlaybook = errors.New("unknown playbook")
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
	// Receivers are the role keys a page routed to an Alertmanager
	// receiver pages besides the severity's.
	Receivers map[string][]string
	// AckTimeout is the drill time a page waits for its acknowledgement
	// before the role's backup is paged.
	AckTimeout time.Duration
	// Playbooks are the playbooks people may run from the console, by
	// name; Runtime is the stack they run against (the drill's).
	Playbooks map[string]*Playbook
	Runtime   *Runtime
}

// RolePage is one page to one person: what a console or a terminal shows.
type RolePage struct {
	Page
	Role, Title, Person string
	// Escalated: the primary did not acknowledge within the ack timeout,
	// so this page goes to the backup.
	Escalated bool
	// At is the drill time of this role's page.
	At time.Duration
}

// TeamAction is one thing a member of the team reports.
type TeamAction struct {
	Action Action
	// Role is the role acknowledged (Ack: empty is the role paged to
	// Person, else the first paged role not yet acknowledged), assigned
	// (Assign) or paged (PageRole); optional otherwise.
	Role string
	// Person is who acts (who is given the role, for Assign); on an Ack
	// it defaults to the person the role's latest page went to.
	Person string
	// Severity is the declared severity (Declare).
	Severity incident.Severity
	// Notice is the status-page notice's kind (Notice): incident.NoticeInitial,
	// NoticeUpdate or NoticeResolution.
	Notice string
	// Status is an internal update's status (Update): one of
	// incident.UpdateStatuses.
	Status string
	// Text is what was written: an update's or a notice's text, the
	// post-mortem's markdown.
	Text string
	// Playbook and Step say what to run (RunPlaybook): Step 0 is the whole
	// playbook, N its Nth step alone.
	Playbook string
	Step     int
	// Backup sends a PageRole to the role's backup.
	Backup bool
	Note   string
}

// Team is the people of a game day. When an incident pages with severity
// S, it pages each role the escalation says S needs (RolePaged, to the
// primary), and when a role has not acknowledged after AckTimeout of drill
// time it pages the role's backup (RolePaged with EscalatedLabel). A severity
// that rises pages the roles the new one adds. People answer through Do:
// acknowledgements per role, the severity they declare, updates, notices,
// diagnosis, mitigation, verification, the post-mortem. An
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
	// receivers are the receivers the incident's pages were routed to.
	receivers []string
	roles     map[string]*roleState
	order     []string // roles in the order paged
	pending   []TeamAction
	done      map[Action]bool
	runs      []*teamRun
}

// roleState is one role's pages and acknowledgement for the incident.
type roleState struct {
	// holder is who holds the role by assignment ("" until assigned).
	holder    string
	paged     bool
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
	if p.Receiver != "" && !slices.Contains(t.receivers, p.Receiver) {
		t.receivers = append(t.receivers, p.Receiver)
	}
	return nil
}

func (t *Team) reset(n int) {
	t.incident, t.page, t.roles, t.order, t.pending, t.done, t.runs = n, Page{}, map[string]*roleState{}, nil, nil, map[Action]bool{}, nil
	t.receivers = nil
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

// Do queues a team action for the next tick. It refuses, with an error a
// console can show, what could never be recorded: an unknown role or
// playbook, an acknowledgement of a role nobody paged, a severity, notice
// or status that does not exist, a name or text past its bound.
func (t *Team) Do(a TeamAction) error {
	if _, err := ParseTeamAction(string(a.Action)); err != nil {
		return err
	}
	if err := checkBounds(a); err != nil {
		return err
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.incident == 0 {
		return ErrNotPaged
	}
	if a.Role != "" {
		if _, ok := t.byKey[a.Role]; !ok {
			return fmt.Errorf("%s %q: %w (the team has %s)", a.Action, a.Role, ErrUnknownRole, strings.Join(t.keys(), ", "))
		}
	}
	switch a.Action {
	case Ack:
		if a.Role == "" {
			a.Role = t.ackRole(a.Person)
			if a.Role == "" {
				return fmt.Errorf("ack: %w: no role is waiting for an acknowledgement", ErrRoleNotPaged)
			}
		}
		if st := t.roles[a.Role]; st == nil || !st.paged {
			return fmt.Errorf("ack %q: %w", a.Role, ErrRoleNotPaged)
		}
	case Assign, PageRole:
		if a.Role == "" {
			return fmt.Errorf("%s: name the role (the team has %s)", a.Action, strings.Join(t.keys(), ", "))
		}
		if a.Action == Assign && strings.TrimSpace(a.Person) == "" {
			return fmt.Errorf("assign %s: name the person who takes it", a.Role)
		}
	case Declare:
		if a.Severity < incident.P1 || a.Severity > incident.P4 {
			return fmt.Errorf("declare: severity %s: want P1, P2, P3 or P4", a.Severity)
		}
	case Update:
		st, ok := ParseUpdateStatus(a.Status)
		if !ok {
			return fmt.Errorf("update: status %q: want %s", a.Status, strings.Join(incident.UpdateStatuses, ", "))
		}
		a.Status = st
	case Notice:
		switch a.Notice {
		case incident.NoticeInitial, incident.NoticeUpdate, incident.NoticeResolution:
		default:
			return fmt.Errorf("notice %q: want %s, %s or %s", a.Notice, incident.NoticeInitial, incident.NoticeUpdate, incident.NoticeResolution)
		}
	case Postmortem:
		if strings.TrimSpace(a.Text) == "" {
			return errors.New("postmortem: the post-mortem is empty")
		}
	case RunPlaybook:
		pb, ok := t.spec.Playbooks[a.Playbook]
		if !ok || t.spec.Runtime == nil {
			return fmt.Errorf("run %q: %w (the team has %s)", a.Playbook, ErrUnknownPlaybook, strings.Join(t.playbookNames(), ", "))
		}
		if a.Step < 0 || a.Step > len(pb.Steps) {
			return fmt.Errorf("run %s: step %d: the playbook has steps 1..%d (0 runs them all)", a.Playbook, a.Step, len(pb.Steps))
		}
	}
	t.pending = append(t.pending, a)
	return nil
}

// checkBounds refuses a name or a text past its bound.
func checkBounds(a TeamAction) error {
	for _, f := range []struct {
		what, v string
		max     int
	}{{"person", a.Person, MaxName}, {"role", a.Role, MaxName}, {"playbook", a.Playbook, MaxName},
		{"note", a.Note, MaxText}, {"text", a.Text, MaxText}} {
		if utf8.RuneCountInString(f.v) > f.max {
			return fmt.Errorf("%s: %s is %d characters: %w (at most %d)", a.Action, f.what, utf8.RuneCountInString(f.v), ErrTooLong, f.max)
		}
	}
	return nil
}

// ParseUpdateStatus reads an internal update's status, in any case.
func ParseUpdateStatus(s string) (string, bool) {
	for _, st := range incident.UpdateStatuses {
		if strings.EqualFold(strings.TrimSpace(s), st) {
			return st, true
		}
	}
	return "", false
}

// ackRole is the role an Ack without one acknowledges: the role whose
// page went to person, else the first paged role not yet acknowledged.
func (t *Team) ackRole(person string) string {
	for _, key := range t.order {
		if st := t.roles[key]; st.paged && !st.acked && person != "" && strings.EqualFold(st.person, person) {
			return key
		}
	}
	for _, key := range t.order {
		if st := t.roles[key]; st.paged && !st.acked {
			return key
		}
	}
	return ""
}

func (t *Team) keys() []string {
	out := make([]string, 0, len(t.spec.Roles))
	for _, r := range t.spec.Roles {
		out = append(out, r.Key)
	}
	return out
}

func (t *Team) playbookNames() []string {
	out := make([]string, 0, len(t.spec.Playbooks))
	for n := range t.spec.Playbooks {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}

// Tick pages the roles the incident's severity needs, escalates the pages
// that waited AckTimeout to the backups, records the actions that arrived
// since the last tick, and moves the playbooks people started.
func (t *Team) Tick(ctx context.Context, now time.Duration) error {
	t.mu.Lock()
	if t.incident == 0 {
		t.mu.Unlock()
		return nil
	}
	var shown []RolePage
	for _, key := range t.toPage() {
		if st := t.roles[key]; st == nil || !st.paged {
			shown = append(shown, t.pagePrimary(now, key))
		}
	}
	for _, key := range t.order {
		st, r := t.roles[key], t.byKey[key]
		if !st.paged || st.acked || st.escalated || r.Backup == "" || now-st.pagedAt < t.spec.AckTimeout {
			continue
		}
		shown = append(shown, t.pageBackup(now, key))
	}
	for _, a := range t.pending {
		if p, ok := t.apply(now, a); ok {
			shown = append(shown, p)
		}
	}
	t.pending = nil
	runs := slices.Clone(t.runs)
	t.mu.Unlock()
	for _, p := range shown {
		t.notify(p)
	}
	// Playbooks do real work (commands, queries): outside the lock, so the
	// console answers while they run.
	for _, r := range runs {
		r.tick(ctx)
	}
	return nil
}

// toPage are the roles the incident pages: its severity's, then its
// receivers', each once.
func (t *Team) toPage() []string {
	keys := slices.Clone(t.spec.Pages[t.page.Severity])
	for _, recv := range t.receivers {
		for _, key := range t.spec.Receivers[recv] {
			if _, ok := t.byKey[key]; ok && !slices.Contains(keys, key) {
				keys = append(keys, key)
			}
		}
	}
	return keys
}

// state is key's role state, made on first use.
func (t *Team) state(key string) *roleState {
	st := t.roles[key]
	if st == nil {
		st = &roleState{}
		t.roles[key] = st
		t.order = append(t.order, key)
	}
	return st
}

// pagePrimary pages key's primary (its holder, once someone took it).
func (t *Team) pagePrimary(now time.Duration, key string) RolePage {
	st, r := t.state(key), t.byKey[key]
	st.paged, st.pagedAt, st.person = true, now, cmp.Or(st.holder, r.Primary)
	return t.pageRole(now, r, st.person, false)
}

// pageBackup pages key's backup: the primary did not answer in time, or
// someone escalated by hand.
func (t *Team) pageBackup(now time.Duration, key string) RolePage {
	st, r := t.state(key), t.byKey[key]
	if !st.paged {
		st.pagedAt = now
	}
	st.paged, st.escalated, st.person = true, true, r.Backup
	return t.pageRole(now, r, r.Backup, true)
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
	return RolePage{Page: t.page, Role: r.Key, Title: t.title(r), Person: person, Escalated: escalated, At: now}
}

// apply records one action at now; a page by hand returns what its person
// is shown.
func (t *Team) apply(now time.Duration, a TeamAction) (RolePage, bool) {
	m := incident.Milestone{Drill: now, Actor: t.Actor(), Labels: t.labels(a.Person), Detail: a.Note}
	if a.Role != "" {
		m.Labels[incident.RoleLabel] = a.Role
	}
	switch a.Action {
	case Ack:
		st, r := t.roles[a.Role], t.byKey[a.Role]
		if st.acked {
			return RolePage{}, false
		}
		person := cmp.Or(a.Person, st.person)
		st.acked, st.ackedBy, st.ackedAt = true, person, now
		m.Labels[incident.PersonLabel] = person
		m.Kind, m.Subject = incident.RoleAcknowledged, t.title(r)+" acknowledged"
		t.tl.Record(m)
		t.acknowledge(now, a, person)
	case Assign:
		st, r := t.state(a.Role), t.byKey[a.Role]
		st.holder = a.Person
		m.Kind, m.Subject = incident.RoleAssigned, a.Person+" holds "+t.title(r)
		t.tl.Record(m)
		if st.paged && !st.acked {
			st.acked, st.ackedBy, st.ackedAt = true, a.Person, now
			ack := incident.Milestone{Kind: incident.RoleAcknowledged, Drill: now, Actor: t.Actor(),
				Subject: t.title(r) + " acknowledged", Labels: t.labels(a.Person)}
			ack.Labels[incident.RoleLabel] = a.Role
			t.tl.Record(ack)
		}
		t.acknowledge(now, TeamAction{Action: Ack, Role: a.Role, Note: a.Note}, a.Person)
	case PageRole:
		st := t.state(a.Role)
		if a.Backup || (st.paged && !st.escalated && t.byKey[a.Role].Backup != "") {
			return t.pageBackup(now, a.Role), true
		}
		return t.pagePrimary(now, a.Role), true
	case Declare:
		m.Kind, m.Subject, m.Severity = incident.SeverityDeclared, "declared "+a.Severity.String(), a.Severity
		t.tl.Record(m)
	case Update:
		m.Labels[incident.StatusLabel] = a.Status
		m.Kind, m.Subject, m.Detail = incident.UpdatePosted, "internal update: "+a.Status, cmp.Or(a.Text, a.Note)
		t.tl.Record(m)
	case Notice:
		m.Labels[incident.NoticeLabel] = a.Notice
		m.Kind, m.Subject, m.Detail = incident.NoticePublished, "status page: "+a.Notice, cmp.Or(a.Text, a.Note)
		t.tl.Record(m)
	case Postmortem:
		subject := "post-mortem submitted"
		if t.done[Postmortem] {
			subject = "post-mortem revised"
		}
		t.done[Postmortem] = true
		m.Kind, m.Subject, m.Detail = incident.PostmortemSubmitted, subject, a.Text
		t.tl.Record(m)
	case RunPlaybook:
		t.acknowledge(now, a, a.Person)
		t.runs = append(t.runs, t.startRun(now, a))
	case Diagnosed, Mitigated, Resolve:
		t.acknowledge(now, a, a.Person)
		if !t.done[a.Action] {
			t.done[a.Action] = true
			t.tl.Record(markMilestone(a.Action, now, t.Actor(), a.Person, a.Note, t.labels("")))
		}
	}
	return RolePage{}, false
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
	Role   string `json:"role"`
	Title  string `json:"title"`
	Person string `json:"person,omitempty"`
	// Holder is who took or was given the role.
	Holder    string `json:"holder,omitempty"`
	Paged     bool   `json:"paged"`
	PagedAt   string `json:"paged_at,omitempty"`
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
	Alerts   []string     `json:"alerts,omitempty"`
	Severity string       `json:"severity,omitempty"`
	PagedAt  string       `json:"paged_at,omitempty"`
	Roles    []RoleStatus `json:"roles"`
	// Team is every role of the team, paged or not, for assigning.
	Team    []RoleStatus `json:"team"`
	Done    []string     `json:"done"`
	Pending int          `json:"pending"`
	Runs    []RunStatus  `json:"runs"`
}

// Status is the incident, its roles in the order paged, the whole team,
// what is done and the playbooks people started.
func (t *Team) Status() TeamStatus {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := TeamStatus{Paged: t.incident != 0, Roles: []RoleStatus{}, Team: []RoleStatus{}, Done: []string{}, Runs: []RunStatus{}, Pending: len(t.pending)}
	for _, r := range t.spec.Roles {
		rs := RoleStatus{Role: r.Key, Title: t.title(r), Person: r.Primary}
		if st := t.roles[r.Key]; st != nil {
			rs = t.roleStatus(r.Key)
		}
		s.Team = append(s.Team, rs)
	}
	if !s.Paged {
		return s
	}
	s.Incident, s.Alert, s.Severity = t.incident, t.page.Alert, t.page.Severity.String()
	s.Alerts, s.PagedAt = slices.Clone(t.page.Alerts), "T+"+t.page.Drill.String()
	for _, key := range t.order {
		s.Roles = append(s.Roles, t.roleStatus(key))
	}
	for a, ok := range t.done {
		if ok {
			s.Done = append(s.Done, string(a))
		}
	}
	slices.Sort(s.Done)
	for _, r := range t.runs {
		s.Runs = append(s.Runs, r.status())
	}
	return s
}

func (t *Team) roleStatus(key string) RoleStatus {
	st, r := t.roles[key], t.byKey[key]
	rs := RoleStatus{Role: key, Title: t.title(r), Person: cmp.Or(st.person, st.holder, r.Primary), Holder: st.holder,
		Paged: st.paged, Escalated: st.escalated, Acked: st.acked, AckedBy: st.ackedBy}
	if st.paged {
		rs.PagedAt = "T+" + st.pagedAt.String()
	}
	if st.acked {
		rs.AckedAt = "T+" + st.ackedAt.String()
	}
	return rs
}
