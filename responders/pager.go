package responders

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/firedrill/firedrill/incident"
)

// PagerActor signs the pager's milestones.
const PagerActor = "pager"

// Incident is the pager's view of one incident, for assertions and reports.
type Incident struct {
	ID int
	// Severity is the highest severity among the incident's paged alerts
	// so far; it never drops while the incident is open (it was declared).
	Severity incident.Severity
	// Alerts are the distinct names of its alerts, in the order they were
	// paged.
	Alerts []string
	// Cause is the alert the incident is named after: the most severe of
	// its alerts, the earliest to fire of equals. A symptom that paged
	// first (HighErrorRate, P2) does not name an incident whose cause
	// (DatabaseConnectionFailure, P1) fired a tick later.
	Cause string
	// Firing are the names of its alerts still firing, sorted.
	Firing []string
	Opened time.Duration

	Acknowledged   bool
	AcknowledgedAt time.Duration
	Verified       bool
	VerifiedAt     time.Duration
	Resolved       bool
	ResolvedAt     time.Duration
	// Closed: the incident was open when a drill's fault was injected, so
	// it was about something else (a false alarm during warm-up); it takes
	// no more alerts and is never resolved.
	Closed bool
}

// Pager is Alertmanager on the drill clock, and the incident it pages. It
// is the monitors' alert sink: Alerts is called every tick.
//
// Every firing alert goes through the team's routing (Routing: the route
// tree, group_by, inhibit_rules, read by Alertmanager's own packages). An
// alert joins its route's notification group; a new group is notified
// group_wait after it formed, then every group_interval when its firing
// alerts changed, or after repeat_interval when they did not. A muted
// (inhibited) alert is never notified. Each notification is a page: a
// PageSent milestone and a Page to the responder.
//
// A page opens an incident, or joins the open one: the alerts paged while
// it is open are its alerts. When the drill's fault is injected the open
// incident is closed (a false alarm) and every alert firing then is
// pre-existing: it is never paged into the drill's incident and never
// holds it open. An incident is resolved when verification passed (a
// VerificationPassed note on the timeline) and all its alerts resolved;
// Resolved carries the later of those two drill times.
type Pager struct {
	tl        *incident.Timeline
	responder Responder
	routing   *Routing

	mu sync.Mutex
	// lastAt is the drill timestamp of the last tick's alerts.
	lastAt    time.Time
	alerts    map[string]*alertState // by name and labels
	groups    []*group               // in the order they formed
	incidents []*openIncident
	faulted   bool
	errs      []error
}

type openIncident struct {
	Incident
	alerts []*alertState
	cause  *alertState
}

// join names the incident after st when st is more severe than its cause,
// or as severe and fired earlier.
func (o *openIncident) join(st *alertState) {
	c := o.cause
	if c == nil || st.severity.MoreSevere(c.severity) || (st.severity == c.severity && st.startsAt.Before(c.startsAt)) {
		o.cause, o.Cause = st, st.name
	}
}

type alertState struct {
	key, name   string
	labels      map[string]string
	annotations map[string]string
	severity    incident.Severity
	firing      bool
	// startsAt is the drill timestamp it fired; updatedAt the last tick
	// that said so (Alertmanager's API shows both).
	startsAt, updatedAt time.Time
	// resolvedAt is the drill time it last resolved.
	resolvedAt time.Duration
	// preExisting: firing when the fault was injected.
	preExisting bool
	mutedBy     string
	// inhibitor is the labels of the alert that mutes it.
	inhibitor map[string]string
	// incident is the incident it was paged in; nil until then.
	incident *openIncident
}

// PagerOption configures a Pager.
type PagerOption func(*Pager)

// WithRouting routes alerts with the team's Alertmanager configuration;
// without it the pager pages every alert at the tick it fires
// (ImmediateRouting).
func WithRouting(r *Routing) PagerOption { return func(p *Pager) { p.routing = r } }

// NewPager pages responder (nil: nobody answers) and records on tl.
func NewPager(tl *incident.Timeline, responder Responder, opts ...PagerOption) *Pager {
	p := &Pager{tl: tl, responder: responder, alerts: map[string]*alertState{}}
	for _, o := range opts {
		o(p)
	}
	if p.routing == nil {
		p.routing = ImmediateRouting()
	}
	tl.Subscribe(p.observe)
	return p
}

// observe reads the responders' milestones back from the timeline.
func (p *Pager) observe(m incident.Milestone) {
	if m.Kind != incident.Acknowledged && !(m.Kind == incident.Note && m.Subject == VerificationPassed) {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	inc := p.target(m.Labels[incident.IncidentLabel])
	if inc == nil || inc.Closed {
		return
	}
	switch {
	case m.Kind == incident.Acknowledged && !inc.Acknowledged:
		inc.Acknowledged, inc.AcknowledgedAt = true, m.Drill
	case m.Kind == incident.Note && !inc.Verified:
		inc.Verified, inc.VerifiedAt = true, m.Drill
	}
}

// target is the incident a milestone is about: the one its label names, or
// the open one.
func (p *Pager) target(label string) *openIncident {
	if label != "" {
		id, err := strconv.Atoi(label)
		if err != nil || id < 1 || id > len(p.incidents) {
			return nil
		}
		return p.incidents[id-1]
	}
	return p.open()
}

func (p *Pager) open() *openIncident {
	if n := len(p.incidents); n > 0 && !p.incidents[n-1].Resolved && !p.incidents[n-1].Closed {
		return p.incidents[n-1]
	}
	return nil
}

// FaultInjected closes an incident left open from before the fault, so
// the fault's alerts open an incident of their own and page afresh: a
// false alarm during warm-up must not absorb the drill's incident (whose
// ack would then come before T0 and not count). Every alert firing now is
// pre-existing. The responder is told (Closer), so it stops answering the
// closed incident: nothing done for it after T0 is the drill's.
func (p *Pager) FaultInjected(ctx context.Context) {
	p.mu.Lock()
	p.faulted = true
	var noise []string
	for _, st := range p.alerts {
		if st.firing {
			st.preExisting = true
			noise = append(noise, st.name)
		}
	}
	inc := p.open()
	if inc != nil {
		inc.Closed = true
	}
	p.mu.Unlock()
	if len(noise) > 0 {
		slices.Sort(noise)
		p.tl.Record(incident.Milestone{Kind: incident.Note, Actor: PagerActor, Subject: PreExisting,
			Detail: strings.Join(slices.Compact(noise), ", ") + ": firing before the fault, never part of the drill's incident"})
	}
	if inc == nil {
		return
	}
	p.tl.Record(incident.Milestone{Kind: incident.Note, Actor: PagerActor, Subject: "incident closed at the fault",
		Labels: map[string]string{incident.IncidentLabel: strconv.Itoa(inc.ID)},
		Detail: "opened before the fault by " + strings.Join(inc.Alerts, ", ") + ": a false alarm; the fault's alerts page anew"})
	if c, ok := p.responder.(Closer); ok {
		c.Closed(ctx, inc.ID)
	}
}

// PreExisting is the subject of the note that lists, at the fault, the
// alerts already firing: noise on a healthy stack.
const PreExisting = "pre-existing alerts"

// Alerts takes one tick's alert transitions (the monitors' AlertSink).
func (p *Pager) Alerts(ctx context.Context, at time.Time, transitions []incident.Alert) {
	clock := p.tl.Clock()
	drill := at.Sub(clock.Epoch())
	muted, pages := p.take(at, drill, transitions)
	for _, m := range muted {
		p.tl.Record(m)
	}
	for _, pg := range pages {
		p.tl.Record(pg.milestone(at))
		if p.responder != nil && pg.Incident > 0 {
			pg.Page.Receiver = pg.route.Receiver
			if err := p.responder.Page(ctx, pg.Page); err != nil {
				p.fail(fmt.Errorf("page incident %d: %w", pg.Incident, err))
			}
		}
	}
	if p.responder != nil {
		if err := p.responder.Tick(ctx, clock.Now()); err != nil && ctx.Err() == nil {
			p.fail(fmt.Errorf("responder: %w", err))
		}
	}
	if m, ok := p.settle(); ok {
		p.tl.Record(m)
	}
}

func (o *openIncident) firing() []string {
	var out []string
	for _, st := range o.alerts {
		if st.firing && !slices.Contains(out, st.name) {
			out = append(out, st.name)
		}
	}
	slices.Sort(out)
	return out
}

// settle resolves the open incident when verification passed and none of
// its alerts still fires.
func (p *Pager) settle() (incident.Milestone, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	inc := p.open()
	if inc == nil || !inc.Verified || len(inc.firing()) > 0 {
		return incident.Milestone{}, false
	}
	at := inc.VerifiedAt
	for _, st := range inc.alerts {
		at = max(at, st.resolvedAt)
	}
	inc.Resolved, inc.ResolvedAt, inc.Firing = true, at, nil
	return incident.Milestone{Kind: incident.Resolved, Drill: at, At: p.tl.Clock().At(at), Actor: PagerActor,
		Subject: inc.Cause, Severity: inc.Severity, Labels: map[string]string{incident.IncidentLabel: strconv.Itoa(inc.ID)},
		Detail: "verification passed and every alert resolved: " + strings.Join(inc.Alerts, ", ")}, true
}

// sortedAlerts are the alerts in key order, so every tick reads them the
// same way.
func (p *Pager) sortedAlerts() []*alertState {
	out := make([]*alertState, 0, len(p.alerts))
	for _, k := range slices.Sorted(maps.Keys(p.alerts)) {
		out = append(out, p.alerts[k])
	}
	return out
}

func alertKey(a incident.Alert) string {
	var b strings.Builder
	b.WriteString(a.Name)
	for _, k := range slices.Sorted(maps.Keys(a.Labels)) {
		b.WriteString("\xff" + k + "=" + a.Labels[k])
	}
	return b.String()
}

func (p *Pager) fail(err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.errs = append(p.errs, err)
}

// Incidents are the drill's incidents so far, oldest first.
func (p *Pager) Incidents() []Incident {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]Incident, len(p.incidents))
	for i, inc := range p.incidents {
		out[i] = inc.snapshot()
	}
	return out
}

// Current is the latest incident (open or resolved); false before any.
func (p *Pager) Current() (Incident, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.incidents) == 0 {
		return Incident{}, false
	}
	return p.incidents[len(p.incidents)-1].snapshot(), true
}

// Err is what went wrong paging or responding (a failed playbook step),
// joined; nil when nothing did.
func (p *Pager) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return errors.Join(p.errs...)
}

func (o *openIncident) snapshot() Incident {
	c := o.Incident
	c.Alerts = slices.Clone(o.Alerts)
	c.Firing = o.firing()
	if c.Resolved {
		c.Firing = nil
	}
	return c
}
