package reports

import (
	"fmt"
	"strings"

	"github.com/firedrill/firedrill/scorer"
)

// How reports word a criterion: its target, what was measured, its verdict
// and weight, why it was missed; and the scoring terms they define.

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
