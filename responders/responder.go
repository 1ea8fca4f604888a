package responders

import (
	"context"
	"time"

	"github.com/firedrill/firedrill/incident"
)

// Responder answers an incident's pages: the automated on-call responder
// running a playbook, or (later) a person at `firedrill ack`. It reports
// what it does on the timeline (Acknowledged, Diagnosed, Mitigated, a
// VerificationPassed note), which is all the pager reads back, so any actor
// that records those milestones can stand in for it.
type Responder interface {
	// Page delivers a page. It must return quickly: act in Tick.
	Page(ctx context.Context, p Page) error
	// Tick is called once per drill tick, with the drill time now, so a
	// responder acts on drill time (think time, playbook waits) without
	// sleeping. Real work done in it moves the drill clock.
	Tick(ctx context.Context, now time.Duration) error
}

// Closer is a responder that must stop answering an incident the pager
// closed: a false alarm still open when the drill's fault was injected.
// A responder acts on open incidents only; one that kept working a closed
// incident would have its acknowledgement and playbook credited to nothing,
// and its playbook could repair the fault before anyone detected it.
type Closer interface {
	// Closed says incident will take no more answers. It must return
	// quickly.
	Closed(ctx context.Context, incident int)
}

// Page is one page of an incident: the first when it opens, another each
// time its severity rises.
type Page struct {
	// Incident numbers the drill's incidents from 1.
	Incident int
	// Alert is the alert that caused this page.
	Alert    string
	Severity incident.Severity
	// Alerts are the names of the incident's alerts so far.
	Alerts []string
	// Drill is the drill time the page was sent.
	Drill time.Duration
	// Escalation says the incident was already open and its severity rose.
	Escalation bool
	// Receiver is the Alertmanager receiver the page was routed to.
	Receiver string
}
