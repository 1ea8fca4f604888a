package responders

// Notification groups: Alertmanager's grouping, inhibition and timers on
// the drill clock, and the page each notification becomes.

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/firedrill/firedrill/incident"
)

type group struct {
	route Route
	// alerts are the keys of the group's alerts.
	alerts   []string
	next     time.Duration // the next flush
	notified bool
	lastAt   time.Duration
	// sent are the keys of the firing alerts of the last notification.
	sent []string
}

// notification is one group's page, before it is recorded.
type notification struct {
	Page
	route Route
	// noise: every alert in it fired before the fault; it pages nobody.
	noise bool
	// carried are the names of the firing alerts the notification carries.
	carried []string
}

// AlertsLabel is the page_sent label listing the names of the alerts the
// notification carried, comma-separated.
const AlertsLabel = "alerts"

func (n notification) milestone(at time.Time) incident.Milestone {
	m := incident.Milestone{Kind: incident.PageSent, Drill: n.Drill, At: at, Actor: PagerActor,
		Subject: n.Alert, Severity: n.Severity,
		Labels: map[string]string{"receiver": n.route.Receiver, "group": n.route.Group, AlertsLabel: strings.Join(n.carried, ",")}}
	what := "incident opened"
	switch {
	case n.noise:
		what = "pre-existing alerts, not the drill's incident"
	case n.Escalation:
		what = "incident updated"
	}
	if n.Incident > 0 {
		m.Labels[incident.IncidentLabel] = strconv.Itoa(n.Incident)
	}
	m.Detail = fmt.Sprintf("%s: %s (%s); %s", what, n.Severity, strings.Join(n.Alerts, ", "), n.route)
	return m
}

// take applies the transitions, then flushes the groups whose timer is
// due; it returns the inhibition notes and the notifications.
func (p *Pager) take(at time.Time, drill time.Duration, transitions []incident.Alert) ([]incident.Milestone, []notification) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lastAt = at
	for _, a := range transitions {
		key := alertKey(a)
		st := p.alerts[key]
		switch a.State {
		case incident.StateFiring:
			if st == nil || !st.firing {
				st = &alertState{key: key, name: a.Name, labels: a.Labels, severity: a.Severity, startsAt: cmp.Or(a.FiredAt, at)}
				p.alerts[key] = st
			}
			st.firing, st.annotations, st.updatedAt = true, a.Annotations, at
		case incident.StateResolved:
			if st != nil && st.firing {
				st.firing, st.resolvedAt = false, drill
			}
		}
	}
	muted := p.inhibit(drill)
	p.group(drill)
	var out []notification
	for _, g := range p.groups {
		if drill < g.next {
			continue
		}
		g.next = drill + g.route.GroupInterval
		if n, ok := p.flush(g, drill); ok {
			out = append(out, n)
		}
	}
	p.groups = slices.DeleteFunc(p.groups, func(g *group) bool { return len(p.firingOf(g)) == 0 && drill >= g.lastAt })
	return muted, out
}

// inhibit applies the inhibit rules to the firing alerts; it notes each
// alert that becomes muted.
func (p *Pager) inhibit(drill time.Duration) []incident.Milestone {
	var firing []map[string]string
	for _, st := range p.sortedAlerts() {
		if st.firing {
			firing = append(firing, st.labels)
		}
	}
	var notes []incident.Milestone
	for _, st := range p.sortedAlerts() {
		by := ""
		st.inhibitor = nil
		if st.firing {
			st.inhibitor, _ = p.routing.Inhibitor(st.labels, firing)
			by = st.inhibitor["alertname"]
		}
		if by != "" && by != st.mutedBy {
			notes = append(notes, incident.Milestone{Kind: incident.Note, Drill: drill, At: p.tl.Clock().At(drill), Actor: PagerActor,
				Subject: "alert inhibited", Severity: st.severity, Labels: st.labels,
				Detail: st.name + " is muted by the firing " + by + " (inhibit_rules): it pages nobody"})
		}
		st.mutedBy = by
	}
	return notes
}

// group puts every firing, unmuted alert in its routes' groups; a new
// group is first flushed group_wait after it formed.
func (p *Pager) group(drill time.Duration) {
	for _, st := range p.sortedAlerts() {
		if !st.firing || st.mutedBy != "" {
			continue
		}
		for _, rt := range p.routing.Routes(st.labels) {
			i := slices.IndexFunc(p.groups, func(g *group) bool { return g.route.GroupKey == rt.GroupKey })
			if i < 0 {
				p.groups = append(p.groups, &group{route: rt, next: drill + rt.GroupWait})
				i = len(p.groups) - 1
			}
			if g := p.groups[i]; !slices.Contains(g.alerts, st.key) {
				g.alerts = append(g.alerts, st.key)
			}
		}
	}
}

// firingOf are the keys of g's firing, unmuted alerts, sorted.
func (p *Pager) firingOf(g *group) []string {
	var out []string
	for _, k := range g.alerts {
		if st := p.alerts[k]; st != nil && st.firing && st.mutedBy == "" {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// flush notifies g when Alertmanager would: its first flush, a firing
// alert the last notification did not carry, or repeat_interval passed.
func (p *Pager) flush(g *group, drill time.Duration) (notification, bool) {
	firing := p.firingOf(g)
	g.alerts = slices.DeleteFunc(g.alerts, func(k string) bool { return !slices.Contains(firing, k) })
	if len(firing) == 0 {
		return notification{}, false
	}
	fresh := slices.ContainsFunc(firing, func(k string) bool { return !slices.Contains(g.sent, k) })
	if g.notified && !fresh && drill-g.lastAt < g.route.RepeatInterval {
		return notification{}, false
	}
	g.notified, g.lastAt, g.sent = true, drill, firing

	var sts []*alertState
	noise := p.faulted
	for _, k := range firing {
		st := p.alerts[k]
		sts = append(sts, st)
		noise = noise && st.preExisting
	}
	n := notification{route: g.route, noise: noise}
	n.Drill = drill
	for _, st := range sts {
		if !slices.Contains(n.Alerts, st.name) {
			n.Alerts = append(n.Alerts, st.name)
		}
	}
	n.carried = slices.Clone(n.Alerts)
	if noise {
		n.Alert, n.Severity = sts[0].name, sts[0].severity
		if inc := sts[0].incident; inc != nil {
			n.Incident = inc.ID
		}
		return n, true
	}
	inc, opened := p.open(), false
	if inc == nil {
		inc = &openIncident{Incident: Incident{ID: len(p.incidents) + 1, Opened: drill}}
		p.incidents = append(p.incidents, inc)
		opened = true
	}
	raisedBy := ""
	for _, st := range sts {
		if st.incident != nil || (p.faulted && st.preExisting) {
			continue
		}
		st.incident = inc
		inc.alerts = append(inc.alerts, st)
		inc.join(st)
		if !slices.Contains(inc.Alerts, st.name) {
			inc.Alerts = append(inc.Alerts, st.name)
		}
		if raisedBy == "" || st.severity.MoreSevere(inc.Severity) {
			raisedBy = st.name
		}
		if st.severity.MoreSevere(inc.Severity) {
			inc.Severity = st.severity
		}
	}
	if raisedBy == "" {
		raisedBy = sts[0].name
	}
	n.Incident, n.Alert, n.Severity, n.Escalation = inc.ID, raisedBy, inc.Severity, !opened
	n.Alerts = slices.Clone(inc.Alerts)
	return n, true
}
