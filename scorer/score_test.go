package scorer

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
)

// tolerance is how close a measured duration must be: durations are exact
// arithmetic on drill times, so anything beyond a millisecond is a bug.
const tolerance = time.Millisecond

func mins(f float64) time.Duration { return time.Duration(f * float64(time.Minute)) }

// at builds a milestone at drill minute f. Pages and responses belong to
// incident 1, as the pager and responders label them.
func at(kind incident.Kind, f float64, subject string, sev incident.Severity) incident.Milestone {
	m := incident.Milestone{Kind: kind, Drill: mins(f), Subject: subject, Severity: sev}
	switch kind {
	case incident.PageSent, incident.Acknowledged, incident.Diagnosed, incident.Mitigated, incident.Resolved:
		m = of(m, "1")
	}
	return m
}

// of puts m in incident id.
func of(m incident.Milestone, id string) incident.Milestone {
	m.Labels = map[string]string{incident.IncidentLabel: id}
	return m
}

func assertMeasured(t *testing.T, want time.Duration, got Measurement, what string) {
	t.Helper()
	require.True(t, got.Present, "%s should be measured", what)
	assert.InDelta(t, want.Seconds(), got.Value.Seconds(), tolerance.Seconds(), what)
}

// onTime is a drill that meets every default target: fault at minute 1,
// P1 alert firing at 2, ack at 3, diagnosis at 6, mitigation at 10,
// resolved at 15.
func onTime() []incident.Milestone {
	return []incident.Milestone{
		at(incident.FaultInjected, 1, "db-pool-exhaustion", 0),
		at(incident.AlertPending, 1.5, "DatabaseConnectionFailure", incident.P1),
		at(incident.AlertFiring, 2, "DatabaseConnectionFailure", incident.P1),
		at(incident.PageSent, 2, "DatabaseConnectionFailure", incident.P1),
		at(incident.Acknowledged, 3, "db-recovery", 0),
		at(incident.Diagnosed, 6, "db-recovery", 0),
		at(incident.Mitigated, 10, "db-recovery", 0),
		at(incident.AlertResolved, 14, "DatabaseConnectionFailure", incident.P1),
		at(incident.Resolved, 15, "db-recovery", 0),
	}
}

func without(ms []incident.Milestone, kinds ...incident.Kind) []incident.Milestone {
	var out []incident.Milestone
	for _, m := range ms {
		skip := false
		for _, k := range kinds {
			skip = skip || m.Kind == k
		}
		if !skip {
			out = append(out, m)
		}
	}
	return out
}

func moved(ms []incident.Milestone, kind incident.Kind, to float64) []incident.Milestone {
	out := append([]incident.Milestone(nil), ms...)
	for i := range out {
		if out[i].Kind == kind {
			out[i].Drill = mins(to)
		}
	}
	return out
}

func TestScore(t *testing.T) {
	t.Parallel()
	missing := Missing()
	tests := map[string]struct {
		timeline []incident.Milestone
		targets  func(*Targets)
		mttd     Measurement
		mtta     Measurement
		mttr     Measurement
		severity incident.Severity
		alert    string
		status   map[string]Status
		credit   map[string]float64
		score    *float64
		passed   bool
		incident string
		others   []string
		page     Measurement
	}{
		"on time meets every target": {
			timeline: onTime(),
			mttd:     Measured(mins(1)), mtta: Measured(mins(1)), mttr: Measured(mins(14)),
			severity: incident.P1, alert: "DatabaseConnectionFailure",
			status: map[string]Status{IDMTTD: StatusMet, IDMTTA: StatusMet, IDMTTR: StatusMet, IDResponse: StatusMet,
				IDAlert: StatusMet, IDAck: StatusMet, IDDiagnosis: StatusMet, IDMitigation: StatusMet, IDRestored: StatusMet},
			score: pf(100), passed: true,
		},
		"unsorted timeline reads in drill-time order": {
			timeline: func() []incident.Milestone {
				ms := onTime()
				ms[0], ms[8] = ms[8], ms[0]
				ms[2], ms[5] = ms[5], ms[2]
				return ms
			}(),
			mttd: Measured(mins(1)), mtta: Measured(mins(1)), mttr: Measured(mins(14)),
			severity: incident.P1, alert: "DatabaseConnectionFailure", score: pf(100), passed: true,
		},
		"late detection loses drill alert credit linearly": {
			// detected 3 min after T0: MTTD (5m) met, the drill's alert (2m) late at 1.5×.
			timeline: moved(moved(moved(onTime(), incident.AlertFiring, 4), incident.PageSent, 4), incident.Acknowledged, 5),
			mttd:     Measured(mins(3)), mtta: Measured(mins(1)), mttr: Measured(mins(14)),
			severity: incident.P1, alert: "DatabaseConnectionFailure",
			status: map[string]Status{IDMTTD: StatusMet, IDAlert: StatusLate, IDMTTA: StatusMet},
			credit: map[string]float64{IDAlert: 0.5, IDMTTD: 1},
			// Five milestones weigh one each; detection's two criteria share one.
			score: pf((4 + (1+0.5)/2) / 5 * 100), passed: false,
		},
		"missing acknowledgement fails, never zero": {
			timeline: without(onTime(), incident.Acknowledged),
			mttd:     Measured(mins(1)), mtta: missing, mttr: Measured(mins(14)),
			severity: incident.P1, alert: "DatabaseConnectionFailure",
			status: map[string]Status{IDMTTA: StatusMissing, IDResponse: StatusMissing, IDAck: StatusMissing, IDMTTR: StatusMet},
			credit: map[string]float64{IDMTTA: 0, IDResponse: 0, IDAck: 0},
			// One missing acknowledgement, charged once: its three criteria share one weight.
			score: pf(4.0 / 5 * 100), passed: false,
		},
		"fault with no response at all": {
			timeline: []incident.Milestone{at(incident.FaultInjected, 1, "error-spike", 0)},
			mttd:     missing, mtta: missing, mttr: missing,
			severity: incident.SeverityUnknown,
			status: map[string]Status{IDMTTD: StatusMissing, IDMTTA: StatusMissing, IDMTTR: StatusMissing, IDResponse: StatusMissing,
				IDAlert: StatusMissing, IDAck: StatusMissing, IDDiagnosis: StatusMissing, IDMitigation: StatusMissing, IDRestored: StatusMissing},
			score: pf(0), passed: false,
		},
		"late resolution beyond twice the target earns nothing": {
			// resolved 61 min after T0: MTTR (60m) late just past target, restored (30m) beyond 2×.
			timeline: moved(onTime(), incident.Resolved, 62),
			mttd:     Measured(mins(1)), mtta: Measured(mins(1)), mttr: Measured(mins(61)),
			severity: incident.P1, alert: "DatabaseConnectionFailure",
			status: map[string]Status{IDMTTR: StatusLate, IDRestored: StatusLate},
			credit: map[string]float64{IDMTTR: 2 - 61.0/60, IDRestored: 0},
			score:  pf((4 + (2-61.0/60+0)/2) / 5 * 100), passed: false,
		},
		"alerts before T0 are ignored": {
			timeline: []incident.Milestone{
				at(incident.AlertFiring, 0.5, "Noise", incident.P1),
				at(incident.FaultInjected, 1, "error-spike", 0),
				at(incident.AlertFiring, 3, "HighErrorRate", incident.P2),
				at(incident.Acknowledged, 4, "r", 0),
				at(incident.Resolved, 10, "r", 0),
			},
			mttd: Measured(mins(2)), mtta: Measured(mins(1)), mttr: Measured(mins(9)),
			severity: incident.P2, alert: "HighErrorRate",
			status: map[string]Status{IDResponse: StatusMet, IDDiagnosis: StatusMissing},
		},
		"severity is the highest of several firing alerts": {
			timeline: []incident.Milestone{
				at(incident.FaultInjected, 0, "db-pool-exhaustion", 0),
				at(incident.AlertFiring, 1, "SlowResponses", incident.P3),
				at(incident.AlertFiring, 1.5, "DatabaseConnectionFailure", incident.P1),
				at(incident.AlertFiring, 2, "CompleteServiceOutage", incident.P1),
				at(incident.AlertFiring, 2, "HighErrorRate", incident.P2),
			},
			mttd: Measured(mins(1)), mtta: missing, mttr: missing,
			severity: incident.P1, alert: "DatabaseConnectionFailure",
		},
		"severity read from the severity label": {
			timeline: []incident.Milestone{
				at(incident.FaultInjected, 0, "f", 0),
				{Kind: incident.AlertFiring, Drill: mins(1), Subject: "Labelled", Labels: map[string]string{"severity": "critical"}},
				at(incident.AlertFiring, 1, "Minor", incident.P3),
			},
			mttd: Measured(mins(1)), mtta: missing, mttr: missing,
			severity: incident.P1, alert: "Labelled",
		},
		"alerts after resolution are not the incident's": {
			timeline: []incident.Milestone{
				at(incident.FaultInjected, 0, "f", 0),
				at(incident.AlertFiring, 1, "HighErrorRate", incident.P2),
				at(incident.Acknowledged, 2, "r", 0),
				at(incident.Resolved, 8, "r", 0),
				at(incident.AlertFiring, 9, "Unrelated", incident.P1),
			},
			mttd: Measured(mins(1)), mtta: Measured(mins(1)), mttr: Measured(mins(8)),
			severity: incident.P2, alert: "HighErrorRate",
		},
		"firing alert without severity leaves the response target unjudged": {
			timeline: []incident.Milestone{
				at(incident.FaultInjected, 0, "f", 0),
				at(incident.AlertFiring, 1, "Unlabelled", 0),
				at(incident.Acknowledged, 2, "r", 0),
			},
			mttd: Measured(mins(1)), mtta: Measured(mins(1)), mttr: missing,
			severity: incident.SeverityUnknown,
			status:   map[string]Status{IDResponse: StatusMissing, IDMTTA: StatusMet},
			credit:   map[string]float64{IDResponse: 0},
		},
		"response target follows severity": {
			// P2 (30m response), acked 20 min after detection: MTTA (15m) late, response met.
			timeline: []incident.Milestone{
				at(incident.FaultInjected, 0, "f", 0),
				at(incident.AlertFiring, 1, "HighErrorRate", incident.P2),
				at(incident.Acknowledged, 21, "r", 0),
			},
			mttd: Measured(mins(1)), mtta: Measured(mins(20)), mttr: missing,
			severity: incident.P2, alert: "HighErrorRate",
			status: map[string]Status{IDMTTA: StatusLate, IDResponse: StatusMet, IDAck: StatusLate},
			credit: map[string]float64{IDMTTA: 2 - 20.0/15, IDResponse: 1, IDAck: 0},
		},
		"an ack before detection belongs to no incident": {
			// The incident exists from its first alert on: an earlier ack,
			// even labelled with it, is not credited; the later one is.
			timeline: []incident.Milestone{
				at(incident.FaultInjected, 0, "f", 0),
				at(incident.Acknowledged, 0.5, "human", 0),
				at(incident.AlertFiring, 1, "HighErrorRate", incident.P2),
				at(incident.Acknowledged, 4, "human", 0),
			},
			mttd: Measured(mins(1)), mtta: Measured(mins(3)), mttr: missing,
			severity: incident.P2, alert: "HighErrorRate",
			status: map[string]Status{IDMTTA: StatusMet, IDAck: StatusMet},
		},
		"an ack before detection and none after measures nothing": {
			timeline: []incident.Milestone{
				at(incident.FaultInjected, 0, "f", 0),
				at(incident.Acknowledged, 0.5, "human", 0),
				at(incident.AlertFiring, 1, "HighErrorRate", incident.P2),
			},
			mttd: Measured(mins(1)), mtta: missing, mttr: missing,
			severity: incident.P2, alert: "HighErrorRate",
			status: map[string]Status{IDMTTA: StatusMissing, IDAck: StatusMissing},
		},
		"a closed false alarm's responses are never the drill's": {
			// The reproduction: a warm-up alert pages incident 1 at
			// 0:30, the fault comes at 1:00, the on-call acks incident 1 at
			// 3:30 and runs its playbook; the fault's alert opens incident 2
			// at 6:15, acked at 9:15. Before: MTTA 0s met, ack 2m30 met.
			timeline: []incident.Milestone{
				at(incident.AlertFiring, 0.5, "Noise", incident.P3),
				of(at(incident.PageSent, 0.5, "Noise", incident.P3), "1"),
				at(incident.FaultInjected, 1, "db-pool-exhaustion", 0),
				of(at(incident.Acknowledged, 3.5, "db-recovery", 0), "1"),
				of(at(incident.Diagnosed, 4, "db-recovery", 0), "1"),
				of(at(incident.Mitigated, 5, "db-recovery", 0), "1"),
				at(incident.AlertFiring, 6.25, "DatabaseConnectionFailure", incident.P1),
				of(at(incident.PageSent, 6.25, "DatabaseConnectionFailure", incident.P1), "2"),
				of(at(incident.Acknowledged, 9.25, "db-recovery", 0), "2"),
				of(at(incident.Diagnosed, 9.5, "db-recovery", 0), "2"),
				of(at(incident.Mitigated, 10, "db-recovery", 0), "2"),
				of(at(incident.Resolved, 11, "db-recovery", 0), "2"),
			},
			mttd: Measured(mins(5.25)), mtta: Measured(mins(3)), mttr: Measured(mins(10)),
			severity: incident.P1, alert: "DatabaseConnectionFailure",
			// The ack came 3m after detection: the 3m15s by which detection
			// missed its 2m is charged to detection only.
			status: map[string]Status{IDMTTD: StatusLate, IDMTTA: StatusMet, IDAck: StatusMet,
				IDDiagnosis: StatusMet, IDMitigation: StatusMet},
			incident: "2", others: []string{"1"}, page: Measured(mins(5.25)),
		},
		"responses with no incident are not credited": {
			timeline: []incident.Milestone{
				at(incident.FaultInjected, 0, "f", 0),
				at(incident.AlertFiring, 1, "HighErrorRate", incident.P2),
				{Kind: incident.Acknowledged, Drill: mins(2), Subject: "unlabelled"},
				{Kind: incident.Resolved, Drill: mins(5), Subject: "unlabelled"},
			},
			mttd: Measured(mins(1)), mtta: missing, mttr: missing,
			severity: incident.P2, alert: "HighErrorRate",
		},
		"T0 is the first fault injected": {
			timeline: []incident.Milestone{
				at(incident.FaultInjected, 4, "second", 0),
				at(incident.FaultInjected, 1, "first", 0),
				at(incident.AlertFiring, 5, "HighErrorRate", incident.P2),
			},
			mttd: Measured(mins(4)), mtta: missing, mttr: missing,
			severity: incident.P2, alert: "HighErrorRate",
			status: map[string]Status{IDMTTD: StatusMet, IDAlert: StatusLate},
			credit: map[string]float64{IDAlert: 0},
		},
		"zero target leaves its criterion out": {
			timeline: without(onTime(), incident.Diagnosed),
			targets:  func(t *Targets) { t.Drill.Diagnosis = 0 },
			mttd:     Measured(mins(1)), mtta: Measured(mins(1)), mttr: Measured(mins(14)),
			severity: incident.P1, alert: "DatabaseConnectionFailure",
			score: pf(100), passed: true,
		},
		"weights tilt the score": {
			timeline: without(onTime(), incident.Diagnosed),
			targets: func(t *Targets) {
				t.Weights = Weights{Diagnosis: 3, MTTR: 1}
			},
			mttd: Measured(mins(1)), mtta: Measured(mins(1)), mttr: Measured(mins(14)),
			severity: incident.P1, alert: "DatabaseConnectionFailure",
			status: map[string]Status{IDDiagnosis: StatusMissing},
			score:  pf(25), passed: false,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			targets := DefaultTargets()
			if tc.targets != nil {
				tc.targets(&targets)
			}
			v := Score(tc.timeline, targets)
			assert.False(t, v.SteadyState)
			for what, pair := range map[string][2]Measurement{"MTTD": {tc.mttd, v.MTTD}, "MTTA": {tc.mtta, v.MTTA}, "MTTR": {tc.mttr, v.MTTR}} {
				if pair[0].Present {
					assertMeasured(t, pair[0].Value, pair[1], what)
				} else {
					assert.False(t, pair[1].Present, "%s should be missing, got %s", what, pair[1])
				}
			}
			assert.Equal(t, tc.severity, v.Severity)
			assert.Equal(t, tc.alert, v.SeverityAlert)
			for id, want := range tc.status {
				c, ok := v.Criterion(id)
				require.True(t, ok, id)
				assert.Equal(t, want, c.Status, id)
				assert.Equal(t, want == StatusMet, c.Met, id)
			}
			for id, want := range tc.credit {
				c, ok := v.Criterion(id)
				require.True(t, ok, id)
				assert.InDelta(t, want, c.Credit, 1e-9, id)
			}
			if tc.score != nil {
				assert.InDelta(t, *tc.score, v.Score, 1e-9)
			}
			assert.Equal(t, tc.passed, v.Passed)
			for _, c := range v.Criteria {
				if !c.Measured.Present {
					assert.False(t, c.Met, "a missing milestone never meets %s", c.ID)
					assert.Zero(t, c.Credit, "a missing milestone earns nothing for %s", c.ID)
				}
			}
			assert.Len(t, v.Missed(), countUnmet(v.Criteria))
			if tc.incident != "" {
				assert.Equal(t, tc.incident, v.Incident)
			}
			assert.Equal(t, tc.others, v.OtherIncidents)
			if tc.page.Present {
				assertMeasured(t, tc.page.Value, v.TimeToPage, "time to page")
			}
		})
	}
}

func pf(f float64) *float64 { return &f }

func countUnmet(cs []Criterion) int {
	n := 0
	for _, c := range cs {
		if !c.Met {
			n++
		}
	}
	return n
}

func TestScoreCriteriaCoverDesign(t *testing.T) {
	t.Parallel()
	v := Score(onTime(), DefaultTargets())
	var ids []string
	for _, c := range v.Criteria {
		ids = append(ids, c.ID)
	}
	assert.Equal(t, []string{IDMTTD, IDMTTA, IDMTTR, IDResponse, IDAlert, IDAck, IDDiagnosis, IDMitigation, IDRestored}, ids)
	want := map[string]time.Duration{
		IDMTTD: 5 * time.Minute, IDMTTA: 15 * time.Minute, IDMTTR: time.Hour, IDResponse: 15 * time.Minute,
		IDAlert: 2 * time.Minute, IDAck: 5 * time.Minute, IDDiagnosis: 15 * time.Minute,
		IDMitigation: 20 * time.Minute, IDRestored: 30 * time.Minute,
	}
	for _, c := range v.Criteria {
		assert.Equal(t, want[c.ID], c.Target, c.ID)
		assert.InDelta(t, 1.0, c.Weight, 1e-9, "default weights are equal")
	}
	diag, _ := v.Criterion(IDDiagnosis)
	assertMeasured(t, 5*time.Minute, diag.Measured, "diagnosis is measured from T0")
	assertMeasured(t, mins(1), v.Marks.T0, "T0 mark")
	assertMeasured(t, mins(15), v.Marks.Resolved, "resolved mark")
}

func TestScoreSteadyState(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		timeline []incident.Milestone
		status   Status
		score    float64
		passed   bool
	}{
		"quiet drill passes": {
			timeline: []incident.Milestone{at(incident.Note, 1, "traffic", 0), at(incident.AlertPending, 3, "HighErrorRate", incident.P2)},
			status:   StatusMet, score: 100, passed: true,
		},
		"empty timeline passes": {status: StatusMet, score: 100, passed: true},
		"false alarm fails": {
			timeline: []incident.Milestone{at(incident.AlertFiring, 3, "HighErrorRate", incident.P2)},
			status:   StatusViolated, score: 0, passed: false,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			v := Score(tc.timeline, DefaultTargets())
			assert.True(t, v.SteadyState)
			assert.False(t, v.MTTD.Present, "MTTD is not applicable")
			assert.False(t, v.MTTA.Present, "MTTA is not applicable")
			assert.False(t, v.MTTR.Present, "MTTR is not applicable")
			assert.False(t, v.Marks.T0.Present)
			require.Len(t, v.Criteria, 1)
			c := v.Criteria[0]
			assert.Equal(t, IDQuiet, c.ID)
			assert.Equal(t, ExpectAbsent, c.Expect)
			assert.Equal(t, tc.status, c.Status)
			assert.InDelta(t, tc.score, v.Score, 1e-9)
			assert.Equal(t, tc.passed, v.Passed)
			if tc.status == StatusViolated {
				assertMeasured(t, mins(3), c.Measured, "when the false alarm fired")
				assert.Contains(t, c.Note, "HighErrorRate")
			}
		})
	}
}

func TestCredit(t *testing.T) {
	t.Parallel()
	target := 10 * time.Minute
	tests := map[string]struct {
		measured Measurement
		want     float64
	}{
		"well within":           {Measured(2 * time.Minute), 1},
		"zero is on time":       {Measured(0), 1},
		"exactly at target":     {Measured(target), 1},
		"just late":             {Measured(11 * time.Minute), 0.9},
		"one and a half times":  {Measured(15 * time.Minute), 0.5},
		"exactly twice":         {Measured(20 * time.Minute), 0},
		"beyond twice":          {Measured(45 * time.Minute), 0},
		"missing earns nothing": {Missing(), 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			assert.InDelta(t, tc.want, Credit(tc.measured, target), 1e-9)
			c := judge("x", "x", "T0", target, 1, tc.measured)
			assert.InDelta(t, tc.want, c.Credit, 1e-9)
			assert.Equal(t, tc.measured.Present && tc.measured.Value <= target, c.Met)
		})
	}
}

func TestTargetsValidate(t *testing.T) {
	t.Parallel()
	require.NoError(t, DefaultTargets().Validate())
	bad := DefaultTargets()
	bad.MTTD = -time.Second
	bad.Weights.Ack = -1
	err := bad.Validate()
	require.ErrorIs(t, err, ErrInvalidTargets)
	assert.Contains(t, err.Error(), "mttd")
	assert.Contains(t, err.Error(), "weight ack")
}

// Rules that fire with no fault are listed with the series that made them
// fire: before T0 in a drill, at all in a steady state.
func TestScoreListsNoise(t *testing.T) {
	t.Parallel()
	noisy := func(f float64, instance string) incident.Milestone {
		m := at(incident.AlertFiring, f, "RedisMemoryHigh", incident.P3)
		m.Labels = map[string]string{"alertname": "RedisMemoryHigh", "severity": "warning", "instance": instance}
		m.Expr = "redis_memory_used_bytes / redis_memory_max_bytes > 0.9"
		return m
	}
	v := Score([]incident.Milestone{
		noisy(0.25, "b"), noisy(0.5, "a"), noisy(0.75, "a"),
		at(incident.FaultInjected, 1, "f", 0),
		at(incident.AlertFiring, 2, "HighErrorRate", incident.P2),
	}, DefaultTargets())
	require.Len(t, v.Noise, 1, "HighErrorRate fired after T0: not noise")
	n := v.Noise[0]
	assert.Equal(t, "RedisMemoryHigh", n.Alert)
	assert.Equal(t, "P3", n.Severity)
	assert.Equal(t, "redis_memory_used_bytes / redis_memory_max_bytes > 0.9", n.Expr)
	assert.Equal(t, []map[string]string{{"instance": "a"}, {"instance": "b"}}, n.Series)
	assertMeasured(t, mins(0.25), n.First, "first fired")

	steady := Score([]incident.Milestone{noisy(3, "a")}, DefaultTargets())
	require.Len(t, steady.Noise, 1)
	assert.Empty(t, Score(onTime(), DefaultTargets()).Noise)
}
