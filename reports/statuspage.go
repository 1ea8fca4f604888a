package reports

import (
	"fmt"
	"io"
)

// The statuspage format is what the status page said during each drill:
// the notices (the playbook's Initial Notice, Update, Resolution) as the
// team published them, in order, with when and by whom. Each notice's
// text is a fenced block, so a notice is read as written and never
// renders as markup.

func init() { Register("statuspage", WithFileName("statuspage.md", RendererFunc(renderStatuspage))) }

func renderStatuspage(w io.Writer, r Result) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "# Status-page notices, run %s\n\n", mdText(orDash(r.RunID)))
	fmt.Fprintln(ew, "The notices each drill's team published on the status page, in the order published, as published.")
	tod := timeOfDayOf(r.Environment.Clock)
	for _, d := range r.Drills {
		fmt.Fprintf(ew, "\n## %s\n\n", mdText(d.Scenario))
		fmt.Fprintf(ew, "%s · %s\n", mdText(d.Feature), resultWord(d.Status))
		notices := noticesOf(d)
		if len(notices) == 0 {
			fmt.Fprintln(ew, "\nNo notice was published.")
			continue
		}
		fromT0 := fromT0Of(d)
		for i, n := range notices {
			fmt.Fprintf(ew, "\n### %d. %s\n\n", i+1, mdText(n.Kind))
			when := "drill time " + fmtClock(n.M.Drill)
			if t := fromT0(n.M); t != "" {
				when += " (T" + t + ")"
			}
			if at := tod.of(n.M); at != "" {
				when = at + " UTC, " + when
			}
			fmt.Fprintf(ew, "Published at %s, by %s.\n\n", when, mdText(orDash(n.Who)))
			fmt.Fprintln(ew, mdFenced("text", n.Text))
		}
	}
	if ew.err != nil {
		return fmt.Errorf("render statuspage: %w", ew.err)
	}
	return nil
}
