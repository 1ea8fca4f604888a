package scorer

import "time"

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
	c.Credit = Credit(m, target)
	switch d, ok := m.Get(); {
	case !ok:
		c.Status = StatusMissing
	case d <= target:
		c.Status, c.Met = StatusMet, true
	default:
		c.Status = StatusLate
	}
	return c
}
