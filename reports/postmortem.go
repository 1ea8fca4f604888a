package reports

import (
	"cmp"
	_ "embed"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/scorer"
)

// The post-mortem draft follows the playbook's Post-Mortem Template section
// by section, filling what the drill knows (timeline, impact duration, what
// was detected, acknowledged and resolved, the missed criteria as action
// items) and leaving the template's brackets where only people can answer.

//go:embed templates/postmortem.md.tmpl
var postmortemSource string

var postmortemTmpl = template.Must(template.New("postmortem").Funcs(template.FuncMap{
	"md":   mdText,
	"cell": mdCell,
	"code": mdCode,
}).Parse(postmortemSource))

func init() { Register("postmortem", WithFileName("postmortem.md", RendererFunc(renderPostmortem))) }

type pmRun struct {
	RunID     string
	Incidents []pmIncident
	Steady    []pmSteady
	// NotScored are the drills that errored or were aborted: no verdict,
	// nothing to post-mortem but why.
	NotScored []pmSteady
}

type pmIncident struct {
	// Origin is what the timeline's third column counts from: "T0" (the
	// fault), or "detection" when the fault is not known (the responders'
	// draft of a running game day).
	Origin string
	// Wall: the timeline shows wall times of day (realtime and paced
	// clocks); on the compressed clock only drill times mean something.
	Wall bool
	// RunID is the run the drill belongs to; "" for a drill in progress.
	RunID                    string
	Title, Feature, Date, ID string
	// Authors are the people who acted on the incident, in the order they
	// first did; "" when none did.
	Authors string
	// Submitted is the team's post-mortem; nil when none was submitted
	// (the draft is shown).
	Submitted *pmSubmitted
	// Scored: the drill has a verdict (criteria, score, result).
	Scored               bool
	Notes                []string
	Summary, Impact      string
	Fault, FaultDetail   string
	Resolution           string
	Events               []pmEvent
	Steps                []pmStep
	Met, Missed, Actions []string
	Criteria             []pmCriterion
	Score, Result        string
}

type pmEvent struct{ At, Drill, FromT0, Text string }

// pmSubmitted is the team's post-mortem as submitted: its last revision,
// fenced so that nothing in it renders as markup.
type pmSubmitted struct {
	Who, At, Drill, Fenced string
	Revisions              int
}

type pmStep struct{ Name, Phase, Kind, Start, End, Outcome string }

type pmCriterion struct{ Name, Target, Measured, Verdict string }

type pmSteady struct{ Name, Feature, Result, Note string }

func renderPostmortem(w io.Writer, r Result) error {
	run := pmRun{RunID: orDash(r.RunID)}
	for i, d := range r.Drills {
		v, scored := d.Scored()
		if !scored {
			note := notScored(d)
			if d.Error != "" {
				note += ": " + oneLine(d.Error)
			}
			run.NotScored = append(run.NotScored, pmSteady{Name: d.Scenario, Feature: d.Feature, Result: resultWord(d.Status), Note: note})
			continue
		}
		if v.SteadyState {
			note := "no alert fired"
			for _, c := range v.Criteria {
				if c.Note != "" {
					note = c.Note
				}
			}
			if d.Error != "" {
				note = d.Error
			}
			run.Steady = append(run.Steady, pmSteady{Name: d.Scenario, Feature: d.Feature, Result: resultWord(d.Status), Note: note})
			continue
		}
		tod := timeOfDayOf(r.Environment.Clock)
		p := pmDrill(r.RunID, r.Started, i, d, tod, cmp.Or(r.Environment.Tick, incident.DefaultTick))
		p.RunID = run.RunID
		if pm, ok := submittedPostmortem(d); ok {
			p.Submitted = &pmSubmitted{Who: cmp.Or(pm.Who, "[Names]"), At: tod.of(pm.M), Drill: fmtClock(pm.M.Drill),
				Fenced: mdFenced("markdown", pm.Text), Revisions: pm.Revisions}
		}
		run.Incidents = append(run.Incidents, p)
	}
	if err := postmortemTmpl.Execute(w, run); err != nil {
		return fmt.Errorf("render postmortem: %w", err)
	}
	return nil
}

// PostmortemDraft is the playbook's post-mortem template filled in for one
// drill from its timeline and verdict, as postmortem.md drafts it: what
// the game-day console's post-mortem form starts from while the drill
// runs. It works on a partial timeline and a nil Verdict (the drill has
// no score yet: the draft then says what the timeline says so far). A
// Verdict without a Status is the score as it stands.
func PostmortemDraft(d Drill) string {
	if d.Verdict != nil && d.Status == "" {
		d.Status = Failed
		if d.Verdict.Passed {
			d.Status = Passed
		}
	}
	// A draft is written while a game day runs, on the wall clock (or
	// paced): its wall times are when people acted.
	p := pmDrill("", d.Started, 0, d, timeOfDay{wall: true}, incident.DefaultTick)
	if !p.Scored {
		p.Result = "in progress"
		if d.Status != "" {
			p.Result = notScored(d)
		}
	}
	var b strings.Builder
	if err := postmortemTmpl.Execute(&b, pmRun{Incidents: []pmIncident{p}}); err != nil {
		// The template is fixed and its data plain strings: an error here
		// is a bug in the template, found by the tests.
		return "post-mortem draft: " + err.Error()
	}
	return b.String()
}

func pmDrill(runID string, started time.Time, i int, d Drill, tod timeOfDay, tick time.Duration) pmIncident {
	v, scored := d.Scored()
	ms := sortedTimeline(d.Timeline)
	t0, _ := d.t0()
	fault, ok := firstOf(ms, incident.FaultInjected)
	// A timeline without its fault is what the game day's responders see:
	// times then count from the detection, the first alert that fired.
	origin := "T0"
	if !ok {
		if m, detected := firstOf(ms, incident.AlertFiring); detected {
			t0, origin = m.Drill, "detection"
		}
	}
	// The date is the wall date: a simulated timestamp is no day anyone
	// lived through.
	when := started
	if ok && !fault.Wall.IsZero() {
		when = fault.Wall
	}
	title := d.Scenario + " (drill)"
	if name := incidentName(d); name != "" {
		title = name + " — " + title
	}
	p := pmIncident{
		RunID:   runID,
		Wall:    tod.wall,
		Title:   title,
		Feature: d.Feature,
		Date:    "[YYYY-MM-DD]",
		ID:      incidentID(runID, i, when),
		Fault:   fault.Subject,
		Score:   fmtScore(v.Score),
		Result:  resultWord(d.Status),
		Scored:  scored,
		Notes:   v.Notes,
		Authors: strings.Join(peopleOf(ms), ", "),
		Origin:  origin,
	}
	if !when.IsZero() {
		p.Date = when.UTC().Format("2006-01-02")
	}
	if fault.Detail != "" {
		p.FaultDetail = fault.Detail
	}
	for _, m := range ms {
		text := describe(m)
		if who := personOf(m); who != "" {
			text += " (" + who + ")"
		}
		p.Events = append(p.Events, pmEvent{
			At: tod.of(m), Drill: fmtClock(m.Drill), FromT0: signedClock(m.Drill - t0), Text: text,
		})
	}
	for _, s := range d.Steps {
		p.Steps = append(p.Steps, pmStep{s.Name, s.Phase, s.Kind, fmtClock(s.Start), fmtClock(s.End), s.Outcome})
	}
	if !scored {
		if origin == "detection" {
			p.Summary, p.Impact, p.Resolution = pmSinceDetection(d, ms, t0, tod)
			return p
		}
		p.Summary, p.Impact, p.Resolution = pmSoFar(d, ms, fault, tod)
		return p
	}
	p.Summary = pmSummary(d, fault, tod)
	p.Impact, p.Resolution = pmImpact(d, ms)
	// One action item per defect: the missed criteria that judge one
	// milestone (MTTD and the alert criterion, say) are one late
	// detection to act on, listed together.
	type action struct{ lines, where []string }
	var actions []action
	byMark := map[string]int{}
	for _, c := range v.Criteria {
		p.Criteria = append(p.Criteria, pmCriterion{c.Name, criterionTarget(c), criterionMeasured(c), criterionVerdict(c)})
		if c.Met {
			p.Met = append(p.Met, fmt.Sprintf("%s within target: %s (target %s)", c.Name, fmtMeasure(c.Measured), fmtDur(c.Target)))
			continue
		}
		if why, ok := configuredBy(c, v, ms, tick); ok {
			// The drill set this delay: saying so is the lesson, and
			// there is nothing for anyone to act on.
			p.Missed = append(p.Missed, missedLine(c)+" — "+why)
			continue
		}
		p.Missed = append(p.Missed, missedLine(c))
		i, ok := byMark[c.Judges]
		if !ok || c.Judges == "" {
			i = len(actions)
			byMark[c.Judges] = i
			actions = append(actions, action{})
		}
		a := &actions[i]
		a.lines = append(a.lines, missedLine(c))
		if w := whereFor(c); w != "" && !slices.Contains(a.where, w) {
			a.where = append(a.where, w)
		}
	}
	for _, a := range actions {
		item := strings.Join(a.lines, "; ")
		if len(a.where) > 0 {
			item += " — " + strings.Join(a.where, "; ")
		}
		p.Actions = append(p.Actions, item)
	}
	for _, c := range d.Checks {
		if c.Status == CheckFailed {
			p.Missed = append(p.Missed, "Then step not met: "+oneLine(c.Step)+": "+oneLine(c.Error))
		}
	}
	if e := d.errorBeyondChecks(); e != "" {
		p.Missed = append(p.Missed, "The drill stopped with an error: "+oneLine(e))
		p.Actions = append(p.Actions, "Fix the drill error: "+oneLine(e))
	}
	return p
}

func pmSummary(d Drill, fault incident.Milestone, tod timeOfDay) string {
	v, _ := d.Scored()
	var b strings.Builder
	fmt.Fprintf(&b, "Drill %s (%s) injected the fault %s %s.",
		mdEm(d.Scenario), mdText(d.Feature), mdCode(fault.Subject), tod.when(fault))
	if !v.Marks.Detected.Present {
		b.WriteString(" No alert fired: the incident was never detected, so it was never acknowledged through a page.")
	} else {
		fmt.Fprintf(&b, " The incident was declared %s", severityOf(v))
		if v.SeverityAlert != "" {
			fmt.Fprintf(&b, " from alert %s", mdCode(v.SeverityAlert))
		}
		fmt.Fprintf(&b, ". It was detected %s after the fault (MTTD%s)", fmtMeasure(v.MTTD), targetNote(v, scorer.IDMTTD))
		if v.MTTA.Present {
			fmt.Fprintf(&b, ", acknowledged %s after detection (MTTA%s)", fmtMeasure(v.MTTA), targetNote(v, scorer.IDMTTA))
		} else {
			b.WriteString(", never acknowledged")
		}
		if v.MTTR.Present {
			fmt.Fprintf(&b, " and resolved %s after the fault (MTTR%s).", fmtMeasure(v.MTTR), targetNote(v, scorer.IDMTTR))
		} else {
			b.WriteString(" and not resolved within the drill.")
		}
	}
	missed := len(v.Missed())
	switch {
	case missed == 0:
		fmt.Fprintf(&b, " It met all %d criteria and scored %s/100.", len(v.Criteria), fmtScore(v.Score))
	default:
		fmt.Fprintf(&b, " It missed %d of %d criteria and scored %s/100.", missed, len(v.Criteria), fmtScore(v.Score))
	}
	return b.String()
}

func targetNote(v scorer.Verdict, id string) string {
	if c, ok := v.Criterion(id); ok {
		return ", target " + fmtDur(c.Target)
	}
	return ""
}

// pmImpact is the impact duration (fault injected to resolved) and the
// resolution sentence.
func pmImpact(d Drill, ms []incident.Milestone) (impact, resolution string) {
	v, _ := d.Scored()
	if mttr, ok := v.MTTR.Get(); ok {
		impact = fmtDur(mttr) + " (fault injected to resolved)"
		resolution = fmt.Sprintf("Resolved at drill time %s, %s after the fault was injected.", fmtClock(v.Marks.Resolved.Value), fmtDur(mttr))
		if m, ok := v.Marks.Mitigated.Get(); ok {
			resolution += fmt.Sprintf(" Mitigation was applied at drill time %s.", fmtClock(m))
		}
		return impact, resolution
	}
	end := v.Marks.T0.Value
	if len(ms) > 0 {
		end = ms[len(ms)-1].Drill
	}
	for _, s := range d.Steps {
		end = max(end, s.End)
	}
	impact = fmt.Sprintf("unresolved: at least %s (the drill's record ends at drill time %s)", fmtDur(end-v.Marks.T0.Value), fmtClock(end))
	resolution = "The incident was not resolved within the drill."
	if m, ok := v.Marks.Mitigated.Get(); ok {
		resolution += fmt.Sprintf(" Mitigation was applied at drill time %s, but verification did not pass.", fmtClock(m))
	}
	return impact, resolution
}

// configuredBy says why a missed criterion is the drill's own setting,
// not a finding: the acknowledgement came when the responder's declared
// think time (the scenario's "acknowledges after D") said it would, within
// the tick that measures it, and the criterion would have been met but for
// that think time. A post-mortem never makes an action item of a delay the
// drill configured.
func configuredBy(c scorer.Criterion, v scorer.Verdict, ms []incident.Milestone, tick time.Duration) (string, bool) {
	if c.Judges != "acknowledged" || c.Status != scorer.StatusLate {
		return "", false
	}
	ack, ok := v.Marks.Acknowledged.Get()
	if !ok {
		return "", false
	}
	paged, ok := v.Marks.Paged.Get()
	if !ok {
		return "", false
	}
	var think time.Duration
	for _, m := range ms {
		if m.Kind == incident.Acknowledged && m.Drill == ack && m.Labels[incident.IncidentLabel] == v.Incident {
			d, err := time.ParseDuration(m.Labels[incident.ThinkLabel])
			if err != nil {
				return "", false
			}
			think = d
			break
		}
	}
	took := ack - paged
	judged, _ := c.Judged().Get()
	if think <= 0 || took > think+tick || judged-think > c.Target {
		return "", false
	}
	return fmt.Sprintf("set by the drill, not a finding: the responder acknowledged %s after the page, its declared think time (%s, the scenario's \"acknowledges after\" step); without it the target is met",
		fmtDur(took), fmtDur(think)), true
}

// whereFor is where in the playbook to look about a missed criterion
// ("" when there is no better pointer than the criterion itself).
func whereFor(c scorer.Criterion) string {
	return map[string]string{
		scorer.IDMTTD:       "review the alert rules' thresholds and for: durations",
		scorer.IDAlert:      "review the alert rules' thresholds and for: durations",
		scorer.IDMTTA:       "review paging and the on-call acknowledgement path",
		scorer.IDResponse:   "review paging and the on-call acknowledgement path",
		scorer.IDAck:        "review how fast an incident commander is assigned",
		scorer.IDDiagnosis:  "review the diagnosis runbook",
		scorer.IDMitigation: "review the mitigation steps of the runbook",
		scorer.IDMTTR:       "review recovery and verification",
		scorer.IDRestored:   "review recovery and verification",
		scorer.IDQuiet:      "review the alert that fired without a fault",
	}[c.ID]
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

// when is "at drill time 01:00", with the wall time of day before it when
// it means something: "at 09:31:00 UTC (drill time 01:00)".
func (t timeOfDay) when(m incident.Milestone) string {
	if at := t.of(m); at != "" {
		return "at " + at + " UTC (drill time " + fmtClock(m.Drill) + ")"
	}
	return "at drill time " + fmtClock(m.Drill)
}

// signedClock is a drill time relative to T0: +01:00, -00:30.
func signedClock(d time.Duration) string {
	if d < 0 {
		return fmtClock(d)
	}
	return "+" + fmtClock(d)
}

// pmSoFar is the summary, impact and resolution of a drill without a
// verdict (in progress): what its timeline says so far, read without
// scoring (the first of each milestone after the fault).
func pmSoFar(d Drill, ms []incident.Milestone, fault incident.Milestone, tod timeOfDay) (summary, impact, resolution string) {
	t0, ok := d.t0()
	if !ok {
		return fmt.Sprintf("Drill %s (%s): no fault has been injected yet.", mdEm(d.Scenario), mdText(d.Feature)),
			"[Duration]", "[How the incident was resolved]"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Drill %s (%s) injected the fault %s %s.",
		mdEm(d.Scenario), mdText(d.Feature), mdCode(fault.Subject), tod.when(fault))
	after := slices.DeleteFunc(slices.Clone(ms), func(m incident.Milestone) bool { return m.Drill < t0 })
	b.WriteString(soFar(after, t0, "after the fault", true))
	end := t0
	if len(ms) > 0 {
		end = max(end, ms[len(ms)-1].Drill)
	}
	if m, ok := firstOf(after, incident.Resolved); ok {
		return b.String(), fmtDur(m.Drill-t0) + " (fault injected to resolved)",
			fmt.Sprintf("Resolved at drill time %s, %s after the fault was injected.", fmtClock(m.Drill), fmtDur(m.Drill-t0))
	}
	return b.String(), fmt.Sprintf("ongoing: %s so far (drill time %s)", fmtDur(end-t0), fmtClock(end)),
		"[How the incident was resolved]"
}

// soFar is " So far: acknowledged 1m after …, …." for the first of each
// response milestone of ms, timed from origin ("" when none happened);
// detected says whether the detection is listed too.
func soFar(ms []incident.Milestone, origin time.Duration, after string, detected bool) string {
	marks := []struct {
		kind incident.Kind
		what string
	}{{incident.AlertFiring, "detected"}, {incident.Acknowledged, "acknowledged"}, {incident.SeverityDeclared, "severity declared"},
		{incident.Diagnosed, "diagnosed"}, {incident.Mitigated, "mitigated"}, {incident.Resolved, "resolved"}}
	if !detected {
		marks = marks[1:]
	}
	var so []string
	for _, x := range marks {
		m, ok := firstOf(ms, x.kind)
		if !ok {
			continue
		}
		s := x.what
		if x.kind == incident.SeverityDeclared {
			s += " " + m.Severity.String()
		}
		s += " " + fmtDur(m.Drill-origin) + " " + after
		if who := personOf(m); who != "" {
			s += " by " + mdText(who)
		}
		so = append(so, s)
	}
	if len(so) == 0 {
		return ""
	}
	return " So far: " + strings.Join(so, ", ") + "."
}

// pmSinceDetection is pmSoFar for a timeline without its fault (the
// responders' view of a running game day): the incident as the people saw
// it, from its detection at det.
func pmSinceDetection(d Drill, ms []incident.Milestone, det time.Duration, tod timeOfDay) (summary, impact, resolution string) {
	first, _ := firstOf(ms, incident.AlertFiring)
	var b strings.Builder
	fmt.Fprintf(&b, "During drill %s (%s) the incident was detected %s by the alert %s",
		mdEm(d.Scenario), mdText(d.Feature), tod.when(first), mdCode(first.Subject))
	if first.Severity != incident.SeverityUnknown {
		b.WriteString(" (" + first.Severity.String() + ")")
	}
	b.WriteString(".")
	b.WriteString(soFar(ms, det, "after detection", false))
	end := ms[len(ms)-1].Drill
	if m, ok := firstOf(ms, incident.Resolved); ok {
		return b.String(), fmtDur(m.Drill-det) + " (detected to resolved)",
			fmt.Sprintf("Resolved at drill time %s, %s after detection.", fmtClock(m.Drill), fmtDur(m.Drill-det))
	}
	return b.String(), fmt.Sprintf("ongoing: %s since detection (drill time %s)", fmtDur(end-det), fmtClock(end)),
		"[How the incident was resolved]"
}

// peopleOf are the people who acted on the timeline, in the order they
// first did.
func peopleOf(ms []incident.Milestone) []string {
	var out []string
	for _, m := range ms {
		if who := personOf(m); who != "" && !slices.Contains(out, who) {
			out = append(out, who)
		}
	}
	return out
}
