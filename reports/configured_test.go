package reports

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
)

// thinkingResponder is a drill whose scenario said "the on-call responder
// acknowledges after 16 minutes": the ack comes exactly then, past MTTA's
// 15 minutes and the drill's IC target, and everything else is on time.
func thinkingResponder(think string) Result {
	const pb = "responder:db-recovery"
	ack := ofIncident(ev(incident.Acknowledged, 18, pb, "db-recovery", 0), "1")
	if think != "" {
		ack.Labels[incident.ThinkLabel] = think
	}
	d := Drill{
		Feature: "features/db.feature", Scenario: "A slow thinker",
		Timeline: []incident.Milestone{
			ev(incident.FaultInjected, 1, "injector", "db-pool-exhaustion", 0),
			ev(incident.AlertFiring, 1.5, "monitor", "DatabaseConnectionFailure", incident.P1),
			ofIncident(ev(incident.PageSent, 2, "pager", "DatabaseConnectionFailure", incident.P1), "1"),
			ack,
			ofIncident(ev(incident.Diagnosed, 19, pb, "pool exhausted", 0), "1"),
			ofIncident(ev(incident.Mitigated, 20, pb, "kill-long-queries", 0), "1"),
			ofIncident(ev(incident.Resolved, 22, pb, "verification passed", 0), "1"),
		},
	}
	r := fixture()
	r.Drills = []Drill{scored(d, r.Targets, nil)}
	return r
}

func actionItems(pm string) string {
	_, rest, _ := strings.Cut(pm, "## Action Items\n")
	items, _, _ := strings.Cut(rest, "\n\n")
	return items
}

// A delay the drill configured is never an action item: the post-mortem
// says the scenario set it.
func TestPostmortemNeverBlamesAConfiguredThinkTime(t *testing.T) {
	t.Parallel()
	pm := renderString(t, "postmortem", thinkingResponder("16m0s"))
	items := actionItems(pm)
	for _, name := range []string{"MTTA", "Response target (P1)", "IC assigned"} {
		assert.NotContains(t, items, name, "the ack took exactly the think time the scenario set")
	}
	assert.Contains(t, items, "| [Action 1] |", "nothing to act on")
	assert.Contains(t, pm, "- MTTA late: 16m30s, target 15m (credit 0.90) — set by the drill, not a finding: the responder acknowledged 16m after the page, its declared think time (16m, the scenario's \"acknowledges after\" step); without it the target is met")

	// The same timeline without the declared think time: the slow ack is
	// the responder's, and an action item.
	items = actionItems(renderString(t, "postmortem", thinkingResponder("")))
	require.Contains(t, items, "MTTA late: 16m30s, target 15m")
	assert.Contains(t, items, "review paging and the on-call acknowledgement path")

	// A responder slower than its think time (by more than a tick) is.
	r := thinkingResponder("10m0s")
	items = actionItems(renderString(t, "postmortem", r))
	assert.Contains(t, items, "MTTA late")
}

// One late detection is one action item, however many criteria judge it.
func TestPostmortemActsOnceOnEachLateMilestone(t *testing.T) {
	t.Parallel()
	pm := renderString(t, "postmortem", fixture())
	_, spike, ok := strings.Cut(pm, "— Error spike with a slow responder (drill)")
	require.True(t, ok)
	items := actionItems(spike)
	assert.Equal(t, 1, strings.Count(items, "review the alert rules' thresholds"), items)
	assert.Contains(t, items, "| MTTD late: 5m30s, target 5m (credit 0.90); Alert triggers late: 5m30s, target 2m (credit 0.00) — review the alert rules' thresholds and for: durations |")
	assert.Equal(t, 1, strings.Count(items, "review recovery and verification"), "MTTR and restored: one missing resolution")
}
