package reports

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/scorer"
)

// Shared wording and number formats, so every format says the same thing
// the same way.

// fmtDur is a compact duration for people: 45s, 2m, 12m30s, 1h05m, 0.4s.
func fmtDur(d time.Duration) string {
	if d < 0 {
		// -MinInt64 is MinInt64: one nanosecond less keeps it positive.
		return "-" + fmtDur(-max(d, -math.MaxInt64))
	}
	if d > 0 && d < time.Second {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	d = d.Round(time.Second)
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	switch {
	case h > 0 && s > 0:
		return fmt.Sprintf("%dh%02dm%02ds", h, m, s)
	case h > 0 && m > 0:
		return fmt.Sprintf("%dh%02dm", h, m)
	case h > 0:
		return fmt.Sprintf("%dh", h)
	case m > 0 && s > 0:
		return fmt.Sprintf("%dm%02ds", m, s)
	case m > 0:
		return fmt.Sprintf("%dm", m)
	}
	return fmt.Sprintf("%ds", s)
}

// fmtMeasure is a measurement, or "missing".
func fmtMeasure(m scorer.Measurement) string {
	if d, ok := m.Get(); ok {
		return fmtDur(d)
	}
	return "missing"
}

// fmtClock is a drill time as a clock since the drill began: 02:30, 1:02:30.
func fmtClock(d time.Duration) string {
	neg := ""
	if d < 0 {
		neg, d = "-", -d
	}
	d = d.Round(time.Second)
	h, m, s := int(d/time.Hour), int(d%time.Hour/time.Minute), int(d%time.Minute/time.Second)
	if h > 0 {
		return fmt.Sprintf("%s%d:%02d:%02d", neg, h, m, s)
	}
	return fmt.Sprintf("%s%02d:%02d", neg, m, s)
}

// timeOfDay is how a run's reports show when something happened. On a
// realtime or paced clock people act at wall times, so a milestone's wall
// time of day is shown (UTC) beside its drill time. On the compressed clock
// a drill's half hour passes in seconds: its milestones' timestamps (At:
// the epoch plus drill time, what the TSDB saw) are simulated, no time of
// day anyone lived through, so none is shown and drill times stand alone.
type timeOfDay struct{ wall bool }

func timeOfDayOf(mode incident.Mode) timeOfDay {
	return timeOfDay{wall: mode == incident.Realtime || mode == incident.Paced}
}

// of is m's wall time of day, HH:MM:SS (UTC), or "" when the run's clock
// gives it no meaning (or it was not recorded).
func (t timeOfDay) of(m incident.Milestone) string {
	if !t.wall || m.Wall.IsZero() {
		return ""
	}
	return m.Wall.UTC().Format("15:04:05")
}

// clockNote says, in one sentence, which clock a run's times are on: what
// a reader must know before reading "5m" or "02:30" in a compressed run.
func clockNote(r Result) string {
	var drill, wall time.Duration
	for _, d := range r.Drills {
		if d.Timing != nil {
			drill += time.Duration(d.Timing.Drill)
			wall += time.Duration(d.Timing.Wall)
		}
	}
	took := ""
	if drill > 0 && wall > 0 {
		took = fmt.Sprintf(" (%s of drill time in %s of wall time)", fmtDur(drill), fmtDur(wall))
	}
	switch r.Environment.Clock {
	case incident.Compressed:
		return "Times are drill time, simulated: the compressed clock runs ticks back to back" + took +
			"; they are no times of day."
	case incident.Paced:
		return "Times are drill time, paced faster than the wall clock" + took + "; times of day are wall times (UTC), when people acted."
	case incident.Realtime:
		return "Drill time runs with the wall clock; times of day are wall times (UTC)."
	}
	return "Times are drill time."
}

// fmtScore is a score as a whole number: the score is a summary, and
// decimals would suggest a precision that one-tick resolution lacks.
func fmtScore(f float64) string { return fmt.Sprintf("%.0f", f) }

// fmtTime is a wall or drill timestamp in UTC, the same for every reader.
func fmtTime(t time.Time) string {
	if t.IsZero() {
		return "unknown"
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// criterionVerdict is how reports say a criterion went: met, late with its
// credit, missing, or violated.
func criterionVerdict(c scorer.Criterion) string {
	switch c.Status {
	case scorer.StatusLate:
		return fmt.Sprintf("late (credit %.2f)", c.Credit)
	case scorer.StatusViolated:
		return "violated"
	case "":
		return "unknown"
	}
	return string(c.Status)
}

// criterionMeasured is what was measured as people read it; for an
// absence criterion, when the event happened or "none".
func criterionMeasured(c scorer.Criterion) string {
	if c.Expect == scorer.ExpectAbsent {
		if d, ok := c.Measured.Get(); ok {
			return "at drill time " + fmtClock(d)
		}
		return "none"
	}
	if c.Excused > 0 && c.Measured.Present {
		// What the timeline says, then what was judged once the lateness
		// charged to an earlier milestone is taken off.
		return fmtMeasure(c.Measured) + " (judged " + fmtMeasure(c.Judged()) + ")"
	}
	return fmtMeasure(c.Measured)
}

// criterionWeight is the weight a criterion carries in the score: "1", or
// "1 ÷ 3" when it shares its milestone's weight with two others.
func criterionWeight(c scorer.Criterion) string {
	if c.SharedBy > 1 {
		return fmt.Sprintf("%g ÷ %d", c.Weight, c.SharedBy)
	}
	return fmt.Sprintf("%g", c.Weight)
}

// scoreOf is the drill's score as shown: "-" for a drill that was not
// scored (it could not run, or was interrupted).
func scoreOf(d Drill) string {
	v, ok := d.Scored()
	if !ok {
		return "-"
	}
	return fmtScore(v.Score)
}

// cells are a drill's columns in the run's tables: dashes for a drill that
// was not scored, never numbers it did not earn.
type cells struct {
	Severity         string
	MTTD, MTTA, MTTR metricCell
	Score            string
}

func cellsOf(d Drill) cells {
	v, ok := d.Scored()
	if !ok {
		dash := metricCell{Value: "-", Status: "na"}
		return cells{Severity: "-", MTTD: dash, MTTA: dash, MTTR: dash, Score: "-"}
	}
	return cells{Severity: severityOf(v), MTTD: metric(v, scorer.IDMTTD, v.MTTD), MTTA: metric(v, scorer.IDMTTA, v.MTTA),
		MTTR: metric(v, scorer.IDMTTR, v.MTTR), Score: fmtScore(v.Score)}
}

// notScored says why a drill has no verdict, for every format to print
// instead of one.
func notScored(d Drill) string {
	if d.Status == Aborted {
		return "not scored: the run was interrupted before this drill finished"
	}
	return "not scored: the drill could not run as written"
}

// plural is "1 error", "2 errors".
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// criterionTarget is the criterion's target as people read it.
func criterionTarget(c scorer.Criterion) string {
	switch {
	case c.Expect == scorer.ExpectAbsent:
		return "never"
	case c.Target <= 0:
		return "none"
	}
	return "≤ " + fmtDur(c.Target) + " from " + c.From
}

// whyMissed is a missed criterion as a drill's reason for failing:
// "MTTD 5m15s, target 5m".
func whyMissed(c scorer.Criterion) string {
	var s string
	switch c.Status {
	case scorer.StatusLate:
		s = fmt.Sprintf("%s %s, target %s", c.Name, criterionMeasured(c), fmtDur(c.Target))
	case scorer.StatusViolated:
		s = fmt.Sprintf("%s: violated at drill time %s", c.Name, fmtClock(c.Measured.Value))
	case scorer.StatusWrong:
		s = c.Name + ": wrong"
	case scorer.StatusMissing:
		s = c.Name + " missing"
		if c.Target > 0 {
			s += ", target " + fmtDur(c.Target)
		}
	default:
		s = c.Name + " not met"
	}
	if c.Note != "" {
		s += " (" + c.Note + ")"
	}
	return oneLine(s)
}

// missedLine is one missed criterion in a sentence: what JUnit failures and
// post-mortem action items list.
func missedLine(c scorer.Criterion) string {
	var b strings.Builder
	b.WriteString(c.Name)
	switch c.Status {
	case scorer.StatusLate:
		fmt.Fprintf(&b, " late: %s, target %s (credit %.2f)", criterionMeasured(c), fmtDur(c.Target), c.Credit)
	case scorer.StatusViolated:
		fmt.Fprintf(&b, " violated at drill time %s", fmtClock(c.Measured.Value))
	default:
		fmt.Fprintf(&b, " missing (target %s)", fmtDur(c.Target))
	}
	if c.Note != "" {
		b.WriteString(": " + c.Note)
	}
	return b.String()
}

// seriesText is label sets as PromQL writes them, one per line:
// {instance="a", job="redis"}.
func seriesText(series []map[string]string) string {
	lines := make([]string, 0, len(series))
	for _, s := range series {
		keys := slices.Sorted(maps.Keys(s))
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = fmt.Sprintf("%s=%q", k, s[k])
		}
		lines = append(lines, "{"+strings.Join(parts, ", ")+"}")
	}
	return strings.Join(lines, "\n")
}

// resultWord is PASS, FAIL, ERROR or ABORTED.
func resultWord(s Status) string {
	switch s {
	case Passed:
		return "PASS"
	case Errored:
		return "ERROR"
	case Aborted:
		return "ABORTED"
	}
	return "FAIL"
}

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

// metricCell is one MTTx against its target, as the summary tables show it.
type metricCell struct {
	Value  string
	Target string
	// Status is met, late, missing, or na (steady state, or no target).
	Status string
}

func metric(v scorer.Verdict, id string, m scorer.Measurement) metricCell {
	if v.SteadyState {
		return metricCell{Value: "n/a", Target: "", Status: "na"}
	}
	c, ok := v.Criterion(id)
	if !ok {
		return metricCell{Value: fmtMeasure(m), Status: "na"}
	}
	return metricCell{Value: fmtMeasure(m), Target: fmtDur(c.Target), Status: string(c.Status)}
}

// String is "1m / 5m", "missing / 5m" or "n/a".
func (c metricCell) String() string {
	if c.Target == "" {
		return c.Value
	}
	return c.Value + " / " + c.Target
}

// severityOf is the drill's severity as shown: P1..P4, or "-" when the
// verdict has none.
func severityOf(v scorer.Verdict) string {
	if v.Severity == incident.SeverityUnknown {
		return "-"
	}
	return v.Severity.String()
}

// definition is one term of DESIGN.md's Scoring section: the reports print
// them so a reader never has to guess what a number means.
type definition struct{ Term, Text string }

var definitions = []definition{
	{"T0", "the fault is injected (the first fault_injected milestone). A drill with no fault is a steady-state drill: it has no T0, MTTD/MTTA/MTTR do not apply, and it passes only if no alert fires."},
	{"Incident", "the drill's incident is the one the fault caused: the first incident paged after T0. Incidents open before T0 (false alarms of the warm-up) are reported, never credited: every milestone belongs to one incident."},
	{"Detected", "the first alert of the incident fires (the first alert_firing after T0)."},
	{"Acknowledged, diagnosed, mitigated, resolved", "the first milestone of each kind that belongs to the drill's incident; an acknowledgement before detection acknowledges nothing. Resolved means verification passed and the incident's alerts resolved."},
	{"MTTD", "mean time to detect = detected − T0."},
	{"MTTA", "mean time to acknowledge = acknowledged − detected."},
	{"MTTR", "mean time to resolve = resolved − T0."},
	{"Severity", "the highest severity label among the incident's firing alerts; its response time (P1 15 min, P2 30 min, P3 2 h, P4 24 h) applies to MTTA."},
	{"Drill criteria", "from the playbook's monthly drill, each from T0: alert 2 min, IC assigned (ack) 5 min, diagnosis 15 min, mitigation 20 min, restored 30 min."},
	{"Credit", "a criterion met earns 1; a late one loses credit linearly to 0 at twice its target (2 − measured/target); a missing milestone earns 0, never counts as a zero duration."},
	{"Score", "0–100: the weighted mean of the criteria's credits × 100. A drill passes when every criterion is met."},
	{"One defect, one charge", "the playbook puts several targets on one milestone: detection (MTTD 5 min, the drill's alert 2 min), the acknowledgement (MTTA, the severity's response time, IC assigned) and resolution (MTTR, restored). Each is judged and shown, but the criteria of one milestone share one weight (\"1 ÷ 3\"), so every milestone weighs the same. Lateness found at a milestone is carried forward: a later criterion measured from T0 is judged without it (\"judged …\"), so a late alert is not charged again to the ack, diagnosis and resolution that inherited it."},
	{"p50 / p90", "across drills, nearest-rank percentiles of each MTTx over the drills where it was measured (means mislead on long tails)."},
}

// oneLine keeps a user string on one line and free of control characters
// (tables, terminal columns: a scenario name must not move the cursor).
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

// Markdown. A drill's strings go into the post-mortem as text, never as
// markup: a scenario name must not open an HTML tag, start an entity,
// make a link or break a table.
var mdEscaper = strings.NewReplacer(`\`, `\\`, "<", `\<`, ">", `\>`, "&", `\&`, "`", "\\`", "*", `\*`, "[", `\[`, "]", `\]`, "|", `\|`)

// mdText is s as inline Markdown text, on one line.
func mdText(s string) string { return mdEscaper.Replace(oneLine(s)) }

// mdCell is s fit for a table cell (mdText escapes the pipes).
func mdCell(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return mdText(s)
}

// mdCode is s as a code span, or "(none)".
func mdCode(s string) string {
	s = oneLine(s)
	if s == "" {
		return "(none)"
	}
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}

// mdEm is s emphasised.
func mdEm(s string) string { return "*" + mdText(s) + "*" }

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
