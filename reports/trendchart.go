package reports

import (
	"cmp"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/firedrill/firedrill/scorer"
)

// The trend page: `firedrill report` over stored runs draws, per drill,
// its MTTD, MTTA and MTTR across the runs with their targets as lines, and
// its score, as inline SVG computed here (numbers and fixed class names
// only reach the SVG; drill strings are escaped text), with the same
// numbers as a table beside it for readers (and tools) without SVG.

//go:embed templates/trend.html.tmpl
var trendSource string

var trendTmpl = template.Must(template.New("trend").Parse(trendSource))

// DrillTrend is one drill (feature and scenario) across stored runs,
// oldest first.
type DrillTrend struct {
	Feature, Scenario string
	Points            []TrendPoint
}

// TrendPoint is one run of a drill: its measurements and score, and the
// targets it was judged against (a team may change them between runs).
type TrendPoint struct {
	RunID   string
	Started time.Time
	Status  Status
	// Scored: the drill ran (passed or failed); otherwise it has no numbers.
	Scored bool
	// Steady: no fault was injected, so no MTTx applies.
	Steady           bool
	MTTD, MTTA, MTTR scorer.Measurement
	TargetMTTD       time.Duration
	TargetMTTA       time.Duration
	TargetMTTR       time.Duration
	Score            float64
}

// DrillTrends groups the runs' drills by feature and scenario, in the
// order first seen, each with one point per run that ran it, oldest run
// first (as Trend orders runs).
func DrillTrends(results []Result) []DrillTrend {
	rs := slices.Clone(results)
	slices.SortStableFunc(rs, func(a, b Result) int {
		return cmp.Or(a.Started.Compare(b.Started), cmp.Compare(a.RunID, b.RunID))
	})
	var out []DrillTrend
	index := map[[2]string]int{}
	for _, r := range rs {
		for _, d := range r.Drills {
			key := [2]string{d.Feature, d.Scenario}
			i, ok := index[key]
			if !ok {
				i = len(out)
				index[key] = i
				out = append(out, DrillTrend{Feature: d.Feature, Scenario: d.Scenario})
			}
			p := TrendPoint{RunID: r.RunID, Started: r.Started, Status: d.Status,
				TargetMTTD: r.Targets.MTTD, TargetMTTA: r.Targets.MTTA, TargetMTTR: r.Targets.MTTR}
			if v, ok := d.Scored(); ok {
				p.Scored, p.Score, p.Steady = true, v.Score, v.SteadyState
				if !v.SteadyState {
					p.MTTD, p.MTTA, p.MTTR = v.MTTD, v.MTTA, v.MTTR
				}
				for id, t := range map[string]*time.Duration{scorer.IDMTTD: &p.TargetMTTD, scorer.IDMTTA: &p.TargetMTTA, scorer.IDMTTR: &p.TargetMTTR} {
					if c, ok := v.Criterion(id); ok {
						*t = c.Target
					}
				}
			}
			out[i].Points = append(out[i].Points, p)
		}
	}
	return out
}

// WriteTrendHTML writes the trend over results as one self-contained HTML
// page: the runs' p50/p90 table, then per drill a chart of MTTD, MTTA and
// MTTR (targets as dashed lines), a chart of its score, and a table of the
// same numbers.
func WriteTrendHTML(w io.Writer, results []Result) error {
	page := trendPage{Runs: len(results)}
	for _, t := range Trend(results) {
		s := t.Summary
		page.Rows = append(page.Rows, trendRunRow{RunID: orDash(t.RunID), Started: t.Started,
			Counts: fmt.Sprintf("%d: %d passed, %d failed, %d not scored", t.Drills, t.Passed, t.Failed, t.Errors),
			MTTD:   pair(s.MTTD), MTTA: pair(s.MTTA), MTTR: pair(s.MTTR)})
	}
	for i, d := range DrillTrends(results) {
		page.Drills = append(page.Drills, trendDrillOf(i, d))
	}
	if err := trendTmpl.Execute(w, page); err != nil {
		return fmt.Errorf("render trend html: %w", err)
	}
	return nil
}

// WriteTrendHTMLFile writes the trend page to path, whole or not at all.
func WriteTrendHTMLFile(path string, results []Result) error {
	if err := writeAtomic(path, func(w io.Writer) error { return WriteTrendHTML(w, results) }); err != nil {
		return fmt.Errorf("write trend: %w", err)
	}
	return nil
}

type trendPage struct {
	Runs   int
	Rows   []trendRunRow
	Drills []trendDrill
}

type trendRunRow struct{ RunID, Started, Counts, MTTD, MTTA, MTTR string }

type trendDrill struct {
	Anchor, Feature, Scenario string
	Times, Scores             trendChart
	// HasTimes: some run measured one of its MTTx (a steady-state drill
	// has none: only its score is drawn).
	HasTimes bool
	Table    []trendTableRow
}

type trendTableRow struct {
	RunID, Started, Result, Status string
	MTTD, MTTA, MTTR               metricCell
	Score                          string
}

// trendChart is a line chart's layout in SVG units.
type trendChart struct {
	Width, Height            int
	Left, Right, Top, Bottom int
	YLabel                   string
	XTicks, YTicks           []trendTick
	Series                   []trendSeries
	// LegendX is where the legend's markers stand; LegendX1 and LegendX2
	// bound a target's dashed key.
	LegendX, LegendX1, LegendX2 int
}

// TargetY is where the legend's key for class's target line stands: under
// the series' own key.
func (c trendChart) TargetY(class string) int {
	for _, s := range c.Series {
		if s.Class == class {
			return s.LegendY + 16
		}
	}
	return 0
}

type trendTick struct {
	X, Y  float64
	Label string
}

type trendSeries struct {
	Class, Name string
	// Segments are polylines' points ("x,y x,y"): a run that did not
	// measure the value breaks the line.
	Segments []string
	Dots     []trendDot
	// Target is the target's line (a step line when it changed); "" when
	// the series has none.
	Target      string
	TargetLabel string
	LegendY     int
}

type trendDot struct {
	X, Y  float64
	Title string
}

const (
	trendWidth  = 960
	trendLeft   = 64
	trendRight  = 190 // room for the legend
	trendTop    = 16
	trendBottom = 44 // room for the run labels
)

func trendDrillOf(i int, d DrillTrend) trendDrill {
	t := trendDrill{Anchor: fmt.Sprintf("drill-%d", i+1), Feature: d.Feature, Scenario: d.Scenario}
	for _, p := range d.Points {
		row := trendTableRow{RunID: orDash(p.RunID), Started: fmtTime(p.Started), Result: resultWord(p.Status), Status: string(p.Status), Score: "-"}
		dash := metricCell{Value: "-", Status: "na"}
		row.MTTD, row.MTTA, row.MTTR = dash, dash, dash
		if p.Scored && p.Steady {
			row.Score = fmtScore(p.Score)
			na := metricCell{Value: "n/a", Status: "na"}
			row.MTTD, row.MTTA, row.MTTR = na, na, na
		} else if p.Scored {
			row.Score = fmtScore(p.Score)
			row.MTTD, row.MTTA, row.MTTR = trendCell(p.MTTD, p.TargetMTTD), trendCell(p.MTTA, p.TargetMTTA), trendCell(p.MTTR, p.TargetMTTR)
			t.HasTimes = t.HasTimes || p.MTTD.Present || p.MTTA.Present || p.MTTR.Present
		}
		t.Table = append(t.Table, row)
	}
	t.Times = timesChart(d.Points)
	t.Scores = scoreChart(d.Points)
	return t
}

func trendCell(m scorer.Measurement, target time.Duration) metricCell {
	c := metricCell{Value: fmtMeasure(m), Status: "na"}
	if target > 0 {
		c.Target = fmtDur(target)
		switch d, ok := m.Get(); {
		case !ok:
			c.Status = "missing"
		case d <= target:
			c.Status = "met"
		default:
			c.Status = "late"
		}
	}
	return c
}

// runLabel is a run as the x axis names it: its start (UTC), else its ID.
func runLabel(p TrendPoint) string {
	if p.Started.IsZero() {
		return orDash(p.RunID)
	}
	return p.Started.UTC().Format("01-02 15:04")
}

// xs are the points' x positions: evenly spaced, one run per slot.
func xs(n, left, right int) []float64 {
	out := make([]float64, n)
	w := float64(right - left)
	for i := range out {
		if n == 1 {
			out[i] = float64(left) + w/2
			continue
		}
		out[i] = float64(left) + w*float64(i)/float64(n-1)
	}
	return out
}

func newTrendChart(height int, points []TrendPoint) (trendChart, []float64) {
	c := trendChart{Width: trendWidth, Height: height, Left: trendLeft, Right: trendWidth - trendRight,
		Top: trendTop, Bottom: height - trendBottom, LegendX: trendWidth - trendRight + 24}
	c.LegendX1, c.LegendX2 = c.LegendX-10, c.LegendX+8
	x := xs(len(points), c.Left+12, c.Right-12)
	// At most ~10 run labels, so they never overlap.
	every := max(1, int(math.Ceil(float64(len(points))/10)))
	for i, p := range points {
		if i%every == 0 || i == len(points)-1 {
			label := runLabel(p)
			if !p.Scored {
				// Why the lines break there.
				label += " (" + strings.ToLower(resultWord(p.Status)) + ")"
			}
			c.XTicks = append(c.XTicks, trendTick{X: x[i], Y: float64(c.Bottom), Label: label})
		}
	}
	return c, x
}

// timesChart draws MTTD, MTTA and MTTR in minutes of drill time, each
// with its target.
func timesChart(points []TrendPoint) trendChart {
	c, x := newTrendChart(300, points)
	c.YLabel = "minutes (drill time)"
	type metric struct {
		class, name string
		get         func(TrendPoint) (scorer.Measurement, time.Duration)
	}
	metrics := []metric{
		{"mttd", "MTTD", func(p TrendPoint) (scorer.Measurement, time.Duration) { return p.MTTD, p.TargetMTTD }},
		{"mtta", "MTTA", func(p TrendPoint) (scorer.Measurement, time.Duration) { return p.MTTA, p.TargetMTTA }},
		{"mttr", "MTTR", func(p TrendPoint) (scorer.Measurement, time.Duration) { return p.MTTR, p.TargetMTTR }},
	}
	// The axis fits the values, and the targets near them: a target far
	// above every value (MTTR's hour over drills resolved in minutes)
	// would flatten the lines the chart is for, so it is named in the
	// legend as above the chart instead of drawn.
	var values time.Duration
	for _, p := range points {
		for _, m := range metrics {
			if v, _ := m.get(p); p.Scored && v.Present {
				values = max(values, v.Value)
			}
		}
	}
	top := values
	for _, p := range points {
		for _, m := range metrics {
			if _, t := m.get(p); t <= max(2*values, time.Minute) {
				top = max(top, t)
			}
		}
	}
	step := niceStep(top)
	ymax := time.Duration(math.Ceil(float64(max(top, time.Minute))/float64(step))) * step
	y := func(d time.Duration) float64 {
		return float64(c.Bottom) - float64(d)/float64(ymax)*float64(c.Bottom-c.Top)
	}
	for v := time.Duration(0); v <= ymax; v += step {
		c.YTicks = append(c.YTicks, trendTick{X: float64(c.Left), Y: y(v), Label: fmtMinutes(v)})
	}
	for k, m := range metrics {
		s := trendSeries{Class: m.class, Name: m.name, LegendY: c.Top + 14 + k*36}
		var seg []string
		var target []string
		for i, p := range points {
			v, t := m.get(p)
			switch {
			case t > ymax:
				s.TargetLabel = "target " + fmtDur(t) + " (above)"
			case t > 0:
				// A step line: the target holds over the run's share of
				// the axis.
				lo, hi := slotOf(x, i, c.Left, c.Right)
				target = append(target, pt(lo, y(t)), pt(hi, y(t)))
				s.TargetLabel = "target " + fmtDur(t)
			}
			d, ok := v.Get()
			if !p.Scored || !ok {
				if len(seg) > 0 {
					s.Segments = append(s.Segments, strings.Join(seg, " "))
					seg = nil
				}
				continue
			}
			seg = append(seg, pt(x[i], y(d)))
			title := fmt.Sprintf("%s %s: %s", orDash(p.RunID), m.name, fmtDur(d))
			if t > 0 {
				title += " (target " + fmtDur(t) + ")"
			}
			s.Dots = append(s.Dots, trendDot{X: x[i], Y: y(d), Title: title})
		}
		if len(seg) > 0 {
			s.Segments = append(s.Segments, strings.Join(seg, " "))
		}
		s.Target = strings.Join(target, " ")
		c.Series = append(c.Series, s)
	}
	return c
}

// scoreChart draws the score, 0 to 100.
func scoreChart(points []TrendPoint) trendChart {
	c, x := newTrendChart(180, points)
	c.YLabel = "score"
	y := func(f float64) float64 { return float64(c.Bottom) - f/100*float64(c.Bottom-c.Top) }
	for _, v := range []float64{0, 50, 100} {
		c.YTicks = append(c.YTicks, trendTick{X: float64(c.Left), Y: y(v), Label: fmtScore(v)})
	}
	s := trendSeries{Class: "score", Name: "score", LegendY: c.Top + 14}
	var seg []string
	for i, p := range points {
		if !p.Scored {
			if len(seg) > 0 {
				s.Segments = append(s.Segments, strings.Join(seg, " "))
				seg = nil
			}
			continue
		}
		seg = append(seg, pt(x[i], y(p.Score)))
		s.Dots = append(s.Dots, trendDot{X: x[i], Y: y(p.Score), Title: fmt.Sprintf("%s score %s, %s", orDash(p.RunID), fmtScore(p.Score), resultWord(p.Status))})
	}
	if len(seg) > 0 {
		s.Segments = append(s.Segments, strings.Join(seg, " "))
	}
	c.Series = []trendSeries{s}
	return c
}

// slotOf is run i's share of the x axis: from halfway to the previous
// run (or the plot's left edge) to halfway to the next (or its right edge).
func slotOf(x []float64, i, left, right int) (float64, float64) {
	lo, hi := float64(left), float64(right)
	if i > 0 {
		lo = (x[i-1] + x[i]) / 2
	}
	if i < len(x)-1 {
		hi = (x[i] + x[i+1]) / 2
	}
	return lo, hi
}

func pt(x, y float64) string { return fmt.Sprintf("%.1f,%.1f", x, y) }

// niceStep is a tick step for an axis up to top: 5 to 8 ticks of a
// round number of minutes.
func niceStep(top time.Duration) time.Duration {
	for _, s := range []time.Duration{30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute,
		15 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour} {
		if top <= 6*s {
			return s
		}
	}
	return 24 * time.Hour * time.Duration(math.Ceil(float64(top)/float64(6*24*time.Hour)))
}

// fmtMinutes is an axis label in minutes: 0, 0.5, 15, 120.
func fmtMinutes(d time.Duration) string {
	return fmt.Sprintf("%g", math.Round(d.Minutes()*10)/10)
}
