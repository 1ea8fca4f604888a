package responders

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/firedrill/firedrill/incident"
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

func (t *Team) labels(person string) map[string]string {
	l := map[string]string{incident.IncidentLabel: strconv.Itoa(t.incident)}
	if person != "" {
		l[incident.PersonLabel] = person
	}
	return l
}

func (t *Team) title(r TeamRole) string { return cmp.Or(r.Title, r.Key) }
