package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/firedrill/firedrill/scorer"
)

// The markdown format is the summary as a Markdown table, for where CI
// renders Markdown (GitHub's $GITHUB_STEP_SUMMARY): summary.txt's aligned
// columns collapse into one paragraph there.

func init() { Register("markdown", WithFileName("summary.md", RendererFunc(renderMarkdown))) }

func renderMarkdown(w io.Writer, r Result) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "### firedrill run %s\n\n", mdText(orDash(r.RunID)))
	fmt.Fprintf(ew, "%s · provider %s · %s clock, tick %s\n\n", r.Counts().Text(),
		mdText(orDash(r.Environment.Provider)), mdText(orDash(string(r.Environment.Clock))), fmtDur(r.Environment.Tick))
	fmt.Fprintf(ew, "%s\n\n", mdText(clockNote(r)))
	fmt.Fprintln(ew, "| Drill | Severity | MTTD | MTTA | MTTR | Score | Result |")
	fmt.Fprintln(ew, "|---|---|---|---|---|--:|---|")
	for _, d := range r.Drills {
		c := cellsOf(d)
		fmt.Fprintf(ew, "| %s | %s | %s | %s | %s | %s | %s |\n", mdCell(d.Scenario), c.Severity,
			c.MTTD, c.MTTA, c.MTTR, c.Score, resultWord(d.Status))
	}
	s := scorer.Summarize(r.Verdicts())
	fmt.Fprintf(ew, "\np50/p90: MTTD %s · MTTA %s · MTTR %s\n", pair(s.MTTD), pair(s.MTTA), pair(s.MTTR))
	var notes []string
	for _, d := range r.Drills {
		v, ok := d.Scored()
		if ok && len(v.Noise) > 0 {
			var names []string
			for _, n := range v.Noise {
				names = append(names, n.Alert+" ("+n.Severity+")")
			}
			notes = append(notes, "fired with no fault in "+mdEm(d.Scenario)+": "+mdText(strings.Join(names, ", ")))
		}
		if !ok {
			note := strings.ToLower(resultWord(d.Status)) + " " + mdEm(d.Scenario) + ": " + notScored(d)
			if r := d.reason(); r != "" {
				note += ": " + mdCode(r)
			}
			notes = append(notes, note)
		} else if why := d.Why(); why != "" {
			notes = append(notes, "failed "+mdEm(d.Scenario)+": "+mdText(why))
		}
	}
	if len(notes) > 0 {
		fmt.Fprintln(ew)
		for _, n := range notes {
			fmt.Fprintf(ew, "- %s\n", n)
		}
	}
	if ew.err != nil {
		return fmt.Errorf("render markdown: %w", ew.err)
	}
	return nil
}
