package scorer

import (
	"time"

	"github.com/firedrill/firedrill/incident"
)

// answered are the criteria only a responder's milestone can meet:
// acknowledged, diagnosed, mitigated, resolved.
var answered = map[string]bool{
	IDMTTA: true, IDResponse: true, IDMTTR: true,
	IDAck: true, IDDiagnosis: true, IDMitigation: true, IDRestored: true,
}

// Settled says whether a drill's score can no longer change after drill
// time now: every criterion is measured already (met or late: its
// milestone came, and a first milestone does not move), or is past the
// point where its credit is 0 (twice its target after what it is measured
// from), or waits for a milestone only a responder records when nobody can
// answer. A drill with no fault, or a game day (people may act until it
// ends), is never settled. The engine may stop a drill whose score and
// checks are settled: running on could change nothing in its report but
// the wall time it took.
func Settled(timeline []incident.Milestone, targets Targets, now time.Duration, nobody bool) bool {
	v := Score(timeline, targets)
	if !v.Marks.T0.Present || v.GameDay {
		return false
	}
	for _, c := range v.Criteria {
		if c.Measured.Present || (nobody && answered[c.ID]) {
			continue
		}
		from := v.Marks.T0
		if c.From == "detected" {
			from = v.Marks.Detected
		}
		at, ok := from.Get()
		if !ok || c.Target <= 0 || now-at < 2*c.Target {
			return false
		}
	}
	return true
}
