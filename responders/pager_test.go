package responders_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/responders/mocks"
)

// With no routing configured each alert name is its own group, notified
// at the tick it fires: every notification is a page, the first opens the
// incident and the others join it, raising its severity.
func TestPagerPagesEachGroupIntoOneIncident(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock, tl := drillClock()
	r := mocks.NewResponder(t)
	var pages []responders.Page
	r.EXPECT().Page(mock.Anything, mock.Anything).RunAndReturn(func(_ context.Context, p responders.Page) error {
		pages = append(pages, p)
		return nil
	})
	r.EXPECT().Tick(mock.Anything, mock.Anything).Return(nil)
	p := responders.NewPager(tl, r)

	tick(ctx, t, clock, p)                                                 // 15s: nothing
	opened := tick(ctx, t, clock, p, firing("HighErrorRate", incident.P2)) // 30s: opens, P2
	tick(ctx, t, clock, p, firing("SecurityBreachDetected", incident.P3))  // joins, lower
	raised := tick(ctx, t, clock, p, firing("DatabaseConnectionFailure", incident.P1), firing("PaymentProcessingFailure", incident.P2))
	tick(ctx, t, clock, p, resolved("SecurityBreachDetected", incident.P3))
	tick(ctx, t, clock, p, firing("CompleteServiceOutage", incident.P1))

	require.Len(t, pages, 5, "one page per group")
	assert.Equal(t, responders.Page{Incident: 1, Alert: "HighErrorRate", Severity: incident.P2,
		Alerts: []string{"HighErrorRate"}, Drill: opened, Receiver: "on-call"}, pages[0], "routed to the default receiver")
	assert.Equal(t, incident.P2, pages[1].Severity, "a lower alert does not lower the incident")
	assert.True(t, pages[1].Escalation)
	assert.Equal(t, "DatabaseConnectionFailure", pages[2].Alert)
	assert.Equal(t, incident.P1, pages[2].Severity)
	assert.Equal(t, raised, pages[2].Drill)
	for _, pg := range pages {
		assert.Equal(t, 1, pg.Incident)
	}

	var sent []incident.Milestone
	for _, m := range tl.Entries() {
		if m.Kind == incident.PageSent {
			sent = append(sent, m)
		}
	}
	require.Len(t, sent, 5)
	assert.Equal(t, "HighErrorRate", sent[0].Subject)
	assert.Equal(t, incident.P2, sent[0].Severity)
	assert.Equal(t, opened, sent[0].Drill, "PageSent carries the tick's drill time")
	assert.Equal(t, "on-call", sent[0].Labels["receiver"])
	assert.Equal(t, `{alertname="HighErrorRate"}`, sent[0].Labels["group"])
	assert.Equal(t, "1", sent[0].Labels[incident.IncidentLabel])
	assert.Equal(t, responders.PagerActor, sent[2].Actor)

	all := p.Incidents()
	require.Len(t, all, 1, "the alerts of one fault make one incident")
	inc := all[0]
	assert.Equal(t, incident.P1, inc.Severity, "the highest severity among its alerts")
	assert.Equal(t, []string{"HighErrorRate", "SecurityBreachDetected", "DatabaseConnectionFailure", "PaymentProcessingFailure", "CompleteServiceOutage"}, inc.Alerts)
	assert.Equal(t, []string{"CompleteServiceOutage", "DatabaseConnectionFailure", "HighErrorRate", "PaymentProcessingFailure"}, inc.Firing)
	assert.Equal(t, "DatabaseConnectionFailure", inc.Cause,
		"named after its most severe alert, the earliest of equals; not HighErrorRate, which paged first")
	assert.Equal(t, opened, inc.Opened)
	assert.False(t, inc.Acknowledged)
	assert.False(t, inc.Resolved)
	r.AssertNumberOfCalls(t, "Tick", 6)
}

func TestPagerWithoutResponderNobodyAnswers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock, tl := drillClock()
	p := responders.NewPager(tl, nil)
	tick(ctx, t, clock, p, firing("DatabaseConnectionFailure", incident.P1))
	for range 240 { // an hour of drill time
		tick(ctx, t, clock, p)
	}
	tick(ctx, t, clock, p, resolved("DatabaseConnectionFailure", incident.P1))
	tick(ctx, t, clock, p)

	inc, ok := p.Current()
	require.True(t, ok)
	assert.False(t, inc.Acknowledged, "nobody acknowledges")
	assert.False(t, inc.Resolved, "alerts resolving alone does not resolve the incident: nobody verified")
	assert.Empty(t, inc.Firing)
	assert.Equal(t, []string{"page_sent DatabaseConnectionFailure"}, story(tl, incident.PageSent, incident.Acknowledged, incident.Resolved))
	assert.NoError(t, p.Err())
}

func TestPagerResolvesAtTheLaterOfVerificationAndAlerts(t *testing.T) {
	t.Parallel()
	for name, verifyFirst := range map[string]bool{"verified then alerts resolve": true, "alerts resolve then verified": false} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			clock, tl := drillClock()
			r := mocks.NewResponder(t)
			r.EXPECT().Page(mock.Anything, mock.Anything).Return(nil).Once()
			verifyNow := false
			r.EXPECT().Tick(mock.Anything, mock.Anything).RunAndReturn(func(context.Context, time.Duration) error {
				if verifyNow {
					verifyNow = false
					// A responder's answer reaches the pager through the timeline.
					tl.Record(incident.Milestone{Kind: incident.Acknowledged, Actor: "responder:test"})
					tl.Record(incident.Milestone{Kind: incident.Note, Subject: responders.VerificationPassed, Actor: "responder:test"})
				}
				return nil
			})
			p := responders.NewPager(tl, r)
			tick(ctx, t, clock, p, firing("HighErrorRate", incident.P2))
			tick(ctx, t, clock, p)

			var later time.Duration
			if verifyFirst {
				verifyNow = true
				tick(ctx, t, clock, p)
				inc, _ := p.Current()
				assert.False(t, inc.Resolved, "an alert still fires")
				tick(ctx, t, clock, p)
				later = tick(ctx, t, clock, p, resolved("HighErrorRate", incident.P2))
			} else {
				tick(ctx, t, clock, p, resolved("HighErrorRate", incident.P2))
				tick(ctx, t, clock, p)
				inc, _ := p.Current()
				assert.False(t, inc.Resolved, "not verified yet")
				verifyNow = true
				tick(ctx, t, clock, p)
				got, ok := tl.First(incident.Note, nil)
				require.True(t, ok)
				later = got.Drill
			}
			inc, _ := p.Current()
			require.True(t, inc.Resolved)
			assert.True(t, inc.Acknowledged)
			assert.Equal(t, later, inc.ResolvedAt)
			res, ok := tl.First(incident.Resolved, nil)
			require.True(t, ok)
			assert.Equal(t, later, res.Drill)
			assert.Equal(t, clock.At(later), res.At)
			assert.Equal(t, incident.P2, res.Severity)

			// A later firing alert is a new incident, paged anew.
			r.EXPECT().Page(mock.Anything, mock.MatchedBy(func(pg responders.Page) bool { return pg.Incident == 2 })).Return(nil).Once()
			tick(ctx, t, clock, p, firing("HighErrorRate", incident.P2))
			assert.Len(t, p.Incidents(), 2)
		})
	}
}

// A false alarm before the fault must not absorb the fault's incident.
func TestPagerClosesAPreFaultIncidentAtTheFault(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock, tl := drillClock()
	p := responders.NewPager(tl, nil)
	tick(ctx, t, clock, p, firing("PerformanceDegradation", incident.P3))
	tick(ctx, t, clock, p)

	p.FaultInjected(ctx)
	tick(ctx, t, clock, p, firing("DatabaseConnectionFailure", incident.P1))
	incs := p.Incidents()
	require.Len(t, incs, 2)
	assert.True(t, incs[0].Closed)
	assert.Equal(t, []string{"PerformanceDegradation"}, incs[0].Alerts)
	assert.Equal(t, incident.P1, incs[1].Severity)
	assert.Equal(t, []string{"DatabaseConnectionFailure"}, incs[1].Alerts, "the fault's incident is its own")
	assert.Equal(t, []string{"page_sent PerformanceDegradation", "page_sent DatabaseConnectionFailure"}, story(tl, incident.PageSent))
}
