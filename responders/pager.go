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
	// Severity is the highest severity among the incident's firing alerts
	// so far; it never drops while the incident is open (it was declared).
	Severity incident.Severity
	// Alerts are the distinct names of its alerts, in the order they joined.
	Alerts []string
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

// Pager turns alert transitions into incidents and pages. It is the
// monitors' alert sink: Alerts is called every tick.
//
// Every alert that fires while an incident is open joins it: the alerts of
// one fault make one incident. The pager records PageSent when an incident
// opens and whenever its severity rises, and pages the responder then; each
// tick it lets the responder act. With no responder nobody answers and the
// incident stays unacknowledged. An incident is resolved when verification
// passed (a VerificationPassed note on the timeline) and all its alerts
// resolved; Resolved carries the later of those two drill times. A firing
// alert after that opens a new incident.
type Pager struct {
	tl        *incident.Timeline
	responder Responder

	mu        sync.Mutex
	incidents []*openIncident
	errs      []error
}

type openIncident struct {
	Incident
	alerts map[string]*alertState // by name and labels
	// lastResolved is the drill time the last alert resolved.
	lastResolved time.Duration
}

type alertState struct {
	name   string
	firing bool
}

// NewPager pages responder (nil: nobody answers) and records on tl.
func NewPager(tl *incident.Timeline, responder Responder) *Pager {
	p := &Pager{tl: tl, responder: responder}
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
// ack would then come before T0 and not count).
// The responder is told (Closer), so it stops answering the closed
// incident: nothing done for it after T0 is the drill's.
func (p *Pager) FaultInjected(ctx context.Context) {
	p.mu.Lock()
	inc := p.open()
	if inc != nil {
		inc.Closed = true
	}
	p.mu.Unlock()
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

// Alerts takes one tick's alert transitions (the monitors' AlertSink).
func (p *Pager) Alerts(ctx context.Context, at time.Time, transitions []incident.Alert) {
	clock := p.tl.Clock()
	drill := at.Sub(clock.Epoch())
	pages := p.take(drill, transitions)
	for _, pg := range pages {
		p.tl.Record(incident.Milestone{Kind: incident.PageSent, Drill: drill, At: at, Actor: PagerActor,
			Subject: pg.Alert, Severity: pg.Severity, Labels: map[string]string{incident.IncidentLabel: strconv.Itoa(pg.Incident)},
			Detail: pageDetail(pg)})
		if p.responder != nil {
			if err := p.responder.Page(ctx, pg); err != nil {
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

func pageDetail(pg Page) string {
	what := "incident opened"
	if pg.Escalation {
		what = "severity raised"
	}
	return fmt.Sprintf("%s: %s (%s)", what, pg.Severity, strings.Join(pg.Alerts, ", "))
}

// take applies the transitions and returns the pages they call for: one
// when an incident opens, one when its severity rises (naming the alert
// that raised it).
func (p *Pager) take(drill time.Duration, transitions []incident.Alert) []Page {
	p.mu.Lock()
	defer p.mu.Unlock()
	var pages []Page
	var raisedBy string
	var opened bool
	inc := p.open()
	before := incident.SeverityUnknown
	if inc != nil {
		before = inc.Severity
	}
	for _, a := range transitions {
		key := alertKey(a)
		switch a.State {
		case incident.StateFiring:
			if inc == nil {
				inc = &openIncident{Incident: Incident{ID: len(p.incidents) + 1, Opened: drill}, alerts: map[string]*alertState{}}
				p.incidents = append(p.incidents, inc)
				opened = true
			}
			st, ok := inc.alerts[key]
			if !ok {
				st = &alertState{name: a.Name}
				inc.alerts[key] = st
				if !slices.Contains(inc.Alerts, a.Name) {
					inc.Alerts = append(inc.Alerts, a.Name)
				}
			}
			st.firing = true
			if opened && raisedBy == "" {
				raisedBy = a.Name
			}
			if a.Severity.MoreSevere(inc.Severity) {
				inc.Severity, raisedBy = a.Severity, a.Name
			}
		case incident.StateResolved:
			if inc == nil {
				continue
			}
			if st, ok := inc.alerts[key]; ok && st.firing {
				st.firing = false
				inc.lastResolved = drill
			}
		}
	}
	if inc == nil {
		return nil
	}
	inc.Firing = inc.firing()
	if opened || inc.Severity.MoreSevere(before) {
		pages = append(pages, Page{Incident: inc.ID, Alert: raisedBy, Severity: inc.Severity,
			Alerts: slices.Clone(inc.Alerts), Drill: drill, Escalation: !opened})
	}
	return pages
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
	at := max(inc.VerifiedAt, inc.lastResolved)
	inc.Resolved, inc.ResolvedAt, inc.Firing = true, at, nil
	subject := ""
	if len(inc.Alerts) > 0 {
		subject = inc.Alerts[0]
	}
	return incident.Milestone{Kind: incident.Resolved, Drill: at, At: p.tl.Clock().At(at), Actor: PagerActor,
		Subject: subject, Severity: inc.Severity, Labels: map[string]string{incident.IncidentLabel: strconv.Itoa(inc.ID)},
		Detail: "verification passed and every alert resolved: " + strings.Join(inc.Alerts, ", ")}, true
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
