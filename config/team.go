package config

import (
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/firedrill/firedrill/incident"
)

// Role is one role of the team that a game day pages: who holds it and who
// stands in when they do not answer. Either may be empty (an unstaffed
// role is still paged, and anyone may answer for it).
type Role struct {
	// Title is how people and reports name the role; empty: the shipped
	// title of a shipped role, else its key.
	Title   string `yaml:"title"`
	Primary string `yaml:"primary"`
	Backup  string `yaml:"backup"`
}

// Team is the roles a game day pages, by key (incident_commander, …). A team
// written in firedrill.yaml adds to the shipped roles: a role of the same
// key replaces the shipped one whole, new keys are the team's own roles.
type Team map[string]Role

// AllHands is the escalation entry that pages every role of the team.
const AllHands = "all"

// DefaultTeam are the playbook's Emergency Contacts, plus the on-call
// engineer its Severity table escalates to, with nobody named yet.
func DefaultTeam() Team {
	t := Team{}
	for key, title := range shippedRoles {
		t[key] = Role{Title: title, Primary: "", Backup: ""}
	}
	return t
}

// shippedRoles are the default roles' titles by key.
var shippedRoles = map[string]string{
	"incident_commander": "Incident Commander",
	"tech_lead":          "Tech Lead",
	"security_lead":      "Security Lead",
	"database_admin":     "Database Admin",
	"devops_lead":        "DevOps Lead",
	"customer_success":   "Customer Success",
	"legal_counsel":      "Legal Counsel",
	"on_call":            "On-call Engineer",
}

// Title is the role's title: its own, the shipped one, or its key.
func (t Team) Title(key string) string {
	if r, ok := t[key]; ok && r.Title != "" {
		return r.Title
	}
	if s, ok := shippedRoles[key]; ok {
		return s
	}
	return key
}

// Keys are the team's role keys, sorted.
func (t Team) Keys() []string { return slices.Sorted(maps.Keys(t)) }

// Escalation says which roles each severity pages (the playbook's Severity
// table, Escalation column) and how long a page waits for its
// acknowledgement before it goes to the role's backup.
type Escalation struct {
	// AckTimeout is drill time from a role's page to paging its backup.
	AckTimeout Duration `yaml:"ack_timeout"`
	// P1..P4 list role keys of the team; "all" (alone) pages every role.
	P1 []string `yaml:"P1"`
	P2 []string `yaml:"P2"`
	P3 []string `yaml:"P3"`
	P4 []string `yaml:"P4"`
	// Receivers are the roles an Alertmanager receiver pages besides the
	// severity's: a page routed to the receiver "database-pager" pages
	// the database_admin too.
	Receivers map[string][]string `yaml:"receivers"`
}

// DefaultEscalation is the playbook's: P1 immediate, all hands; P2 team
// lead (the tech lead) and on-call; P3 the on-call engineer; P4 next
// business day, so nobody is paged during the drill. A page waits 5
// minutes for an acknowledgement, the monthly drill's "IC assigned within 5
// minutes".
func DefaultEscalation() Escalation {
	return Escalation{
		AckTimeout: Duration(5 * time.Minute),
		P1:         []string{AllHands},
		P2:         []string{"tech_lead", "on_call"},
		P3:         []string{"on_call"},
		P4:         []string{},
		Receivers:  map[string][]string{},
	}
}

// For is the list written for s (nil for an unknown severity).
func (e Escalation) For(s incident.Severity) []string {
	switch s {
	case incident.P1:
		return e.P1
	case incident.P2:
		return e.P2
	case incident.P3:
		return e.P3
	case incident.P4:
		return e.P4
	}
	return nil
}

// Roles are the role keys severity s pages in team, in the order written;
// "all" is every role of the team, sorted by key.
func (e Escalation) Roles(s incident.Severity, team Team) []string {
	list := e.For(s)
	if slices.Contains(list, AllHands) {
		return team.Keys()
	}
	return slices.Clone(list)
}

var roleKeyRe = regexp.MustCompile(`^[a-z][a-z0-9_-]*$`)

// validateTeam adds the problems of the team and escalation sections: a
// bad role key, a backup without a primary or equal to it, and an
// escalation naming a role the team does not have.
func (c Config) validateTeam(add func(path, format string, args ...any)) {
	for _, key := range c.Team.Keys() {
		r := c.Team[key]
		path := "team." + key
		switch {
		case key == AllHands:
			add(path, "role key %q is reserved: escalation uses it for every role", key)
			continue
		case !roleKeyRe.MatchString(key):
			add(path, "role key %q: want lowercase letters, digits, _ and -, starting with a letter", key)
			continue
		}
		if r.Backup != "" && r.Primary == "" {
			add(path+".backup", "%s has a backup (%s) but no primary", c.Team.Title(key), r.Backup)
		}
		if r.Backup != "" && strings.EqualFold(strings.TrimSpace(r.Backup), strings.TrimSpace(r.Primary)) {
			add(path+".backup", "must differ from the primary (%s): a page that times out goes to the backup", r.Primary)
		}
	}
	e := c.Escalation
	if e.AckTimeout <= 0 {
		add("escalation.ack_timeout", "must be positive, not %s", e.AckTimeout.D())
	}
	for _, s := range []incident.Severity{incident.P1, incident.P2, incident.P3, incident.P4} {
		path, list := "escalation."+s.String(), e.For(s)
		seen := map[string]bool{}
		for _, key := range list {
			switch {
			case key == AllHands && len(list) > 1:
				add(path, "%q pages every role already: write it alone", AllHands)
			case key == AllHands:
			case seen[key]:
				add(path, "role %q is listed twice", key)
			case !hasRole(c.Team, key):
				add(path, "unknown role %q (the team has %s)", key, strings.Join(c.Team.Keys(), ", "))
			}
			seen[key] = true
		}
	}
	for _, recv := range slices.Sorted(maps.Keys(e.Receivers)) {
		for _, key := range e.Receivers[recv] {
			if !hasRole(c.Team, key) {
				add("escalation.receivers."+recv, "unknown role %q (the team has %s)", key, strings.Join(c.Team.Keys(), ", "))
			}
		}
	}
}

func hasRole(t Team, key string) bool { _, ok := t[key]; return ok }
