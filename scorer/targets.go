package scorer

import (
	"errors"
	"fmt"
	"time"

	"github.com/firedrill/firedrill/incident"
)

// Targets are what a drill is scored against. A zero (or negative) duration
// target leaves its criterion out, so a team can drop a criterion it does not
// practise; DefaultTargets gives the playbook's values.
type Targets struct {
	// MTTD, MTTA and MTTR are the playbook's Key Metrics targets.
	MTTD time.Duration
	MTTA time.Duration
	MTTR time.Duration
	// Response is the response time per severity, applied to MTTA.
	Response ResponseTargets
	// Drill are the monthly drill's expected-response times, each from T0.
	Drill DrillTargets
	// GameDay are the targets of the playbook's evaluation criteria, which
	// game days add.
	GameDay GameDayTargets
	// Weights weigh each criterion's credit in the score.
	Weights Weights
}

// ResponseTargets hold the severity table's response time per severity.
type ResponseTargets struct {
	P1, P2, P3, P4 time.Duration
}

// For is the response target of s; zero for an unknown severity.
func (r ResponseTargets) For(s incident.Severity) time.Duration {
	switch s {
	case incident.P1:
		return r.P1
	case incident.P2:
		return r.P2
	case incident.P3:
		return r.P3
	case incident.P4:
		return r.P4
	}
	return 0
}

func (r ResponseTargets) any() bool { return r.P1 > 0 || r.P2 > 0 || r.P3 > 0 || r.P4 > 0 }

// DrillTargets are the playbook's "Expected Response" for the monthly drill,
// each measured from T0.
type DrillTargets struct {
	Alert      time.Duration // alert triggers (detected − T0)
	Ack        time.Duration // IC assigned (acknowledged − T0)
	Diagnosis  time.Duration // diagnosis completed (diagnosed − T0)
	Mitigation time.Duration // mitigation applied (mitigated − T0)
	Restored   time.Duration // service restored (resolved − T0)
}

// GameDayTargets are what the playbook's Monthly Incident Drill evaluates
// when people are on call: severity assessment, escalation, communication,
// mitigation, post-mortem. The playbook gives the escalation table and the
// cadence of updates ("every 15-30 minutes"); the first update's and first
// notice's targets are firedrill's reading of it: no later than the
// cadence's shortest interval.
type GameDayTargets struct {
	// Always scores the game-day criteria even when the drill's incident has
	// no game-day milestone: the caller knows people were on call (a drill
	// whose team nobody answered is still a game day, and fails).
	Always bool
	// Roles are the roles each severity must page and have acknowledged
	// within the severity's response target (the escalation table, with
	// "all hands" spelt out).
	Roles RoleTargets
	// FirstUpdate and FirstNotice are from the acknowledgement to the first
	// internal update and the first status-page notice.
	FirstUpdate time.Duration
	FirstNotice time.Duration
	// UpdateEvery is the longest an incident may go without an internal
	// update, from the first one until it is resolved (or the game day
	// closes).
	UpdateEvery time.Duration
}

// RoleTargets are the role keys each severity pages.
type RoleTargets struct {
	P1, P2, P3, P4 []string
}

// For is the roles of s; none for an unknown severity.
func (r RoleTargets) For(s incident.Severity) []string {
	switch s {
	case incident.P1:
		return r.P1
	case incident.P2:
		return r.P2
	case incident.P3:
		return r.P3
	case incident.P4:
		return r.P4
	}
	return nil
}

// Weights weigh criteria in the score. The defaults are all 1: every
// criterion counts the same, because the playbook ranks none above another.
// Criteria that judge the same milestone (detection: MTTD and the drill's
// alert; the acknowledgement: MTTA, the response target and IC assigned;
// resolution: MTTR and restored) share their weight, so each milestone
// weighs one by default, however many targets the playbook puts on it. A
// weight of 0 keeps a criterion in the verdict (it still decides Passed)
// but out of the score.
type Weights struct {
	MTTD, MTTA, MTTR, Response                  float64
	Alert, Ack, Diagnosis, Mitigation, Restored float64
	Quiet                                       float64 // steady-state "no alert fires"
	// The game-day criteria.
	Assessment, Escalation, Communication, Mitigated, Postmortem float64
}

// DefaultTargets are the playbook's: MTTD 5 min, MTTA 15 min, MTTR 60 min,
// response P1 15 min … P4 24 h (incident.Severity.ResponseTarget), the
// monthly drill's alert 2, ack 5, diagnosis 15, mitigation 20, restored 30
// minutes from T0, and for game days its escalation table over the
// Emergency Contacts and the on-call engineer (P1 all hands, P2 tech lead
// and on-call, P3 on-call, P4 nobody), first update and first notice 15
// minutes after the ack, an update at least every 30 minutes; all weighted
// equally. config.DefaultEscalation is the same table.
func DefaultTargets() Targets {
	return Targets{
		MTTD: 5 * time.Minute,
		MTTA: 15 * time.Minute,
		MTTR: 60 * time.Minute,
		Response: ResponseTargets{
			P1: incident.P1.ResponseTarget(),
			P2: incident.P2.ResponseTarget(),
			P3: incident.P3.ResponseTarget(),
			P4: incident.P4.ResponseTarget(),
		},
		Drill: DrillTargets{
			Alert:      2 * time.Minute,
			Ack:        5 * time.Minute,
			Diagnosis:  15 * time.Minute,
			Mitigation: 20 * time.Minute,
			Restored:   30 * time.Minute,
		},
		GameDay: GameDayTargets{
			Roles: RoleTargets{
				P1: []string{"customer_success", "database_admin", "devops_lead", "incident_commander",
					"legal_counsel", "on_call", "security_lead", "tech_lead"},
				P2: []string{"tech_lead", "on_call"},
				P3: []string{"on_call"},
				P4: []string{},
			},
			FirstUpdate: 15 * time.Minute,
			FirstNotice: 15 * time.Minute,
			UpdateEvery: 30 * time.Minute,
		},
		Weights: Weights{
			MTTD: 1, MTTA: 1, MTTR: 1, Response: 1,
			Alert: 1, Ack: 1, Diagnosis: 1, Mitigation: 1, Restored: 1,
			Quiet:      1,
			Assessment: 1, Escalation: 1, Communication: 1, Mitigated: 1, Postmortem: 1,
		},
	}
}

// ErrInvalidTargets is wrapped by Validate's errors, so a config loader can
// tell a bad target from other failures.
var ErrInvalidTargets = errors.New("invalid targets")

// Validate rejects negative targets and weights, which have no meaning;
// Score itself tolerates them (a negative target leaves its criterion out, a
// negative weight counts as 0), but a config file that says so is a mistake.
func (t Targets) Validate() error {
	var errs []error
	durs := []struct {
		name string
		d    time.Duration
	}{
		{"mttd", t.MTTD}, {"mtta", t.MTTA}, {"mttr", t.MTTR},
		{"response P1", t.Response.P1}, {"response P2", t.Response.P2},
		{"response P3", t.Response.P3}, {"response P4", t.Response.P4},
		{"drill alert", t.Drill.Alert}, {"drill ack", t.Drill.Ack},
		{"drill diagnosis", t.Drill.Diagnosis}, {"drill mitigation", t.Drill.Mitigation},
		{"drill restored", t.Drill.Restored},
		{"gameday first_update", t.GameDay.FirstUpdate}, {"gameday first_notice", t.GameDay.FirstNotice},
		{"gameday update_every", t.GameDay.UpdateEvery},
	}
	for _, d := range durs {
		if d.d < 0 {
			errs = append(errs, fmt.Errorf("validate targets: %s is negative (%s): %w", d.name, d.d, ErrInvalidTargets))
		}
	}
	w := t.Weights
	weights := []struct {
		name string
		w    float64
	}{
		{"mttd", w.MTTD}, {"mtta", w.MTTA}, {"mttr", w.MTTR}, {"response", w.Response},
		{"alert", w.Alert}, {"ack", w.Ack}, {"diagnosis", w.Diagnosis},
		{"mitigation", w.Mitigation}, {"restored", w.Restored}, {"quiet", w.Quiet},
		{"gameday_severity", w.Assessment}, {"gameday_escalation", w.Escalation},
		{"gameday_communication", w.Communication}, {"gameday_mitigation", w.Mitigated},
		{"gameday_postmortem", w.Postmortem},
	}
	for _, x := range weights {
		if x.w < 0 {
			errs = append(errs, fmt.Errorf("validate targets: weight %s is negative (%g): %w", x.name, x.w, ErrInvalidTargets))
		}
	}
	return errors.Join(errs...)
}
