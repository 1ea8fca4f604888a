package reports

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/firedrill/firedrill/scorer"
)

func init() { Register("summary", WithFileName("summary.txt", RendererFunc(renderSummary))) }

// renderSummary is the terminal view: one line per drill, then the run's
// totals and percentiles. Plain ASCII columns, so it reads in any CI log.
func renderSummary(w io.Writer, r Result) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "firedrill run %s  provider=%s clock=%s tick=%s\n",
		orDash(r.RunID), orDash(r.Environment.Provider), orDash(string(r.Environment.Clock)), fmtDur(r.Environment.Tick))
	fmt.Fprintln(ew, clockNote(r))
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DRILL\tSEVERITY\tMTTD\tMTTA\tMTTR\tSCORE\tRESULT")
	for _, d := range r.Drills {
		c := cellsOf(d)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", oneLine(d.Scenario), c.Severity,
			c.MTTD, c.MTTA, c.MTTR, c.Score, resultWord(d.Status))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("render summary: %w", err)
	}
	fmt.Fprintln(ew, r.Counts().Text())
	s := scorer.Summarize(r.Verdicts())
	fmt.Fprintf(ew, "p50/p90: MTTD %s  MTTA %s  MTTR %s\n", pair(s.MTTD), pair(s.MTTA), pair(s.MTTR))
	for _, d := range r.Drills {
		if v, ok := d.Scored(); ok && len(v.Noise) > 0 {
			var names []string
			for _, n := range v.Noise {
				names = append(names, n.Alert+" ("+n.Severity+")")
			}
			fmt.Fprintf(ew, "fired with no fault in %s: %s\n", oneLine(d.Scenario), oneLine(strings.Join(names, ", ")))
		}
		if _, ok := d.Scored(); !ok {
			fmt.Fprintf(ew, "%s %s: %s", strings.ToLower(resultWord(d.Status)), oneLine(d.Scenario), notScored(d))
			if r := d.reason(); r != "" {
				fmt.Fprintf(ew, ": %s", r)
			}
			fmt.Fprintln(ew)
		} else if why := d.Why(); why != "" {
			fmt.Fprintf(ew, "failed %s: %s\n", oneLine(d.Scenario), why)
		}
	}
	if ew.err != nil {
		return fmt.Errorf("render summary: %w", ew.err)
	}
	return nil
}

// pair is "p50/p90" of a stat, "-" where nothing was measured.
func pair(s scorer.Stat) string {
	if !s.P50.Present {
		return "-"
	}
	return fmtMeasure(s.P50) + "/" + fmtMeasure(s.P90)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// errWriter keeps the first write error, so a renderer can print freely and
// check once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
