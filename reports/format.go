package reports

import (
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

// signedClock is a drill time relative to T0: +01:00, -00:30.
func signedClock(d time.Duration) string {
	if d < 0 {
		return fmtClock(d)
	}
	return "+" + fmtClock(d)
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

// when is "at drill time 01:00", with the wall time of day before it when
// it means something: "at 09:31:00 UTC (drill time 01:00)".
func (t timeOfDay) when(m incident.Milestone) string {
	if at := t.of(m); at != "" {
		return "at " + at + " UTC (drill time " + fmtClock(m.Drill) + ")"
	}
	return "at drill time " + fmtClock(m.Drill)
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
