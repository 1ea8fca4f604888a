package scorer

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
)

// gd builds a game-day milestone of incident 1 at drill minute f.
func gd(kind incident.Kind, f float64, labels map[string]string) incident.Milestone {
	m := incident.Milestone{Kind: kind, Drill: mins(f), Labels: map[string]string{incident.IncidentLabel: "1"}}
	for k, v := range labels {
		m.Labels[k] = v
	}
	return m
}

func paged(f float64, role, person string, escalated bool) incident.Milestone {
	l := map[string]string{incident.RoleLabel: role, incident.PersonLabel: person}
	if escalated {
		l[incident.EscalatedLabel] = "true"
	}
	return gd(incident.RolePaged, f, l)
}

func acked(f float64, role, person string) incident.Milestone {
	return gd(incident.RoleAcknowledged, f, map[string]string{incident.RoleLabel: role, incident.PersonLabel: person})
}

func declared(f float64, s incident.Severity) incident.Milestone {
	m := gd(incident.SeverityDeclared, f, map[string]string{incident.PersonLabel: "alice"})
	m.Severity = s
	return m
}

func notice(f float64, kind string) incident.Milestone {
	return gd(incident.NoticePublished, f, map[string]string{incident.NoticeLabel: kind})
}

// gameDayOnTime is onTime (P1 detected at 2, ack at 3, resolved at 15) run
// by a team: both roles P1 pages in gameDayTargets paged at 2 and
// acknowledged, P1 declared, updates at 5 and 14, notices, a post-mortem.
func gameDayOnTime() []incident.Milestone {
	return append(onTime(),
		paged(2, "incident_commander", "alice", false), paged(2, "tech_lead", "carol", false),
		acked(3, "incident_commander", "alice"), acked(4, "tech_lead", "carol"),
		declared(3, incident.P1),
		gd(incident.UpdatePosted, 5, nil), gd(incident.UpdatePosted, 14, nil),
		notice(8, incident.NoticeInitial), notice(16, incident.NoticeResolution),
		gd(incident.PostmortemSubmitted, 40, nil),
	)
}

func gameDayTargets() Targets {
	t := DefaultTargets()
	t.GameDay.Roles.P1 = []string{"incident_commander", "tech_lead"}
	return t
}

// replaced is ms with every milestone that drop accepts removed, plus add.
func replaced(ms []incident.Milestone, drop func(incident.Milestone) bool, add ...incident.Milestone) []incident.Milestone {
	var out []incident.Milestone
	for _, m := range ms {
		if !drop(m) {
			out = append(out, m)
		}
	}
	return append(out, add...)
}

func kindIs(k incident.Kind) func(incident.Milestone) bool {
	return func(m incident.Milestone) bool { return m.Kind == k }
}

func roleAck(role string) func(incident.Milestone) bool {
	return func(m incident.Milestone) bool {
		return m.Kind == incident.RoleAcknowledged && m.Labels[incident.RoleLabel] == role
	}
}

func TestScoreGameDay(t *testing.T) {
	t.Parallel()
	gameDayIDs := []string{IDAssessment, IDEscalation, IDCommunication, IDMitigated, IDPostmortem}
	tests := map[string]struct {
		timeline    []incident.Milestone
		targets     func(*Targets)
		gameDay     bool
		status      map[string]Status
		credit      map[string]float64
		absent      []string // criteria the verdict must not have
		escalations int
		note        map[string]string // criterion id → a part of its note
		passed      bool
	}{
		"on time meets all five": {
			timeline: gameDayOnTime(), gameDay: true, passed: true,
			status: map[string]Status{IDAssessment: StatusMet, IDEscalation: StatusMet, IDCommunication: StatusMet,
				IDMitigated: StatusMet, IDPostmortem: StatusMet},
		},
		"wrong severity declared": {
			timeline: replaced(gameDayOnTime(), kindIs(incident.SeverityDeclared), declared(3, incident.P2)), gameDay: true,
			status: map[string]Status{IDAssessment: StatusWrong}, credit: map[string]float64{IDAssessment: 0},
			note: map[string]string{IDAssessment: "declared P2; the alerts say P1 (DatabaseConnectionFailure)"},
		},
		"a re-assessment replaces the first call": {
			timeline: append(replaced(gameDayOnTime(), kindIs(incident.SeverityDeclared), declared(3, incident.P2)), declared(6, incident.P1)),
			gameDay:  true, passed: true,
			status: map[string]Status{IDAssessment: StatusMet}, note: map[string]string{IDAssessment: "declared P2 then P1"},
		},
		"no severity declared": {
			timeline: replaced(gameDayOnTime(), kindIs(incident.SeverityDeclared)), gameDay: true,
			status: map[string]Status{IDAssessment: StatusMissing}, credit: map[string]float64{IDAssessment: 0},
		},
		"a role acknowledges late": {
			// detected at 2, tech lead acks at 20: 18 min against P1's 15.
			timeline: replaced(gameDayOnTime(), roleAck("tech_lead"), acked(20, "tech_lead", "carol")), gameDay: true,
			status: map[string]Status{IDEscalation: StatusLate},
			credit: map[string]float64{IDEscalation: (1 + (2 - 18.0/15)) / 2},
		},
		"an escalation to the backup counts": {
			timeline: replaced(gameDayOnTime(), roleAck("tech_lead"),
				paged(7, "tech_lead", "dave", true), acked(8, "tech_lead", "dave")),
			gameDay: true, passed: true, escalations: 1,
			status: map[string]Status{IDEscalation: StatusMet},
			note:   map[string]string{IDEscalation: "by dave after 2 pages (escalated to the backup)"},
		},
		"a role never acknowledges": {
			timeline: replaced(gameDayOnTime(), roleAck("tech_lead")), gameDay: true,
			status: map[string]Status{IDEscalation: StatusMissing}, credit: map[string]float64{IDEscalation: 0.5},
			note: map[string]string{IDEscalation: "role tech_lead acknowledged: missing (paged, never acknowledged)"},
		},
		"a role is never paged": {
			timeline: gameDayOnTime(), gameDay: true,
			targets: func(t *Targets) { t.GameDay.Roles.P1 = append(t.GameDay.Roles.P1, "legal_counsel") },
			status:  map[string]Status{IDEscalation: StatusMissing}, credit: map[string]float64{IDEscalation: 2.0 / 3},
			note: map[string]string{IDEscalation: "legal_counsel acknowledged: missing (never paged)"},
		},
		"the first update is late": {
			// ack at 3, first update at 23: 20 min against 15.
			timeline: replaced(gameDayOnTime(), kindIs(incident.UpdatePosted), gd(incident.UpdatePosted, 23, nil)), gameDay: true,
			status: map[string]Status{IDCommunication: StatusLate},
			// first update late (2 − 20/15), notice, cadence (resolved at 15, before it) and resolution notice met.
			credit: map[string]float64{IDCommunication: (2 - 20.0/15 + 3) / 4},
		},
		"no internal update at all": {
			timeline: replaced(gameDayOnTime(), kindIs(incident.UpdatePosted)), gameDay: true,
			status: map[string]Status{IDCommunication: StatusMissing}, credit: map[string]float64{IDCommunication: 0.5},
		},
		"updates stop for too long": {
			// resolved at 60; updates at 5 and 45: 40 min without one, against 30.
			timeline: append(replaced(gameDayOnTime(), func(m incident.Milestone) bool {
				return m.Kind == incident.UpdatePosted || m.Kind == incident.Resolved
			}), gd(incident.UpdatePosted, 5, nil), gd(incident.UpdatePosted, 45, nil), at(incident.Resolved, 60, "db-recovery", 0)),
			gameDay: true,
			status:  map[string]Status{IDCommunication: StatusLate},
			credit:  map[string]float64{IDCommunication: (3 + 2 - 40.0/30) / 4},
			note:    map[string]string{IDCommunication: "longest time without an update 40m0s after the previous update (≤ 30m0s): late"},
		},
		"an unresolved incident still needs updates until the game day closes": {
			// never resolved; the last milestone (the post-mortem) at 40 closes it: 35 min since the update at 5.
			timeline: replaced(gameDayOnTime(), func(m incident.Milestone) bool {
				return m.Kind == incident.Resolved || (m.Kind == incident.UpdatePosted && m.Drill > mins(5))
			}),
			gameDay: true,
			status:  map[string]Status{IDCommunication: StatusLate},
			credit:  map[string]float64{IDCommunication: (3 + 2 - 35.0/30) / 4},
		},
		"the first notice is late and there is no resolution notice": {
			timeline: replaced(gameDayOnTime(), kindIs(incident.NoticePublished), notice(24, incident.NoticeInitial)), gameDay: true,
			status: map[string]Status{IDCommunication: StatusMissing},
			credit: map[string]float64{IDCommunication: (1 + (2 - 21.0/15) + 1 + 0) / 4},
			note:   map[string]string{IDCommunication: "Resolution notice: missing"},
		},
		"no mitigation": {
			timeline: replaced(gameDayOnTime(), kindIs(incident.Mitigated)), gameDay: true,
			status: map[string]Status{IDMitigated: StatusMissing, IDMitigation: StatusMissing},
		},
		"no post-mortem for a P1": {
			timeline: replaced(gameDayOnTime(), kindIs(incident.PostmortemSubmitted)), gameDay: true,
			status: map[string]Status{IDPostmortem: StatusMissing}, credit: map[string]float64{IDPostmortem: 0},
		},
		"a P3 needs no post-mortem": {
			timeline: replaced(gameDayOnTime(), func(m incident.Milestone) bool {
				return m.Kind == incident.PostmortemSubmitted || m.Kind == incident.SeverityDeclared || m.Severity == incident.P1
			}, at(incident.AlertFiring, 2, "PerformanceDegradation", incident.P3), declared(3, incident.P3),
				paged(2, "on_call", "erin", false), acked(3, "on_call", "erin")),
			targets: func(t *Targets) { t.GameDay.Roles.P3 = []string{"on_call"} },
			gameDay: true, passed: true, absent: []string{IDPostmortem},
			status: map[string]Status{IDAssessment: StatusMet, IDEscalation: StatusMet, IDCommunication: StatusMet},
		},
		"a P4 pages nobody": {
			timeline: replaced(gameDayOnTime(), func(m incident.Milestone) bool {
				return m.Severity == incident.P1 || m.Kind == incident.RolePaged || m.Kind == incident.RoleAcknowledged
			}, at(incident.AlertFiring, 2, "Cosmetic", incident.P4), declared(3, incident.P4)),
			gameDay: true, passed: true, absent: []string{IDPostmortem},
			status: map[string]Status{IDEscalation: StatusMet}, note: map[string]string{IDEscalation: "P4 pages nobody"},
		},
		"an automated drill says so": {
			timeline: onTime(), gameDay: false, passed: true, absent: gameDayIDs,
		},
		"another incident's game-day milestones are not credited": {
			timeline: append(onTime(), of(declared(3, incident.P1), "2"), of(gd(incident.UpdatePosted, 5, nil), "2")),
			gameDay:  false, passed: true, absent: gameDayIDs,
		},
		"a game day nobody answered fails every criterion it can": {
			timeline: without(onTime(), incident.Mitigated),
			targets:  func(t *Targets) { t.GameDay.Always = true },
			gameDay:  true,
			status: map[string]Status{IDAssessment: StatusMissing, IDEscalation: StatusMissing, IDCommunication: StatusMissing,
				IDMitigated: StatusMissing, IDPostmortem: StatusMissing},
			credit: map[string]float64{IDAssessment: 0, IDEscalation: 0, IDCommunication: 0, IDMitigated: 0, IDPostmortem: 0},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			targets := gameDayTargets()
			if tc.targets != nil {
				tc.targets(&targets)
			}
			v := Score(tc.timeline, targets)
			assert.Equal(t, tc.gameDay, v.GameDay)
			if tc.gameDay {
				assert.Empty(t, v.Notes)
			} else {
				assert.Contains(t, v.Notes, AutomatedNote, "an automated drill says what it is not scored on")
			}
			for id, want := range tc.status {
				c, ok := v.Criterion(id)
				if assert.True(t, ok, "criterion %s", id) {
					assert.Equal(t, want, c.Status, "%s: %s", id, c.Note)
					assert.Equal(t, want == StatusMet, c.Met, id)
				}
			}
			for id, want := range tc.credit {
				c, ok := v.Criterion(id)
				require.True(t, ok, "criterion %s", id)
				assert.InDelta(t, want, c.Credit, 1e-9, "%s credit: %s", id, c.Note)
			}
			for id, want := range tc.note {
				c, _ := v.Criterion(id)
				assert.Contains(t, c.Note, want, id)
			}
			for _, id := range tc.absent {
				_, ok := v.Criterion(id)
				assert.False(t, ok, "criterion %s does not apply", id)
			}
			assert.Equal(t, tc.escalations, v.Escalations)
			assert.Equal(t, tc.passed, v.Passed, "%+v", v.Missed())
		})
	}
}

// The game-day targets and weights survive a round trip through JSON, so
// a stored game day is rescored the same.
func TestGameDayTargetsRoundTrip(t *testing.T) {
	t.Parallel()
	want := gameDayTargets()
	want.GameDay.Always = true
	want.Weights.Communication = 2
	b, err := want.MarshalJSON()
	require.NoError(t, err)
	var got Targets
	require.NoError(t, got.UnmarshalJSON(b))
	assert.Equal(t, want, got)
	v := Score(gameDayOnTime(), want)
	assert.Equal(t, v, Score(gameDayOnTime(), got))
}

// A compound criterion shows the part that decided it: the tightest when
// all are met, the late one, the missing one.
func TestCompoundShowsTheDecidingPart(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		timeline []incident.Milestone
		want     Measurement
	}{
		"all met: the last role to acknowledge": {gameDayOnTime(), Measured(mins(2))},
		"late: the late role":                   {replaced(gameDayOnTime(), roleAck("tech_lead"), acked(20, "tech_lead", "carol")), Measured(mins(18))},
		"missing: the missing role":             {replaced(gameDayOnTime(), roleAck("incident_commander")), Missing()},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, ok := Score(tc.timeline, gameDayTargets()).Criterion(IDEscalation)
			require.True(t, ok)
			assert.Equal(t, tc.want, c.Measured)
			assert.Equal(t, mins(15), c.Target, "P1's response target")
			assert.Len(t, c.Parts, 2, "one part per role")
		})
	}
}
