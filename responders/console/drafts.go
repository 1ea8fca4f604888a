package console

import (
	"cmp"
	"slices"
	"strings"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/responders"
)

// The playbook's status-page templates ("External Communication (Status
// Page)"), with [service] and [details] filled in from the incident;
// [time] is the team's to estimate.
var noticeTemplates = map[string]string{
	incident.NoticeInitial: "**Investigating** - We are aware of an issue affecting [service].\n" +
		"Our team is actively investigating. More updates to follow.",
	incident.NoticeUpdate: "**Identified** - We have identified the issue affecting [service].\n" +
		"A fix is being implemented. Current impact: [details].\n" +
		"Estimated resolution: [time].",
	incident.NoticeResolution: "**Resolved** - The issue affecting [service] has been resolved.\n" +
		"All systems are operational. We apologize for any inconvenience.",
}

// drafts fills the playbook's templates with what the responders know: the
// alert that paged, the alerts firing, what the team has done.
func drafts(team responders.TeamStatus, alerts []Alert, ms []incident.Milestone, postmortem string) *Drafts {
	svc, details := service(team, alerts, ms), impact(alerts)
	fill := strings.NewReplacer("[service]", svc, "[details]", cmp.Or(details, "[details]"))
	d := &Drafts{Notices: map[string]string{}, Postmortem: postmortem}
	for kind, tmpl := range noticeTemplates {
		d.Notices[kind] = fill.Replace(tmpl)
	}
	d.Update = "Status: " + updateStatus(team) + "\n" +
		"Impact: " + cmp.Or(details, "[Current user impact]") + "\n" +
		"Progress: " + progress(team) + "\n" +
		"ETA: [Estimated resolution time]"
	return d
}

// service is the paging alert's service label, else any firing alert's,
// else "the application".
func service(team responders.TeamStatus, alerts []Alert, ms []incident.Milestone) string {
	for _, m := range ms {
		if m.Kind == incident.AlertFiring && m.Subject == team.Alert && m.Labels["service"] != "" {
			return m.Labels["service"]
		}
	}
	for _, a := range alerts {
		if a.Labels["service"] != "" {
			return a.Labels["service"]
		}
	}
	return "the application"
}

// impact is what the firing alerts say, one summary each.
func impact(alerts []Alert) string {
	var out []string
	for _, a := range alerts {
		s := strings.TrimRight(cmp.Or(a.Summary, a.Name+" firing"), ". ")
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return strings.Join(out, "; ")
}

// updateStatus is where the incident stands, in the update's words.
func updateStatus(team responders.TeamStatus) string {
	done := func(a responders.Action) bool { return slices.Contains(team.Done, string(a)) }
	switch {
	case done(responders.Resolve):
		return "Resolved"
	case done(responders.Mitigated):
		return "Monitoring"
	case slices.ContainsFunc(team.Runs, func(r responders.RunStatus) bool { return r.State == "running" }):
		return "Fixing"
	case done(responders.Diagnosed):
		return "Identified"
	}
	return "Investigating"
}

// progress says what the team has done so far.
func progress(team responders.TeamStatus) string {
	var parts []string
	for _, r := range team.Roles {
		if r.Acked {
			parts = append(parts, r.Title+" ("+cmp.Or(r.AckedBy, r.Person)+") engaged")
		}
	}
	for _, r := range team.Runs {
		parts = append(parts, "playbook "+r.Playbook+" "+r.State)
	}
	if len(parts) == 0 {
		return "[What's being done]"
	}
	return strings.Join(parts, "; ")
}
