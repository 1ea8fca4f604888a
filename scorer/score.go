package scorer

import (
	"cmp"
	"slices"
	"time"

	"github.com/firedrill/firedrill/incident"
)

// Marks are the drill times (since the drill began) of the milestones the
// definitions use, each present only if it happened. Reports draw them.
type Marks struct {
	T0       Measurement `json:"t0"`       // fault injected
	Detected Measurement `json:"detected"` // first alert firing after T0
	// Paged is the first page (Alertmanager's notification, after its
	// group_wait) of the drill's incident.
	Paged        Measurement `json:"paged"`
	Acknowledged Measurement `json:"acknowledged"`
	Diagnosed    Measurement `json:"diagnosed"`
	Mitigated    Measurement `json:"mitigated"`
	Resolved     Measurement `json:"resolved"`
}

// Verdict is a drill's score: what happened when, against which targets,
// and whether it passed.
type Verdict struct {
	// SteadyState is true when no fault was injected: there is no T0 and
	// MTTD, MTTA and MTTR are not applicable (not present).
	SteadyState bool `json:"steady_state"`
	// Incident is the drill's incident: the one the fault caused, whose
	// milestones alone are credited; empty when nothing paged after T0.
	Incident string `json:"incident,omitempty"`
	// OtherIncidents were open before the fault (false alarms of the
	// warm-up): reported, never credited to the drill.
	OtherIncidents []string `json:"other_incidents,omitempty"`
	// Noise are the rules that fired with no fault (before T0, or in a
	// steady-state drill): rules that page on a healthy stack.
	Noise []Noise     `json:"noise,omitempty"`
	Marks Marks       `json:"marks"`
	MTTD  Measurement `json:"mttd"`
	MTTA  Measurement `json:"mtta"`
	MTTR  Measurement `json:"mttr"`
	// TimeToPage = paged − T0: MTTD plus what the team's routing adds
	// (group_wait). Reported, not a criterion.
	TimeToPage Measurement `json:"time_to_page"`
	// Severity is the highest severity among the incident's firing alerts;
	// SeverityAlert is the alert that set it (the earliest of equals).
	Severity      incident.Severity `json:"severity"`
	SeverityAlert string            `json:"severity_alert,omitempty"`
	Criteria      []Criterion       `json:"criteria"`
	// GameDay is true when the game-day criteria were scored: the drill's
	// incident has a game-day milestone (a role paged, a severity declared,
	// an update, a notice, a post-mortem), or Targets.GameDay.Always.
	GameDay bool `json:"game_day,omitempty"`
	// Escalations counts the pages that went to a role's backup because the
	// primary did not acknowledge in time (game days).
	Escalations int `json:"escalations,omitempty"`
	// Notes say what the criteria alone do not: an automated drill is not
	// scored on the game-day criteria.
	Notes []string `json:"notes,omitempty"`
	// Score is the weighted mean of the criteria's credits × 100, in [0, 100].
	Score float64 `json:"score"`
	// Passed is true when every criterion is met.
	Passed bool `json:"passed"`
}

// Missed are the criteria not met, in order: what a post-mortem's action
// items and a JUnit failure list.
func (v Verdict) Missed() []Criterion {
	var out []Criterion
	for _, c := range v.Criteria {
		if !c.Met {
			out = append(out, c)
		}
	}
	return out
}

// Criterion is the criterion with id, if the verdict has it.
func (v Verdict) Criterion(id string) (Criterion, bool) {
	for _, c := range v.Criteria {
		if c.ID == id {
			return c, true
		}
	}
	return Criterion{}, false
}

// Score judges one drill's timeline against targets, with DESIGN.md's
// definitions (see the package doc). The timeline need not be sorted: it is
// read in drill-time order, ties in recorded order.
func Score(timeline []incident.Milestone, targets Targets) Verdict {
	ms := slices.Clone(timeline)
	slices.SortStableFunc(ms, func(a, b incident.Milestone) int { return cmp.Compare(a.Drill, b.Drill) })

	i0 := slices.IndexFunc(ms, func(m incident.Milestone) bool { return m.Kind == incident.FaultInjected })
	if i0 < 0 {
		return steady(ms, targets)
	}
	t0 := ms[i0]
	after := ms[i0+1:]
	v := Verdict{}
	v.Marks.T0 = Measured(t0.Drill)
	v.Incident, v.OtherIncidents = drillIncident(ms, i0)
	v.Noise = noise(ms[:i0])
	if m, ok := first(after, incident.AlertFiring, nil); ok {
		v.Marks.Detected = Measured(m.Drill)
	}
	// Every response milestone is credited only to the incident it names:
	// an acknowledgement of a false alarm closed at T0 is not the drill's.
	ofDrill := func(m incident.Milestone) bool {
		return v.Incident != "" && m.Labels[incident.IncidentLabel] == v.Incident
	}
	// The incident exists from its detection on: an acknowledgement before
	// the first alert fired belongs to no incident (see the package doc).
	ackable := func(m incident.Milestone) bool {
		d, ok := v.Marks.Detected.Get()
		return ok && m.Drill >= d && ofDrill(m)
	}
	for kind, c := range map[incident.Kind]struct {
		mark  *Measurement
		match func(incident.Milestone) bool
	}{
		incident.Acknowledged: {&v.Marks.Acknowledged, ackable},
		incident.Diagnosed:    {&v.Marks.Diagnosed, ofDrill},
		incident.Mitigated:    {&v.Marks.Mitigated, ofDrill},
		incident.Resolved:     {&v.Marks.Resolved, ofDrill},
		incident.PageSent:     {&v.Marks.Paged, ofDrill},
	} {
		if m, ok := first(after, kind, c.match); ok {
			*c.mark = Measured(m.Drill)
		}
	}

	mk := v.Marks
	v.MTTD = mk.Detected.Sub(mk.T0)
	v.MTTA = mk.Acknowledged.Sub(mk.Detected)
	v.MTTR = mk.Resolved.Sub(mk.T0)
	v.TimeToPage = mk.Paged.Sub(mk.T0)

	until := time.Duration(1<<63 - 1)
	if d, ok := mk.Resolved.Get(); ok {
		until = d
	}
	v.Severity, v.SeverityAlert = severity(after, until)

	t, w := targets, targets.Weights
	add := func(id, name, from, judges string, target time.Duration, weight float64, m Measurement) {
		if target > 0 {
			c := judge(id, name, from, target, weight, m)
			c.Judges = judges
			v.Criteria = append(v.Criteria, c)
		}
	}
	add(IDMTTD, "MTTD", "T0", "detected", t.MTTD, w.MTTD, v.MTTD)
	add(IDMTTA, "MTTA", "detected", "acknowledged", t.MTTA, w.MTTA, v.MTTA)
	add(IDMTTR, "MTTR", "T0", "resolved", t.MTTR, w.MTTR, v.MTTR)
	switch rt := t.Response.For(v.Severity); {
	case rt > 0:
		add(IDResponse, "Response target ("+v.Severity.String()+")", "detected", "acknowledged", rt, w.Response, v.MTTA)
	case v.Severity == incident.SeverityUnknown && t.Response.any():
		note := "no alert fired, so no severity chose a response target"
		if mk.Detected.Present {
			note = "no firing alert carried a severity label, so no response target applies"
		}
		v.Criteria = append(v.Criteria, Criterion{
			ID: IDResponse, Name: "Response target (severity unknown)", From: "detected", Judges: "acknowledged", Expect: ExpectWithin,
			Measured: v.MTTA, Status: StatusMissing, Weight: max(w.Response, 0), Note: note,
		})
	}
	add(IDAlert, "Alert triggers", "T0", "detected", t.Drill.Alert, w.Alert, mk.Detected.Sub(mk.T0))
	add(IDAck, "IC assigned (acknowledged)", "T0", "acknowledged", t.Drill.Ack, w.Ack, mk.Acknowledged.Sub(mk.T0))
	add(IDDiagnosis, "Diagnosis completed", "T0", "diagnosed", t.Drill.Diagnosis, w.Diagnosis, mk.Diagnosed.Sub(mk.T0))
	add(IDMitigation, "Mitigation applied", "T0", "mitigated", t.Drill.Mitigation, w.Mitigation, mk.Mitigated.Sub(mk.T0))
	add(IDRestored, "Service restored", "T0", "resolved", t.Drill.Restored, w.Restored, mk.Resolved.Sub(mk.T0))

	g := gameDay{after: after, ofDrill: ofDrill, v: &v, t: t, end: ms[len(ms)-1].Drill}
	if t.GameDay.Always || g.isGameDay() {
		v.GameDay = true
		v.Criteria = append(v.Criteria, g.criteria()...)
	} else {
		v.Notes = append(v.Notes, AutomatedNote)
	}

	charge(v.Criteria)
	v.Score, v.Passed = total(v.Criteria)
	return v
}

// steady scores a drill with no fault: the only thing it can get wrong is a
// false alarm.
func steady(ms []incident.Milestone, t Targets) Verdict {
	v := Verdict{SteadyState: true, Noise: noise(ms)}
	c := Criterion{ID: IDQuiet, Name: "No alert fires", From: "drill start", Expect: ExpectAbsent, Weight: max(t.Weights.Quiet, 0)}
	if m, ok := first(ms, incident.AlertFiring, nil); ok {
		c.Measured, c.Status, c.Credit = Measured(m.Drill), StatusViolated, 0
		c.Note = "alert " + m.Subject + " fired with no fault injected"
	} else {
		c.Status, c.Met, c.Credit = StatusMet, true, 1
	}
	v.Criteria = []Criterion{c}
	v.Severity, v.SeverityAlert = severity(ms, time.Duration(1<<63-1))
	v.Score, v.Passed = total(v.Criteria)
	return v
}

// total is the weighted mean of credits × 100 and whether all are met. With
// every weight zero the plain mean is used, so a score still exists; with no
// criteria at all there is nothing to fail.
func total(cs []Criterion) (float64, bool) {
	passed := true
	var sum, weights, plain float64
	for _, c := range cs {
		passed = passed && c.Met
		sum += c.ScoreWeight() * c.Credit
		weights += c.ScoreWeight()
		plain += c.Credit
	}
	switch {
	case len(cs) == 0:
		return 100, passed
	case weights == 0:
		return plain / float64(len(cs)) * 100, passed
	}
	return sum / weights * 100, passed
}

// first is the earliest milestone of kind that match accepts (nil accepts
// all); ms is sorted.
func first(ms []incident.Milestone, kind incident.Kind, match func(incident.Milestone) bool) (incident.Milestone, bool) {
	for _, m := range ms {
		if m.Kind == kind && (match == nil || match(m)) {
			return m, true
		}
	}
	return incident.Milestone{}, false
}

// drillIncident is the incident the fault caused: the first incident named
// by a milestone after T0 (ms[i0]) that no milestone named before it.
// Incidents named before T0 were open before the fault (false alarms):
// they are returned as others, never the drill's.
func drillIncident(ms []incident.Milestone, i0 int) (string, []string) {
	var before []string
	for _, m := range ms[:i0] {
		if id := m.Labels[incident.IncidentLabel]; id != "" && !slices.Contains(before, id) {
			before = append(before, id)
		}
	}
	for _, m := range ms[i0+1:] {
		if id := m.Labels[incident.IncidentLabel]; id != "" && !slices.Contains(before, id) {
			return id, before
		}
	}
	return "", before
}

// severity is the highest severity of the alerts firing in ms until
// until, with the alert that set it.
func severity(ms []incident.Milestone, until time.Duration) (incident.Severity, string) {
	best, name := incident.SeverityUnknown, ""
	for _, m := range ms {
		if m.Kind != incident.AlertFiring || m.Drill > until {
			continue
		}
		s := m.Severity
		if s == incident.SeverityUnknown {
			s, _ = incident.ParseSeverity(m.Labels["severity"])
		}
		if s.MoreSevere(best) {
			best, name = s, m.Subject
		}
	}
	return best, name
}
