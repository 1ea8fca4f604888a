package reports

import (
	"cmp"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/scorer"
)

// The drill timeline drawn as inline SVG: one row per actor (fault, each
// alert, pager, response), one per playbook step, and the drill's targets,
// on an x axis in drill minutes. Layout is computed here, in numbers; the
// template only prints them, so nothing from a drill ever lands in an SVG
// attribute but numbers and fixed class names.

const (
	chartWidth   = 960
	chartLeft    = 200 // room for row labels, widened for longer ones
	chartLeftMax = 420
	labelPx      = 6.4 // a character of a row label (11px system-ui), generously
	chartRight   = 20
	chartTop     = 34 // room for marker labels above the rows
	rowHeight    = 22
	chartBottom  = 30 // room for the axis labels
	labelMax     = 28
)

type chart struct {
	Width, Height int
	PlotLeft      int
	PlotRight     int
	AxisY         int
	LegendY       int
	Ticks         []chartTick
	Rows          []chartRow
	Lines         []chartLine
}

type chartTick struct {
	X     float64
	Label string
}

type chartRow struct {
	Y      int // top of the row
	Mid    int // vertical middle, for markers and labels
	BarY   int // top of a bar in the row
	Label  string
	Title  string // full label when Label is cut
	Bars   []chartBar
	Points []chartPoint
}

type chartBar struct {
	X, W  float64
	Class string
	Title string
}

type chartPoint struct {
	X     float64
	Class string
	Label string
	Title string
}

type chartLine struct {
	X     float64
	Class string
	Label string
	// Y is the label's baseline, Y1 the line's top: labels close together
	// are stacked in lanes above the rows (staggerLabels).
	Y, Y1 int
}

func buildChart(d Drill, v scorer.Verdict, targets scorer.Targets) chart {
	c := layoutChart(d, v, targets, chartLeft, labelMax)
	longest := 0
	for _, r := range c.Rows {
		longest = max(longest, utf8.RuneCountInString(cmp.Or(r.Title, r.Label)))
	}
	if longest <= labelMax {
		return c
	}
	// Room for the longest label, up to a limit: beyond it a label is cut
	// and its full text is the row's tooltip.
	left := int(float64(longest)*labelPx) + 12
	if left > chartLeftMax {
		left = chartLeftMax
		longest = int(float64(left-12) / labelPx)
	}
	return layoutChart(d, v, targets, left, longest)
}

// layoutChart lays the chart out with left pixels for the row labels, each
// cut at labelMax characters.
func layoutChart(d Drill, v scorer.Verdict, targets scorer.Targets, chartLeft, labelMax int) chart {
	ms := sortedTimeline(d.Timeline)

	end := time.Duration(0)
	for _, m := range ms {
		end = max(end, m.Drill)
	}
	for _, s := range d.Steps {
		end = max(end, s.End)
	}
	recordEnd := end // open bars (an alert still pending) stop where the record stops
	t0, hasT0 := v.Marks.T0.Get()
	type deadline struct {
		label string
		d     time.Duration
	}
	var deadlines []deadline
	if hasT0 {
		for _, x := range []deadline{
			{"alert", targets.Drill.Alert}, {"ack", targets.Drill.Ack}, {"diagnosis", targets.Drill.Diagnosis},
			{"mitigation", targets.Drill.Mitigation}, {"restored", targets.Drill.Restored},
		} {
			if x.d > 0 {
				deadlines = append(deadlines, deadline{x.label, t0 + x.d})
				end = max(end, t0+x.d)
			}
		}
	}
	step := tickStep(end)
	span := ((end + step - 1) / step) * step
	if span <= 0 {
		span = step
	}
	plotW := float64(chartWidth - chartLeft - chartRight)
	x := func(d time.Duration) float64 {
		return float64(chartLeft) + plotW*float64(max(d, 0))/float64(span)
	}
	w := func(a, b time.Duration) float64 { return max(x(b)-x(a), 2) }

	c := chart{Width: chartWidth, PlotLeft: chartLeft, PlotRight: chartWidth - chartRight}
	// Vertical markers for the scoring milestones, first: how many lanes
	// their labels need sets where the rows start.
	for _, mk := range []struct {
		label string
		m     scorer.Measurement
	}{
		{"T0", v.Marks.T0}, {"detected", v.Marks.Detected}, {"acked", v.Marks.Acknowledged}, {"resolved", v.Marks.Resolved},
	} {
		if at, ok := mk.m.Get(); ok {
			c.Lines = append(c.Lines, chartLine{X: x(at), Class: "mark", Label: mk.label})
		}
	}
	chartTop := staggerLabels(c.Lines)
	addRow := func(label string) *chartRow {
		y := chartTop + len(c.Rows)*rowHeight
		short, title := label, ""
		if r := []rune(label); len(r) > labelMax {
			short, title = string(r[:labelMax-1])+"…", label
		}
		c.Rows = append(c.Rows, chartRow{Y: y, Mid: y + rowHeight/2, BarY: y + 3, Label: short, Title: title})
		return &c.Rows[len(c.Rows)-1]
	}

	// The fault: from injection to recovery (or the end of the record).
	if hasT0 {
		row := addRow("fault")
		for _, m := range ms {
			if m.Kind != incident.FaultInjected {
				continue
			}
			to := recordEnd
			if r, ok := firstAfter(ms, incident.FaultRecovered, m.Subject, m.Drill); ok {
				to = r.Drill
			}
			row.Bars = append(row.Bars, chartBar{X: x(m.Drill), W: w(m.Drill, to), Class: "fault",
				Title: fmt.Sprintf("fault %s: %s–%s", m.Subject, fmtClock(m.Drill), fmtClock(to))})
			row.Points = append(row.Points, chartPoint{X: x(m.Drill), Class: "fault", Title: describe(m) + " at " + fmtClock(m.Drill)})
		}
	}

	// Alerts: pending (light) then firing (dark), one row per alert.
	var alerts []string
	seen := map[string]bool{}
	for _, m := range ms {
		if (m.Kind == incident.AlertPending || m.Kind == incident.AlertFiring) && !seen[m.Subject] {
			seen[m.Subject] = true
			alerts = append(alerts, m.Subject)
		}
	}
	for _, name := range alerts {
		row := addRow("alert " + name)
		var pending, firing *time.Duration
		closeSpan := func(start **time.Duration, at time.Duration, class string) {
			if *start == nil {
				return
			}
			row.Bars = append(row.Bars, chartBar{X: x(**start), W: w(**start, at), Class: class,
				Title: fmt.Sprintf("%s %s: %s–%s", name, class, fmtClock(**start), fmtClock(at))})
			*start = nil
		}
		for _, m := range ms {
			if m.Subject != name {
				continue
			}
			at := m.Drill
			switch m.Kind {
			case incident.AlertPending:
				if pending == nil && firing == nil {
					pending = &at
				}
			case incident.AlertFiring:
				closeSpan(&pending, at, "pending")
				if firing == nil {
					firing = &at
				}
			case incident.AlertResolved:
				closeSpan(&pending, at, "pending")
				closeSpan(&firing, at, "firing")
			}
		}
		closeSpan(&pending, recordEnd, "pending")
		closeSpan(&firing, recordEnd, "firing")
	}

	// The pager and the response.
	if pages := pointsOf(ms, x, incident.PageSent); len(pages) > 0 {
		row := addRow("pager")
		row.Points = pages
	}
	if resp := pointsOf(ms, x, incident.Acknowledged, incident.Diagnosed, incident.Mitigated, incident.Resolved); len(resp) > 0 {
		row := addRow("response")
		row.Points = resp
	}

	// Playbook steps as bars.
	for _, s := range d.Steps {
		row := addRow("step " + s.Name)
		class := "step-ok"
		if s.Outcome != "ok" {
			class = "step-failed"
		}
		row.Bars = append(row.Bars, chartBar{X: x(s.Start), W: w(s.Start, s.End), Class: class,
			Title: fmt.Sprintf("%s (%s, %s): %s–%s, %s", s.Name, s.Phase, s.Kind, fmtClock(s.Start), fmtClock(s.End), s.Outcome)})
	}

	// The drill's deadlines, each from T0.
	if len(deadlines) > 0 {
		row := addRow("targets (from T0)")
		for _, dl := range deadlines {
			row.Points = append(row.Points, chartPoint{X: x(dl.d), Class: "target", Label: dl.label,
				Title: fmt.Sprintf("%s target: drill time %s", dl.label, fmtClock(dl.d))})
		}
	}

	c.AxisY = chartTop + len(c.Rows)*rowHeight + 4
	c.LegendY = c.AxisY + chartBottom + 8
	c.Height = c.LegendY + 12
	for t := time.Duration(0); t <= span; t += step {
		c.Ticks = append(c.Ticks, chartTick{X: x(t), Label: fmt.Sprintf("%g", t.Minutes())})
	}
	return c
}

// staggerLabels puts each marker label in the lowest lane where it does
// not overlap the label before it, so markers at the same moment never
// hide each other, and returns where the rows start below the lanes (at
// least chartTop: two lanes). Lines are in time order.
func staggerLabels(ls []chartLine) int {
	const labelW, laneH = 60, 14
	var lastX []float64 // per lane, the last label's x
	for i := range ls {
		lane := 0
		for lane < len(lastX) && ls[i].X-lastX[lane] < labelW {
			lane++
		}
		if lane == len(lastX) {
			lastX = append(lastX, 0)
		}
		lastX[lane] = ls[i].X
		ls[i].Y = lane // a lane for now; baselines once the top is known
	}
	top := chartTop + laneH*max(len(lastX)-2, 0)
	for i := range ls {
		ls[i].Y = top - 10 - laneH*ls[i].Y
		ls[i].Y1 = ls[i].Y - 6
	}
	return top
}

// tickStep picks an axis step in whole minutes that gives at most about
// ten ticks.
func tickStep(end time.Duration) time.Duration {
	for _, m := range []int{1, 2, 5, 10, 15, 30, 60, 120, 240, 480, 720, 1440} {
		s := time.Duration(m) * time.Minute
		if end/s <= 10 {
			return s
		}
	}
	return 1440 * time.Minute * (end/(1440*time.Minute)/10 + 1)
}

func pointsOf(ms []incident.Milestone, x func(time.Duration) float64, kinds ...incident.Kind) []chartPoint {
	var out []chartPoint
	for _, m := range ms {
		for _, k := range kinds {
			if m.Kind == k {
				out = append(out, chartPoint{X: x(m.Drill), Class: string(k), Title: describe(m) + " at " + fmtClock(m.Drill)})
			}
		}
	}
	return out
}

func firstAfter(ms []incident.Milestone, k incident.Kind, subject string, from time.Duration) (incident.Milestone, bool) {
	for _, m := range ms {
		if m.Kind == k && m.Subject == subject && m.Drill >= from {
			return m, true
		}
	}
	return incident.Milestone{}, false
}
