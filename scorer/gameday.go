package scorer

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/firedrill/firedrill/incident"
)

// Game-day criterion IDs: the playbook's Monthly Incident Drill "Evaluation
// Criteria", scored when people were on call.
const (
	IDAssessment    = "gameday_severity"
	IDEscalation    = "gameday_escalation"
	IDCommunication = "gameday_communication"
	IDMitigated     = "gameday_mitigation"
	IDPostmortem    = "gameday_postmortem"
)

// AutomatedNote is the note of a fault drill that is not a game day.
const AutomatedNote = "automated drill: scored on the detection, response and monthly-drill targets; " +
	"the game-day criteria (severity assessment, escalation, communication, mitigation, post-mortem) apply when people are on call"

// gameDay is the scoring context of the game-day criteria: the drill's
// milestones after T0 (sorted), which belong to the drill's incident, and
// the verdict so far.
type gameDay struct {
	after   []incident.Milestone
	ofDrill func(incident.Milestone) bool
	v       *Verdict
	t       Targets
	// end is when the game day closed: the last milestone's drill time.
	end time.Duration
}

// isGameDay says whether the drill's incident has a game-day milestone.
func (g gameDay) isGameDay() bool {
	for _, m := range g.after {
		if slices.Contains(incident.GameDayKinds, m.Kind) && g.ofDrill(m) {
			return true
		}
	}
	return false
}

// all are the drill's incident's milestones of kind that match accepts (nil:
// all), in drill-time order.
func (g gameDay) all(kind incident.Kind, match func(incident.Milestone) bool) []incident.Milestone {
	var out []incident.Milestone
	for _, m := range g.after {
		if m.Kind == kind && g.ofDrill(m) && (match == nil || match(m)) {
			out = append(out, m)
		}
	}
	return out
}

// criteria are the five evaluation criteria.
func (g gameDay) criteria() []Criterion {
	w := g.t.Weights
	g.v.Escalations = len(g.all(incident.RolePaged, func(m incident.Milestone) bool { return m.Labels[incident.EscalatedLabel] == "true" }))
	cs := []Criterion{g.assessment(w.Assessment), g.escalation(w.Escalation), g.communication(w.Communication)}
	mit := happened(IDMitigated, "Successful mitigation", "T0", w.Mitigated, g.v.Marks.Mitigated.Sub(g.v.Marks.T0))
	if !mit.Met {
		mit.Note = "nobody recorded a mitigation of the drill's incident"
	}
	// Whether the incident was mitigated is the drill's mitigation
	// milestone again: one defect, sharing its weight.
	mit.Judges = "mitigated"
	cs = append(cs, mit)
	if c, ok := g.postmortem(w.Postmortem); ok {
		cs = append(cs, c)
	}
	return cs
}

// assessment: the incident's declared severity equals its alerts'. The
// last declaration counts: a re-assessment as more alerts fire replaces
// the first call.
func (g gameDay) assessment(weight float64) Criterion {
	c := Criterion{ID: IDAssessment, Name: "Correct severity assessment", From: "detected", Expect: ExpectMatch, Weight: max(weight, 0)}
	decl := g.all(incident.SeverityDeclared, nil)
	if len(decl) == 0 {
		c.Status, c.Measured = StatusMissing, Missing()
		c.Note = "no severity was declared"
		return c
	}
	last := decl[len(decl)-1]
	c.Measured = Measured(last.Drill).Sub(g.v.Marks.Detected)
	var calls []string
	for _, m := range decl {
		calls = append(calls, m.Severity.String())
	}
	switch {
	case g.v.Severity == incident.SeverityUnknown:
		c.Status = StatusMissing
		c.Note = "declared " + last.Severity.String() + ", but no firing alert carried a severity to compare with"
	case last.Severity == g.v.Severity:
		c.Status, c.Met, c.Credit = StatusMet, true, 1
		c.Note = "declared " + strings.Join(calls, " then ") + "; the alerts say " + g.v.Severity.String()
	default:
		c.Status = StatusWrong
		c.Note = "declared " + strings.Join(calls, " then ") + "; the alerts say " + g.v.Severity.String() + " (" + g.v.SeverityAlert + ")"
	}
	return c
}

// escalation: every role the severity pages was paged and acknowledged
// within the severity's response target from detection, by its primary
// or, after an escalation, its backup. One part per role; the criterion's
// credit is their mean.
func (g gameDay) escalation(weight float64) Criterion {
	name := "Proper escalation"
	roles := g.t.GameDay.Roles.For(g.v.Severity)
	target := g.t.Response.For(g.v.Severity)
	switch {
	case g.v.Severity == incident.SeverityUnknown:
		return Criterion{ID: IDEscalation, Name: name, From: "detected", Expect: ExpectWithin, Status: StatusMissing,
			Measured: Missing(), Weight: max(weight, 0), Note: "no firing alert carried a severity, so no escalation applies"}
	case len(roles) == 0:
		return Criterion{ID: IDEscalation, Name: name, From: "detected", Expect: ExpectWithin, Status: StatusMet, Met: true,
			Credit: 1, Measured: Missing(), Weight: max(weight, 0),
			Note: g.v.Severity.String() + " pages nobody during the drill (the escalation table)"}
	}
	var parts []Criterion
	for _, role := range roles {
		ofRole := func(m incident.Milestone) bool { return m.Labels[incident.RoleLabel] == role }
		p := judge(role, "role "+role+" acknowledged", "detected", target, 1, Missing())
		switch pages, acks := g.all(incident.RolePaged, ofRole), g.all(incident.RoleAcknowledged, ofRole); {
		case len(pages) == 0:
			p.Note = "never paged"
		case len(acks) == 0:
			p.Note = "paged, never acknowledged"
		default:
			p = judge(role, "role "+role+" acknowledged", "detected", target, 1, Measured(acks[0].Drill).Sub(g.v.Marks.Detected))
			p.Note = "by " + cmp.Or(acks[0].Labels[incident.PersonLabel], "someone")
			if len(pages) > 1 {
				p.Note += fmt.Sprintf(" after %d pages (escalated to the backup)", len(pages))
			}
		}
		parts = append(parts, p)
	}
	c := compound(IDEscalation, name, weight, parts)
	c.Note = fmt.Sprintf("%s pages %d role(s); %d escalated to a backup; %s", g.v.Severity, len(roles), g.v.Escalations, c.Note)
	return c
}

// communication: the first internal update and the first status-page
// notice within their targets after the acknowledgement, then an update
// at least every UpdateEvery until resolved (or the game day closed), and
// a Resolution notice.
func (g gameDay) communication(weight float64) Criterion {
	t := g.t.GameDay
	from, origin := "acknowledged", g.v.Marks.Acknowledged
	if !origin.Present {
		from, origin = "detected", g.v.Marks.Detected
	}
	updates := g.all(incident.UpdatePosted, nil)
	notices := g.all(incident.NoticePublished, nil)
	firstOf := func(ms []incident.Milestone) Measurement {
		for _, m := range ms {
			if d, ok := origin.Get(); ok && m.Drill >= d {
				return Measured(m.Drill)
			}
		}
		return Missing()
	}
	var parts []Criterion
	if t.FirstUpdate > 0 {
		parts = append(parts, judge("first_update", "first internal update", from, t.FirstUpdate, 1, firstOf(updates).Sub(origin)))
	}
	if t.FirstNotice > 0 {
		parts = append(parts, judge("first_notice", "first status-page notice", from, t.FirstNotice, 1, firstOf(notices).Sub(origin)))
	}
	if t.UpdateEvery > 0 {
		parts = append(parts, judge("update_cadence", "longest time without an update", "the previous update", t.UpdateEvery, 1, g.longestGap(updates)))
	}
	res := happened("resolution_notice", "Resolution notice", "T0", 1, Missing())
	for _, m := range notices {
		if m.Labels[incident.NoticeLabel] == incident.NoticeResolution {
			res = happened("resolution_notice", "Resolution notice", "T0", 1, Measured(m.Drill).Sub(g.v.Marks.T0))
			break
		}
	}
	parts = append(parts, res)
	return compound(IDCommunication, "Effective communication", weight, parts)
}

// longestGap is the longest stretch between internal updates, from the
// first until the incident was resolved (or the game day closed); missing
// with no update at all.
func (g gameDay) longestGap(updates []incident.Milestone) Measurement {
	if len(updates) == 0 {
		return Missing()
	}
	end := g.end
	if d, ok := g.v.Marks.Resolved.Get(); ok {
		end = d
	}
	var longest time.Duration
	prev := updates[0].Drill
	for _, m := range updates[1:] {
		if m.Drill > end {
			break
		}
		longest = max(longest, m.Drill-prev)
		prev = m.Drill
	}
	return Measured(max(longest, end-prev))
}

// postmortem: submitted before the game day closed, for P1 and P2 (the
// playbook's Post-Mortem Completion target, 100% for P1/P2). Not a
// criterion for P3, P4 or an unknown severity.
func (g gameDay) postmortem(weight float64) (Criterion, bool) {
	if g.v.Severity != incident.P1 && g.v.Severity != incident.P2 {
		return Criterion{}, false
	}
	m := Missing()
	if pm := g.all(incident.PostmortemSubmitted, nil); len(pm) > 0 {
		m = Measured(pm[0].Drill).Sub(g.v.Marks.T0)
	}
	c := happened(IDPostmortem, "Post-mortem completed", "T0", weight, m)
	if !c.Met {
		c.Note = "no post-mortem was submitted before the game day closed (required for P1/P2)"
	}
	return c, true
}

// happened is a criterion met when its milestone happened at all.
func happened(id, name, from string, weight float64, m Measurement) Criterion {
	c := Criterion{ID: id, Name: name, From: from, Expect: ExpectHappen, Measured: m, Weight: max(weight, 0), Status: StatusMissing}
	if m.Present {
		c.Status, c.Met, c.Credit = StatusMet, true, 1
	}
	return c
}

// compound is a criterion made of parts: met when every part is, missing
// when any is, late otherwise; its credit is the mean of theirs. It shows
// the part that decided it (the first missing, else the least credited
// late one, else the one closest to its target), and its note sums up
// every part.
func compound(id, name string, weight float64, parts []Criterion) Criterion {
	c := Criterion{ID: id, Name: name, Expect: ExpectWithin, Weight: max(weight, 0), Parts: parts, Status: StatusMet, Met: true}
	if len(parts) == 0 {
		c.Credit = 1
		return c
	}
	decide := -1
	var sum float64
	var notes []string
	for i, p := range parts {
		sum += p.Credit
		notes = append(notes, partNote(p))
		switch p.Status {
		case StatusMet:
		case StatusLate:
			if c.Status == StatusMet || (c.Status == StatusLate && p.Credit < parts[decide].Credit) {
				c.Status, decide = StatusLate, i
			}
		default: // missing, wrong
			if c.Status != StatusMissing {
				c.Status, decide = StatusMissing, i
			}
		}
	}
	c.Credit = sum / float64(len(parts))
	c.Met = c.Status == StatusMet
	if decide < 0 { // all met: the tightest part, closest to its target
		decide = 0
		tightest := -1.0
		for i, p := range parts {
			if d, ok := p.Measured.Get(); ok && p.Target > 0 && float64(d)/float64(p.Target) > tightest {
				decide, tightest = i, float64(d)/float64(p.Target)
			}
		}
	}
	d := parts[decide]
	c.From, c.Target, c.Measured = d.From, d.Target, d.Measured
	if d.Expect == ExpectHappen {
		c.Expect = ExpectHappen
	}
	c.Note = strings.Join(notes, "; ")
	return c
}

// partNote is one part as a reader sees it in the criterion's note.
func partNote(p Criterion) string {
	var b strings.Builder
	b.WriteString(p.Name)
	switch {
	case p.Expect == ExpectHappen && p.Met:
		b.WriteString(": yes")
	case p.Expect == ExpectHappen:
		b.WriteString(": missing")
	case !p.Measured.Present:
		b.WriteString(": missing")
	default:
		// Seconds are what people read; the measurement keeps its precision.
		fmt.Fprintf(&b, " %s after %s (≤ %s)", p.Measured.Value.Round(time.Second), p.From, p.Target)
		if p.Status == StatusLate {
			b.WriteString(": late")
		}
	}
	if p.Note != "" {
		b.WriteString(" (" + p.Note + ")")
	}
	return b.String()
}
