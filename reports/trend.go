package reports

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"

	"github.com/firedrill/firedrill/scorer"
)

// TrendRow is one stored run in a trend: whether drills are getting faster
// is read from p50 and p90, never from means.
type TrendRow struct {
	RunID   string
	Started string
	// Drills, Passed, Failed and Errors count drills by status; Errors
	// counts every drill not scored (errored or aborted).
	Drills, Passed, Failed, Errors int
	// Summary holds the percentiles of the drills that ran (Result.Verdicts).
	Summary scorer.Summary
}

// Trend summarizes each run, oldest first (by start time, then run ID), so
// a team sees its MTTx move across game days and CI runs.
func Trend(results []Result) []TrendRow {
	rs := slices.Clone(results)
	slices.SortStableFunc(rs, func(a, b Result) int {
		return cmp.Or(a.Started.Compare(b.Started), cmp.Compare(a.RunID, b.RunID))
	})
	rows := make([]TrendRow, len(rs))
	for i, r := range rs {
		n := r.Counts()
		rows[i] = TrendRow{RunID: r.RunID, Started: fmtTime(r.Started), Drills: len(r.Drills),
			Passed: n.Passed, Failed: n.Failed, Errors: n.Errored + n.Aborted, Summary: scorer.Summarize(r.Verdicts())}
	}
	return rows
}

// WriteTrend writes the trend as a text table, one run per line.
func WriteTrend(w io.Writer, results []Result) error {
	ew := &errWriter{w: w}
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RUN\tSTARTED\tDRILLS\tPASSED\tFAILED\tERRORS\tMTTD p50/p90\tMTTA p50/p90\tMTTR p50/p90")
	for _, t := range Trend(results) {
		s := t.Summary
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%s\t%s\t%s\n", oneLine(orDash(t.RunID)), t.Started, t.Drills, t.Passed, t.Failed, t.Errors,
			pair(s.MTTD), pair(s.MTTA), pair(s.MTTR))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("render trend: %w", err)
	}
	if ew.err != nil {
		return fmt.Errorf("render trend: %w", ew.err)
	}
	return nil
}

// ReadResultFiles reads stored results for a trend; the first unreadable
// file stops it, named in the error.
func ReadResultFiles(paths []string) ([]Result, error) {
	out := make([]Result, 0, len(paths))
	for _, p := range paths {
		r, err := ReadResultFile(p)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}
