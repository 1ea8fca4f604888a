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
