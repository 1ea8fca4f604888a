package reports

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/scorer"
)

// The post-mortem's prose: the summary, impact and resolution sentences, for a
// scored drill, one in progress, and one seen from its detection.

func pmSummary(d Drill, fault incident.Milestone, tod timeOfDay) string {
	v, _ := d.Scored()
	var b strings.Builder
	fmt.Fprintf(&b, "Drill %s (%s) injected the fault %s %s.",
		mdEm(d.Scenario), mdText(d.Feature), mdCode(fault.Subject), tod.when(fault))
	if !v.Marks.Detected.Present {
		b.WriteString(" No alert fired: the incident was never detected, so it was never acknowledged through a page.")
	} else {
		fmt.Fprintf(&b, " The incident was declared %s", severityOf(v))
		if v.SeverityAlert != "" {
			fmt.Fprintf(&b, " from alert %s", mdCode(v.SeverityAlert))
		}
		fmt.Fprintf(&b, ". It was detected %s after the fault (MTTD%s)", fmtMeasure(v.MTTD), targetNote(v, scorer.IDMTTD))
		if v.MTTA.Present {
			fmt.Fprintf(&b, ", acknowledged %s after detection (MTTA%s)", fmtMeasure(v.MTTA), targetNote(v, scorer.IDMTTA))
		} else {
			b.WriteString(", never acknowledged")
		}
		if v.MTTR.Present {
			fmt.Fprintf(&b, " and resolved %s after the fault (MTTR%s).", fmtMeasure(v.MTTR), targetNote(v, scorer.IDMTTR))
		} else {
			b.WriteString(" and not resolved within the drill.")
		}
	}
	missed := len(v.Missed())
	switch {
	case missed == 0:
		fmt.Fprintf(&b, " It met all %d criteria and scored %s/100.", len(v.Criteria), fmtScore(v.Score))
	default:
		fmt.Fprintf(&b, " It missed %d of %d criteria and scored %s/100.", missed, len(v.Criteria), fmtScore(v.Score))
	}
	return b.String()
}

func targetNote(v scorer.Verdict, id string) string {
	if c, ok := v.Criterion(id); ok {
		return ", target " + fmtDur(c.Target)
	}
	return ""
}

// pmImpact is the impact duration (fault injected to resolved) and the
// resolution sentence.
func pmImpact(d Drill, ms []incident.Milestone) (impact, resolution string) {
	v, _ := d.Scored()
	if mttr, ok := v.MTTR.Get(); ok {
		impact = fmtDur(mttr) + " (fault injected to resolved)"
		resolution = fmt.Sprintf("Resolved at drill time %s, %s after the fault was injected.", fmtClock(v.Marks.Resolved.Value), fmtDur(mttr))
		if m, ok := v.Marks.Mitigated.Get(); ok {
			resolution += fmt.Sprintf(" Mitigation was applied at drill time %s.", fmtClock(m))
		}
		return impact, resolution
	}
	end := v.Marks.T0.Value
	if len(ms) > 0 {
		end = ms[len(ms)-1].Drill
	}
	for _, s := range d.Steps {
		end = max(end, s.End)
	}
	impact = fmt.Sprintf("unresolved: at least %s (the drill's record ends at drill time %s)", fmtDur(end-v.Marks.T0.Value), fmtClock(end))
	resolution = "The incident was not resolved within the drill."
	if m, ok := v.Marks.Mitigated.Get(); ok {
		resolution += fmt.Sprintf(" Mitigation was applied at drill time %s, but verification did not pass.", fmtClock(m))
	}
	return impact, resolution
}

// pmSoFar is the summary, impact and resolution of a drill without a
// verdict (in progress): what its timeline says so far, read without
// scoring (the first of each milestone after the fault).
func pmSoFar(d Drill, ms []incident.Milestone, fault incident.Milestone, tod timeOfDay) (summary, impact, resolution string) {
	t0, ok := d.t0()
	if !ok {
		return fmt.Sprintf("Drill %s (%s): no fault has been injected yet.", mdEm(d.Scenario), mdText(d.Feature)),
			"[Duration]", "[How the incident was resolved]"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Drill %s (%s) injected the fault %s %s.",
		mdEm(d.Scenario), mdText(d.Feature), mdCode(fault.Subject), tod.when(fault))
	after := slices.DeleteFunc(slices.Clone(ms), func(m incident.Milestone) bool { return m.Drill < t0 })
	b.WriteString(soFar(after, t0, "after the fault", true))
	end := t0
	if len(ms) > 0 {
		end = max(end, ms[len(ms)-1].Drill)
	}
	if m, ok := firstOf(after, incident.Resolved); ok {
		return b.String(), fmtDur(m.Drill-t0) + " (fault injected to resolved)",
			fmt.Sprintf("Resolved at drill time %s, %s after the fault was injected.", fmtClock(m.Drill), fmtDur(m.Drill-t0))
	}
	return b.String(), fmt.Sprintf("ongoing: %s so far (drill time %s)", fmtDur(end-t0), fmtClock(end)),
		"[How the incident was resolved]"
}

// soFar is " So far: acknowledged 1m after …, …." for the first of each
// response milestone of ms, timed from origin ("" when none happened);
// detected says whether the detection is listed too.
func soFar(ms []incident.Milestone, origin time.Duration, after string, detected bool) string {
	marks := []struct {
		kind incident.Kind
		what string
	}{{incident.AlertFiring, "detected"}, {incident.Acknowledged, "acknowledged"}, {incident.SeverityDeclared, "severity declared"},
		{incident.Diagnosed, "diagnosed"}, {incident.Mitigated, "mitigated"}, {incident.Resolved, "resolved"}}
	if !detected {
		marks = marks[1:]
	}
	var so []string
	for _, x := range marks {
		m, ok := firstOf(ms, x.kind)
		if !ok {
			continue
		}
		s := x.what
		if x.kind == incident.SeverityDeclared {
			s += " " + m.Severity.String()
		}
		s += " " + fmtDur(m.Drill-origin) + " " + after
		if who := personOf(m); who != "" {
			s += " by " + mdText(who)
		}
		so = append(so, s)
	}
	if len(so) == 0 {
		return ""
	}
	return " So far: " + strings.Join(so, ", ") + "."
}

// pmSinceDetection is pmSoFar for a timeline without its fault (the
// responders' view of a running game day): the incident as the people saw
// it, from its detection at det.
func pmSinceDetection(d Drill, ms []incident.Milestone, det time.Duration, tod timeOfDay) (summary, impact, resolution string) {
	first, _ := firstOf(ms, incident.AlertFiring)
	var b strings.Builder
	fmt.Fprintf(&b, "During drill %s (%s) the incident was detected %s by the alert %s",
		mdEm(d.Scenario), mdText(d.Feature), tod.when(first), mdCode(first.Subject))
	if first.Severity != incident.SeverityUnknown {
		b.WriteString(" (" + first.Severity.String() + ")")
	}
	b.WriteString(".")
	b.WriteString(soFar(ms, det, "after detection", false))
	end := ms[len(ms)-1].Drill
	if m, ok := firstOf(ms, incident.Resolved); ok {
		return b.String(), fmtDur(m.Drill-det) + " (detected to resolved)",
			fmt.Sprintf("Resolved at drill time %s, %s after detection.", fmtClock(m.Drill), fmtDur(m.Drill-det))
	}
	return b.String(), fmt.Sprintf("ongoing: %s since detection (drill time %s)", fmtDur(end-det), fmtClock(end)),
		"[How the incident was resolved]"
}
