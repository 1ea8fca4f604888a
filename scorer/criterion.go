package scorer

import (
	"strings"
	"time"
)

// Status is how a criterion ended; reports show it as met / late with
// credit / missing.
type Status string

// Criterion statuses.
const (
	// StatusMet: measured within the target (or, for an absence criterion, the
	// event never happened).
	StatusMet Status = "met"
	// StatusLate: measured after the target; credit falls linearly to 0 at twice it.
	StatusLate Status = "late"
	// StatusMissing: the milestone never happened (or, for the response target,
	// no alert carried a severity to choose the target by).
	StatusMissing Status = "missing"
	// StatusViolated: an absence criterion's event happened (a steady-state drill
	// raised an alert).
	StatusViolated Status = "violated"
	// StatusWrong: a match criterion's milestone happened with the wrong
	// value (a game day declared the wrong severity).
	StatusWrong Status = "wrong"
)

// Expect is what a criterion asks of its measurement.
type Expect string

// Expectations.
const (
	// ExpectWithin: the milestone happens, at most Target after its origin.
	ExpectWithin Expect = "within"
	// ExpectAbsent: the event never happens (Target is unused).
	ExpectAbsent Expect = "absent"
	// ExpectHappen: the milestone happens at all (Target is unused).
	ExpectHappen Expect = "happen"
	// ExpectMatch: the milestone happens and says what the drill measured
	// (a declared severity equals the alerts'; Target is unused).
	ExpectMatch Expect = "match"
)

// Criterion IDs, stable across releases: reports, config weights and trend
// tables key on them.
const (
	IDMTTD       = "mttd"
	IDMTTA       = "mtta"
	IDMTTR       = "mttr"
	IDResponse   = "response"
	IDAlert      = "drill_alert"
	IDAck        = "drill_ack"
	IDDiagnosis  = "drill_diagnosis"
	IDMitigation = "drill_mitigation"
	IDRestored   = "drill_restored"
	IDQuiet      = "quiet"
)

// Criterion is one judged target of a drill.
type Criterion struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	// From says where the measurement starts ("T0", "detected"), so a reader
	// knows what the duration spans.
	From     string        `json:"from"`
	Expect   Expect        `json:"expect"`
	Target   time.Duration `json:"target"`
	Measured Measurement   `json:"measured"`
	Met      bool          `json:"met"`
	Status   Status        `json:"status"`
	// Credit is in [0, 1]: see Credit.
	Credit float64 `json:"credit"`
	Weight float64 `json:"weight"`
	// Note explains a status that the numbers alone do not (an unknown
	// severity, the alert that broke a steady state).
	Note string `json:"note,omitempty"`
	// Judges is the milestone whose timing the criterion judges
	// (detected, acknowledged, diagnosed, mitigated, resolved); "" for a
	// criterion about something else (a game day's communication).
	// Criteria that judge one milestone judge one defect: they share one
	// weight in the score (SharedBy).
	Judges string `json:"judges,omitempty"`
	// SharedBy is how many weighted criteria judge the same milestone (2
	// or more; 0 when none other does): the criterion counts Weight / SharedBy in
	// the score, so a late detection weighs what one criterion weighs,
	// however many targets the playbook puts on it.
	SharedBy int `json:"shared_by,omitempty"`
	// Excused is lateness already charged to an earlier milestone's
	// criteria (a late detection, a late acknowledgement), taken off a
	// from-T0 measurement before it is judged: a responder who acked
	// on time after a late alert is not charged for the alert again.
	// Measured stays what the timeline says.
	Excused time.Duration `json:"excused,omitempty"`
	// Parts are the checks a compound criterion is made of (a game day's
	// escalation: one per role; its communication: first update, first
	// notice, cadence, resolution notice). Its credit is their mean; its
	// target and measurement are the part that decided its status.
	Parts []Criterion `json:"parts,omitempty"`
}

// Credit is the credit rule: met (measured ≤ target) earns 1; late loses
// credit linearly to 0 at twice the target (2 − measured/target); beyond
// that, or missing, earns 0. A late drill still earns something for being
// nearly on time, so a score trend shows improvement before a pass does.
func Credit(measured Measurement, target time.Duration) float64 {
	d, ok := measured.Get()
	switch {
	case !ok || target <= 0:
		return 0
	case d <= target:
		return 1
	case d >= 2*target:
		return 0
	}
	return 2 - float64(d)/float64(target)
}

// judge builds a Within criterion from its measurement.
func judge(id, name, from string, target time.Duration, weight float64, m Measurement) Criterion {
	c := Criterion{ID: id, Name: name, From: from, Expect: ExpectWithin, Target: target, Measured: m, Weight: max(weight, 0)}
	c.rejudge()
	return c
}

// Judged is what a Within criterion is judged on: Measured less Excused.
func (c Criterion) Judged() Measurement {
	d, ok := c.Measured.Get()
	if !ok {
		return Missing()
	}
	return Measured(d - c.Excused)
}

// rejudge sets a Within criterion's credit and status from Judged.
func (c *Criterion) rejudge() {
	m := c.Judged()
	c.Credit, c.Met = Credit(m, c.Target), false
	switch d, ok := m.Get(); {
	case !ok:
		c.Status = StatusMissing
	case d <= c.Target:
		c.Status, c.Met = StatusMet, true
	default:
		c.Status = StatusLate
	}
}

// ScoreWeight is the weight the criterion carries in the score: Weight,
// shared with the other criteria that judge the same milestone.
func (c Criterion) ScoreWeight() float64 {
	if c.SharedBy > 1 {
		return c.Weight / float64(c.SharedBy)
	}
	return c.Weight
}

// chain is the incident's milestones in the order it moves through them,
// with what a report calls their lateness.
var chain = []struct{ mark, what string }{
	{"detected", "detection"}, {"acknowledged", "acknowledgement"}, {"diagnosed", "diagnosis"},
	{"mitigated", "mitigation"}, {"resolved", "resolution"},
}

// charge makes each defect cost once. Criteria judging one milestone
// share its weight (SharedBy). Walking the milestones in order, the
// lateness found at each (the most any of its criteria ran over its
// target) is carried forward, and every later from-T0 criterion is judged
// without it (Excused): a late alert fails the alert criteria, not also
// the ack, diagnosis and resolution criteria that only inherited it.
func charge(cs []Criterion) {
	var carried time.Duration
	var blame []string
	for _, step := range chain {
		n := 0
		for _, c := range cs {
			if c.Judges == step.mark && c.Weight > 0 {
				n++ // a zero weight is out of the score: it shares nothing
			}
		}
		var late time.Duration
		for i := range cs {
			c := &cs[i]
			if c.Judges != step.mark {
				continue
			}
			if n > 1 {
				c.SharedBy = n
			}
			if c.Expect != ExpectWithin || c.Target <= 0 {
				continue
			}
			// Only a criterion the inherited lateness would fail is
			// excused: one met anyway says nothing more with a note.
			if d, ok := c.Measured.Get(); ok && c.From == "T0" && carried > 0 && d > c.Target {
				c.Excused = min(carried, max(d, 0))
				c.rejudge()
				c.Note = joinNote(c.Note, short(c.Excused)+" of it was already charged to late "+strings.Join(blame, " and "))
			}
			if d, ok := c.Judged().Get(); ok && d > c.Target {
				late = max(late, d-c.Target)
			}
		}
		if late > 0 {
			carried += late
			blame = append(blame, step.what)
		}
	}
}

// short is readable without zero trailing units: 3m30s, 10m, 1h.
func short(d time.Duration) string {
	s := readable(d)
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func joinNote(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
