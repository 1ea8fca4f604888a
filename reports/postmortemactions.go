package reports

import (
	"fmt"
	"time"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/scorer"
)

// What a missed criterion becomes in the post-mortem: an action item with
// where in the playbook to look, or, when the drill itself set the delay,
// no action item at all.

// configuredBy says why a missed criterion is the drill's own setting,
// not a finding: the acknowledgement came when the responder's declared
// think time (the scenario's "acknowledges after D") said it would, within
// the tick that measures it, and the criterion would have been met but for
// that think time. A post-mortem never makes an action item of a delay the
// drill configured.
func configuredBy(c scorer.Criterion, v scorer.Verdict, ms []incident.Milestone, tick time.Duration) (string, bool) {
	if c.Judges != "acknowledged" || c.Status != scorer.StatusLate {
		return "", false
	}
	ack, ok := v.Marks.Acknowledged.Get()
	if !ok {
		return "", false
	}
	paged, ok := v.Marks.Paged.Get()
	if !ok {
		return "", false
	}
	var think time.Duration
	for _, m := range ms {
		if m.Kind == incident.Acknowledged && m.Drill == ack && m.Labels[incident.IncidentLabel] == v.Incident {
			d, err := time.ParseDuration(m.Labels[incident.ThinkLabel])
			if err != nil {
				return "", false
			}
			think = d
			break
		}
	}
	took := ack - paged
	judged, _ := c.Judged().Get()
	if think <= 0 || took > think+tick || judged-think > c.Target {
		return "", false
	}
	return fmt.Sprintf("set by the drill, not a finding: the responder acknowledged %s after the page, its declared think time (%s, the scenario's \"acknowledges after\" step); without it the target is met",
		fmtDur(took), fmtDur(think)), true
}

// whereFor is where in the playbook to look about a missed criterion
// ("" when there is no better pointer than the criterion itself).
func whereFor(c scorer.Criterion) string {
	return map[string]string{
		scorer.IDMTTD:       "review the alert rules' thresholds and for: durations",
		scorer.IDAlert:      "review the alert rules' thresholds and for: durations",
		scorer.IDMTTA:       "review paging and the on-call acknowledgement path",
		scorer.IDResponse:   "review paging and the on-call acknowledgement path",
		scorer.IDAck:        "review how fast an incident commander is assigned",
		scorer.IDDiagnosis:  "review the diagnosis runbook",
		scorer.IDMitigation: "review the mitigation steps of the runbook",
		scorer.IDMTTR:       "review recovery and verification",
		scorer.IDRestored:   "review recovery and verification",
		scorer.IDQuiet:      "review the alert that fired without a fault",
	}[c.ID]
}
