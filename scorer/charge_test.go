package scorer

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
)

// One defect, one charge: a late alert fails the criteria that judge the
// detection, and no other; the criteria that judge one milestone share
// one weight.
func TestLateDetectionIsChargedOnce(t *testing.T) {
	t.Parallel()
	// T0 at 1; the alert fires 3m later (the drill's alert target is 2m:
	// 1m late); the on-call acks 3m after the page, diagnoses, mitigates,
	// and the service is restored 30m30s after T0, 29m30s once the late
	// detection is taken off.
	v := Score([]incident.Milestone{
		at(incident.FaultInjected, 1, "db-pool-exhaustion", 0),
		at(incident.AlertFiring, 4, "DatabaseConnectionFailure", incident.P1),
		at(incident.PageSent, 4, "DatabaseConnectionFailure", incident.P1),
		at(incident.Acknowledged, 7, "db-recovery", 0),
		at(incident.Diagnosed, 9, "db-recovery", 0),
		at(incident.Mitigated, 12, "db-recovery", 0),
		at(incident.Resolved, 31.5, "db-recovery", 0),
	}, DefaultTargets())

	alert, _ := v.Criterion(IDAlert)
	assert.Equal(t, StatusLate, alert.Status, "the late detection is charged where it happened")
	assert.Zero(t, alert.Excused)
	for id, measured := range map[string]float64{IDAck: 6, IDRestored: 30.5} {
		c, ok := v.Criterion(id)
		require.True(t, ok, id)
		assert.Equal(t, StatusMet, c.Status, "%s: the detection's minute is not charged again", id)
		assertMeasured(t, mins(measured), c.Measured, id+" measured stays the timeline's")
		assert.Equal(t, mins(1), c.Excused, id)
		assert.Contains(t, c.Note, "1m of it was already charged to late detection", id)
	}
	for _, id := range []string{IDDiagnosis, IDMitigation, IDMTTR} {
		c, _ := v.Criterion(id)
		assert.Equal(t, StatusMet, c.Status, id)
		assert.Zero(t, c.Excused, "%s: met anyway, nothing to excuse", id)
		assert.Empty(t, c.Note, id)
	}
	mtta, _ := v.Criterion(IDMTTA)
	assert.Zero(t, mtta.Excused, "MTTA counts from detection: nothing to take off")
	assert.False(t, v.Passed, "the drill still fails: its alert was late")
	assert.InDelta(t, (4+(1+0.5)/2)/5*100, v.Score, 1e-9, "one late criterion of detection's two, in one of five milestones")
}

// MTTA and the severity's response target judge the same interval: a late
// acknowledgement fails both, and both together weigh what one criterion
// weighs; so do detection's and resolution's two criteria.
func TestCriteriaJudgingOneMilestoneShareItsWeight(t *testing.T) {
	t.Parallel()
	// P1, acked 20m after detection: MTTA (15m) and the response target
	// (P1 15m) are late by the same 5m, the drill's ack (5m) too.
	v := Score([]incident.Milestone{
		at(incident.FaultInjected, 0, "f", 0),
		at(incident.AlertFiring, 1, "DatabaseConnectionFailure", incident.P1),
		at(incident.Acknowledged, 21, "r", 0),
		at(incident.Diagnosed, 22, "r", 0),
		at(incident.Mitigated, 23, "r", 0),
		at(incident.Resolved, 24, "r", 0),
	}, DefaultTargets())
	weight := map[string]float64{}
	for _, c := range v.Criteria {
		weight[c.Judges] += c.ScoreWeight()
	}
	assert.Equal(t, map[string]float64{"detected": 1, "acknowledged": 1, "diagnosed": 1, "mitigated": 1, "resolved": 1}, weight)
	mtta, _ := v.Criterion(IDMTTA)
	resp, _ := v.Criterion(IDResponse)
	assert.Equal(t, 3, mtta.SharedBy)
	assert.InDelta(t, mtta.Credit, resp.Credit, 1e-9, "the same check, the same credit")
	// The ack's lateness (16m beyond the drill's 5m) is carried: the
	// diagnosis 22m after T0 is judged as 6m.
	diag, _ := v.Criterion(IDDiagnosis)
	assert.Equal(t, mins(16), diag.Excused)
	assert.Equal(t, StatusMet, diag.Status)
	assert.Contains(t, diag.Note, "charged to late acknowledgement")
}
