// What the team does: its actions, Do's checks, and how each is recorded.

package responders

import (
	"cmp"
	"errors"
	"fmt"
	"strings"
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
