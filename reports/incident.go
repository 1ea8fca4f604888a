package reports

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/firedrill/firedrill/incident"
)

// What a drill's incident is called, what its milestones say, and its
// timeline read in order.

// describe is one milestone as a timeline event, in the words of the
// playbook's post-mortem timeline where it has them.
func describe(m incident.Milestone) string {
	subj := m.Subject
	if subj == "" {
		subj = m.Actor
	}
	var s string
	switch m.Kind {
	case incident.FaultInjected:
		s = "Incident began: fault " + subj + " injected"
	case incident.FaultRecovered:
		s = "Fault " + subj + " recovered"
	case incident.AlertPending:
		s = "Alert " + subj + " pending"
	case incident.AlertFiring:
		s = "Alert triggered: " + subj
		if m.Severity != incident.SeverityUnknown {
			s += " (" + m.Severity.String() + ")"
		}
	case incident.AlertResolved:
		s = "Alert " + subj + " resolved"
	case incident.PageSent:
		s = "Page sent: " + subj
	case incident.Acknowledged:
		who := cmp.Or(personOf(m), m.Actor, subj)
		s = "IC assigned: acknowledged by " + who
	case incident.Diagnosed:
		s = "Root cause identified: " + subj
	case incident.Mitigated:
		s = "Fix deployed: " + subj
	case incident.Resolved:
		s = "Incident resolved"
		if subj != "" {
			s += ": " + subj
		}
	case incident.StepStarted:
		s = "Playbook step " + subj + " started"
	case incident.StepFinished:
		s = "Playbook step " + subj + " finished"
		if m.Outcome != "" {
			s += " (" + m.Outcome + ")"
		}
	case incident.Note:
		s = "Note: " + subj
	case incident.RolePaged:
		s = "Role " + orDash(m.Labels[incident.RoleLabel]) + " paged: " + cmp.Or(m.Labels[incident.PersonLabel], "nobody (unstaffed)")
		if m.Labels[incident.EscalatedLabel] == "true" {
			s += " (escalated to the backup)"
		}
	case incident.RoleAcknowledged:
		s = "Role " + orDash(m.Labels[incident.RoleLabel]) + " acknowledged the page"
	case incident.RoleAssigned:
		s = "Role " + orDash(m.Labels[incident.RoleLabel]) + " assigned to " + orDash(m.Labels[incident.PersonLabel])
	case incident.SeverityDeclared:
		s = "Severity declared: " + m.Severity.String()
	case incident.UpdatePosted:
		return "Internal update posted (" + orDash(m.Labels[incident.StatusLabel]) + ")" + excerpt(m.Detail)
	case incident.NoticePublished:
		return "Status-page notice published (" + noticeTitle(m.Labels[incident.NoticeLabel]) + ")" + excerpt(m.Detail)
	case incident.PostmortemSubmitted:
		// The text is long and has its own section: the timeline says when.
		return "Post-mortem " + cmp.Or(strings.TrimPrefix(m.Subject, "post-mortem "), "submitted")
	default:
		s = string(m.Kind) + ": " + subj
	}
	if m.Detail != "" {
		s += " — " + m.Detail
	}
	return s
}

// incidentName is what a drill's incident is called: its cause, the most
// severe of the alerts that fired for it and the earliest of equals
// ("DatabaseConnectionFailure (P1)"), not whichever symptom paged first. A
// scored drill has it in its verdict (the alert that set the severity);
// a drill in progress reads it from its timeline the same way. "" when no
// alert fired.
func incidentName(d Drill) string {
	name, sev := "", incident.SeverityUnknown
	if v, ok := d.Scored(); ok {
		name, sev = v.SeverityAlert, v.Severity
	} else {
		t0, _ := d.t0()
		for _, m := range sortedTimeline(d.Timeline) {
			if m.Kind != incident.AlertFiring || m.Drill < t0 {
				continue
			}
			s := m.Severity
			if s == incident.SeverityUnknown {
				s, _ = incident.ParseSeverity(m.Labels["severity"])
			}
			if name == "" || s.MoreSevere(sev) {
				name, sev = m.Subject, s
			}
		}
	}
	if name == "" || sev == incident.SeverityUnknown {
		return name
	}
	return name + " (" + sev.String() + ")"
}

// incidentID names drill i's incident uniquely across runs: the run ID is
// the run's start and a random suffix, so INC-<run id>-001 is never
// another run's. A draft of a drill in progress has no run ID yet and
// takes the drill's wall start instead; with neither it is a placeholder.
func incidentID(runID string, i int, started time.Time) string {
	switch {
	case runID != "" && runID != "-":
		return fmt.Sprintf("INC-%s-%03d", runID, i+1)
	case !started.IsZero():
		return fmt.Sprintf("INC-%s-%03d", started.UTC().Format("20060102-150405"), i+1)
	}
	return fmt.Sprintf("INC-[YYYYMMDD]-%03d", i+1)
}

func sortedTimeline(tl []incident.Milestone) []incident.Milestone {
	ms := slices.Clone(tl)
	slices.SortStableFunc(ms, func(a, b incident.Milestone) int { return cmp.Compare(a.Drill, b.Drill) })
	return ms
}

func firstOf(ms []incident.Milestone, k incident.Kind) (incident.Milestone, bool) {
	for _, m := range ms {
		if m.Kind == k {
			return m, true
		}
	}
	return incident.Milestone{}, false
}
