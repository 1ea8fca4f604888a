package reports

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
)

// poolExhaustion is the monthly drill as it often runs: the error rate (a
// symptom, P2) fires and pages first, the database alert (the cause, P1)
// a tick later.
func poolExhaustion(runID string) Result {
	const pb = "responder:db-recovery"
	d := Drill{
		Feature: "features/db.feature", Scenario: "Pool exhaustion",
		Timeline: []incident.Milestone{
			ev(incident.FaultInjected, 1, "injector", "db-pool-exhaustion", 0),
			ev(incident.AlertFiring, 2, "monitor", "HighErrorRate", incident.P2),
			ofIncident(ev(incident.PageSent, 2, "pager", "HighErrorRate", incident.P2), "1"),
			ev(incident.AlertFiring, 2.25, "monitor", "DatabaseConnectionFailure", incident.P1),
			ev(incident.AlertFiring, 2.5, "monitor", "CompleteServiceOutage", incident.P1),
			ofIncident(ev(incident.Acknowledged, 3, pb, "HighErrorRate", 0), "1"),
			ofIncident(ev(incident.Resolved, 6, pb, "verification passed", 0), "1"),
		},
	}
	r := fixture()
	r.RunID, r.Drills = runID, []Drill{scored(d, r.Targets, nil)}
	return r
}

func TestIncidentIsNamedAfterItsMostSevereEarliestCause(t *testing.T) {
	t.Parallel()
	r := poolExhaustion("20260302-093000-7f3a")
	html := renderString(t, "html", r)
	assert.Contains(t, html, "incident <strong>INC-20260302-093000-7f3a-001</strong>: DatabaseConnectionFailure (P1) (pager incident 1)",
		"the P1 cause, not the P2 symptom that paged first, nor the later P1")
	pm := renderString(t, "postmortem", r)
	assert.True(t, strings.HasPrefix(pm, "# Post-Mortem: DatabaseConnectionFailure (P1) — Pool exhaustion (drill)\n"), pm)

	// A draft in progress has no verdict: it reads the same cause from
	// the timeline.
	d := r.Drills[0]
	d.Verdict, d.Status = nil, ""
	assert.True(t, strings.HasPrefix(PostmortemDraft(d), "# Post-Mortem: DatabaseConnectionFailure (P1) — Pool exhaustion (drill)\n"))
}

func TestIncidentIDsAreUniqueAcrossRuns(t *testing.T) {
	t.Parallel()
	// Two runs on the same day, started a minute apart.
	ids := map[string]bool{}
	for _, run := range []string{"20260302-093000-7f3a", "20260302-093100-c0de"} {
		pm := renderString(t, "postmortem", poolExhaustion(run))
		_, rest, ok := strings.Cut(pm, "**Incident ID**: ")
		require.True(t, ok)
		id, _, _ := strings.Cut(rest, "\n")
		assert.Equal(t, "INC-"+run+"-001", id)
		assert.Contains(t, renderString(t, "html", poolExhaustion(run)), "<strong>"+id+"</strong>", "the HTML names the same ID")
		ids[id] = true
	}
	assert.Len(t, ids, 2)
	assert.Equal(t, "INC-20260302-093000-003", incidentID("", 2, fixtureWall), "a draft in progress: the drill's wall start")
}
