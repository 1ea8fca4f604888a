package reports

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/scorer"
)

//go:embed templates/report.html.tmpl
var htmlSource string

// htmlTmpl is parsed once; html/template escapes every value by context.
// No function here returns template.HTML (or any other "safe" type): drill
// strings are data, always.
var htmlTmpl = template.Must(template.New("report").Funcs(template.FuncMap{
	"f1": func(f float64) string { return fmt.Sprintf("%.1f", f) },
}).Parse(htmlSource))

func init() { Register("html", WithFileName("report.html", RendererFunc(renderHTML))) }

type htmlRun struct {
	RunID, Started, Finished, Wall string
	Provider, Clock, Tick          string
	// ClockNote says which clock the times are on; WallClock whether
	// events show a wall time of day (realtime and paced runs only).
	ClockNote               string
	WallClock               bool
	Passed, Failed, Aborted int
	TotalText, ErrorsText   string
	Summary                 []htmlStat
	Targets                 []htmlTarget
	Severities              []htmlSeverity
	Routing                 string
	Drills                  []htmlDrill
	Definitions             []definition
}

type htmlStat struct {
	Name, Measured, Missing, P50, P90, Target string
}

type htmlTarget struct{ Name, Value string }

// htmlSeverity is one severity with the label values that read as it.
type htmlSeverity struct{ Severity, Labels, Response string }

type htmlDrill struct {
	Anchor, Scenario, Feature, Tags string
	Status, Result                  string
	// Error is the drill's error in full, less what the Then steps say.
	Error string
	// Why is the drill's failure in one line (empty when it passed).
	Why string
	// Ended is how its run ended (Drill.Ended).
	Ended string
	// Checks are the scenario's Then steps with their verdicts.
	Checks                  []htmlCheck
	Severity, SeverityAlert string
	MTTD, MTTA, MTTR        metricCell
	Score                   string
	Steady                  bool
	// NotScored says why the drill has no verdict; empty when it has one.
	NotScored                string
	Incident, OtherIncidents string
	// IncidentID and IncidentName name the drill's incident: unique across
	// runs, and after its cause (the most severe alert, earliest of equals).
	IncidentID, IncidentName string
	TimeToPage               string
	Timing                   string
	Noise                    []htmlNoise
	Chart                    chart
	Criteria                 []htmlCriterion
	Steps                    []htmlStep
	Events                   []htmlEvent
	// Notes are the verdict's notes (an automated drill says which
	// criteria applied to it).
	Notes []string
	// GameDay: people were on call, so the people's actions,
	// communications and post-mortem are shown (as "none" when empty).
	GameDay    bool
	Actions    []htmlEvent
	Comms      []htmlComm
	Postmortem *htmlPostmortem
}

// htmlEvent is one timeline entry; Who is the person who acted, if one did.
type htmlEvent struct {
	At, Drill, FromT0, Who, Role, Text string
}

// htmlComm is one entry of the communications log.
type htmlComm struct {
	Drill, FromT0, Who, Channel, Kind, Text string
}

// htmlPostmortem is the team's post-mortem as submitted (last revision).
type htmlPostmortem struct {
	Who, Drill, At, Text string
	Revisions            int
}

// htmlNoise is a rule that fired with no fault.
type htmlNoise struct{ Alert, Severity, Expr, Series, First string }

type htmlCriterion struct {
	Name, From, Target, Measured, Verdict, Status, Credit, Weight, Note string
	// Parts are a compound criterion's checks (escalation per role,
	// communication's first update, notice, cadence, resolution notice).
	Parts []htmlCriterion
}

// htmlCheck is one Then step; Class colours its verdict.
type htmlCheck struct{ Step, Status, Class, Error string }

type htmlStep struct {
	Name, Phase, Kind, Start, End, Took, Outcome, Output string
	Failed, Truncated                                    bool
}

func renderHTML(w io.Writer, r Result) error {
	n := r.Counts()
	run := htmlRun{
		RunID: orDash(r.RunID), Started: fmtTime(r.Started), Finished: fmtTime(r.Finished),
		Provider: orDash(r.Environment.Provider), Clock: orDash(string(r.Environment.Clock)), Tick: fmtDur(r.Environment.Tick),
		Passed: n.Passed, Failed: n.Failed, Aborted: n.Aborted, TotalText: plural(len(r.Drills), "drill"), ErrorsText: plural(n.Errored, "error"),
		Definitions: definitions, ClockNote: clockNote(r), WallClock: timeOfDayOf(r.Environment.Clock).wall,
	}
	if span := wallSpan(r.Started, r.Finished); span > 0 {
		run.Wall = fmtDur(span)
	}
	s := scorer.Summarize(r.Verdicts())
	for _, x := range []struct {
		name string
		st   scorer.Stat
		t    string
	}{{"MTTD", s.MTTD, fmtDur(r.Targets.MTTD)}, {"MTTA", s.MTTA, fmtDur(r.Targets.MTTA)}, {"MTTR", s.MTTR, fmtDur(r.Targets.MTTR)}} {
		run.Summary = append(run.Summary, htmlStat{x.name, fmt.Sprint(x.st.Measured), fmt.Sprint(x.st.Missing),
			orDash(optMeasure(x.st.P50)), orDash(optMeasure(x.st.P90)), x.t})
	}
	t := r.Targets
	run.Targets = []htmlTarget{
		{"MTTD", fmtDur(t.MTTD)}, {"MTTA", fmtDur(t.MTTA)}, {"MTTR", fmtDur(t.MTTR)},
		{"Response P1 / P2 / P3 / P4 (on MTTA)", strings.Join([]string{fmtDur(t.Response.P1), fmtDur(t.Response.P2), fmtDur(t.Response.P3), fmtDur(t.Response.P4)}, " / ")},
		{"Drill: alert / ack / diagnosis / mitigation / restored (from T0)", strings.Join([]string{fmtDur(t.Drill.Alert), fmtDur(t.Drill.Ack), fmtDur(t.Drill.Diagnosis), fmtDur(t.Drill.Mitigation), fmtDur(t.Drill.Restored)}, " / ")},
	}
	run.Severities = severityRows(r.SeverityLabels, t.Response)
	run.Routing = r.Routing
	for i, d := range r.Drills {
		run.Drills = append(run.Drills, htmlDrillOf(i, d, r))
	}
	if err := htmlTmpl.Execute(w, run); err != nil {
		return fmt.Errorf("render html: %w", err)
	}
	return nil
}

func htmlDrillOf(i int, d Drill, r Result) htmlDrill {
	tod, targets := timeOfDayOf(r.Environment.Clock), r.Targets
	v, scored := d.Scored()
	c := cellsOf(d)
	h := htmlDrill{
		Anchor: fmt.Sprintf("drill-%d", i+1), Scenario: d.Scenario, Feature: d.Feature, Tags: strings.Join(d.Tags, " "),
		Status: string(d.Status), Result: resultWord(d.Status), Error: d.errorBeyondChecks(), Why: d.Why(), Ended: d.Ended(),
		Severity: c.Severity, SeverityAlert: v.SeverityAlert,
		MTTD: c.MTTD, MTTA: c.MTTA, MTTR: c.MTTR,
		Score: c.Score, Steady: v.SteadyState,
		Incident: v.Incident, OtherIncidents: strings.Join(v.OtherIncidents, ", "),
		IncidentID: incidentID(r.RunID, i, r.Started), IncidentName: incidentName(d),
		TimeToPage: optMeasure(v.TimeToPage),
		Noise:      noiseRows(v.Noise),
	}
	// The error in full only when it says more than the Why line: lines
	// of a log, or more than the one line shown.
	if !strings.Contains(h.Error, "\n") && strings.Contains(h.Why, h.Error) {
		h.Error = ""
	}
	if d.Timing != nil {
		h.Timing = d.Timing.Text()
	}
	if !scored {
		// The Why line under the heading says why; the meta line only
		// that there is no score.
		h.NotScored = notScored(d)
		if h.Why != "" {
			h.NotScored = "not scored"
		}
	} else {
		h.Chart = buildChart(d, v, targets)
	}
	for _, c := range v.Criteria {
		h.Criteria = append(h.Criteria, htmlCriterionOf(c))
	}
	h.Notes = v.Notes
	for _, c := range d.Checks {
		h.Checks = append(h.Checks, htmlCheck{Step: c.Step, Status: c.Status, Class: checkClass(c.Status), Error: c.Error})
	}
	for _, s := range d.Steps {
		h.Steps = append(h.Steps, htmlStep{
			Name: s.Name, Phase: s.Phase, Kind: s.Kind, Start: fmtClock(s.Start), End: fmtClock(s.End),
			Took: fmtDur(s.End - s.Start), Outcome: s.Outcome, Output: s.Output,
			Failed: s.Outcome != "ok", Truncated: s.Truncated,
		})
	}
	fromT0 := fromT0Of(d)
	for _, m := range sortedTimeline(d.Timeline) {
		e := htmlEvent{At: tod.of(m), Drill: fmtClock(m.Drill), FromT0: fromT0(m), Who: personOf(m),
			Role: m.Labels[incident.RoleLabel], Text: describe(m)}
		h.Events = append(h.Events, e)
		if e.Who != "" {
			h.Actions = append(h.Actions, e)
		}
	}
	h.GameDay = isGameDay(d)
	for _, c := range messagesOf(d) {
		h.Comms = append(h.Comms, htmlComm{Drill: fmtClock(c.M.Drill), FromT0: fromT0(c.M), Who: c.Who,
			Channel: c.Channel, Kind: c.Kind, Text: plainText(c.Text)})
	}
	if pm, ok := submittedPostmortem(d); ok {
		h.Postmortem = &htmlPostmortem{Who: orDash(pm.Who), Drill: fmtClock(pm.M.Drill), At: tod.of(pm.M),
			Text: plainText(pm.Text), Revisions: pm.Revisions}
	}
	return h
}

// checkClass colours a Then step's verdict as the criteria's are: passed
// as met, skipped as not applicable, anything else as missed.
func checkClass(status string) string {
	switch status {
	case "passed":
		return "met"
	case "skipped":
		return "na"
	}
	return "missing"
}

func htmlCriterionOf(c scorer.Criterion) htmlCriterion {
	h := htmlCriterion{
		Name: c.Name, From: c.From, Target: criterionTarget(c), Measured: criterionMeasured(c),
		Verdict: criterionVerdict(c), Status: string(c.Status), Credit: fmt.Sprintf("%.2f", c.Credit),
		Weight: criterionWeight(c), Note: c.Note,
	}
	for _, p := range c.Parts {
		h.Parts = append(h.Parts, htmlCriterionOf(p))
	}
	return h
}

// fromT0Of is how far from the drill's T0 a milestone happened (+01:30),
// or "" when the drill has none.
func fromT0Of(d Drill) func(incident.Milestone) string {
	t0, ok := d.t0()
	return func(m incident.Milestone) string {
		if !ok {
			return ""
		}
		return signedClock(m.Drill - t0)
	}
}

// severityRows group the label values by the severity they read as, with
// its response target; none when the result did not record a mapping.
func severityRows(labels map[string]string, resp scorer.ResponseTargets) []htmlSeverity {
	if len(labels) == 0 {
		return nil
	}
	byLevel := map[string][]string{}
	for label, sev := range labels {
		byLevel[sev] = append(byLevel[sev], label)
	}
	var rows []htmlSeverity
	for _, x := range []struct {
		sev string
		d   time.Duration
	}{{"P1", resp.P1}, {"P2", resp.P2}, {"P3", resp.P3}, {"P4", resp.P4}} {
		names := byLevel[x.sev]
		slices.Sort(names)
		rows = append(rows, htmlSeverity{Severity: x.sev, Labels: orDash(strings.Join(names, ", ")), Response: fmtDur(x.d)})
	}
	return rows
}

func noiseRows(ns []scorer.Noise) []htmlNoise {
	var out []htmlNoise
	for _, n := range ns {
		out = append(out, htmlNoise{Alert: n.Alert, Severity: n.Severity, Expr: n.Expr, Series: seriesText(n.Series),
			First: fmtClock(n.First.Value)})
	}
	return out
}

func optMeasure(m scorer.Measurement) string {
	if !m.Present {
		return ""
	}
	return fmtMeasure(m)
}
