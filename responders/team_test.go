package responders_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/scorer"
)

// teamSpec is a small team: P1 pages three roles, P2 two, with a 5-minute
// ack timeout.
func teamSpec() responders.TeamSpec {
	return responders.TeamSpec{
		Roles: []responders.TeamRole{
			{Key: "incident_commander", Title: "Incident Commander", Primary: "alice", Backup: "bob"},
			{Key: "tech_lead", Title: "Tech Lead", Primary: "carol", Backup: "dave"},
			{Key: "on_call", Title: "On-call Engineer", Primary: "erin", Backup: "frank"},
			{Key: "legal_counsel", Title: "Legal Counsel"}, // nobody named: paged, never escalated
		},
		Pages: map[incident.Severity][]string{
			incident.P1: {"incident_commander", "tech_lead", "on_call"},
			incident.P2: {"tech_lead", "on_call"},
		},
		AckTimeout: 5 * time.Minute,
	}
}

// rolePages lists the role_paged milestones as "role person", with
// " (escalated)" for a backup's page.
func rolePages(tl *incident.Timeline) []string {
	var out []string
	for _, m := range tl.Entries() {
		if m.Kind == incident.RolePaged {
			s := m.Labels[incident.RoleLabel] + " " + m.Labels[incident.PersonLabel]
			if m.Labels[incident.EscalatedLabel] == "true" {
				s += " (escalated)"
			}
			out = append(out, s)
		}
	}
	return out
}

func TestTeamPagesTheRolesTheSeverityNeeds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, tl := drillClock()
	var shown []responders.RolePage
	team := responders.NewTeam("team", tl, teamSpec(), func(p responders.RolePage) { shown = append(shown, p) })
	p := responders.NewPager(tl, team)

	now := tick(ctx, t, c, p, firing("HighErrorRate", incident.P2))
	assert.Equal(t, []string{"tech_lead carol", "on_call erin"}, rolePages(tl), "P2: team lead + on-call, their primaries")
	page, ok := tl.First(incident.RolePaged, nil)
	require.True(t, ok)
	assert.InDelta(t, now.Seconds(), page.Drill.Seconds(), 1, "paged at the tick the incident paged")
	assert.Equal(t, "1", page.Labels[incident.IncidentLabel])
	assert.Equal(t, incident.P2, page.Severity)
	require.Len(t, shown, 2)
	assert.Equal(t, responders.RolePage{Page: shown[0].Page, Role: "tech_lead", Title: "Tech Lead", Person: "carol", At: page.Drill}, shown[0], "shown with the drill time of its page")
	assert.Equal(t, "HighErrorRate", shown[0].Alert)

	tick(ctx, t, c, p)
	assert.Len(t, rolePages(tl), 2, "a role is paged once")

	tick(ctx, t, c, p, firing("DatabaseConnectionFailure", incident.P1))
	assert.Equal(t, []string{"tech_lead carol", "on_call erin", "incident_commander alice"}, rolePages(tl),
		"a severity that rises pages the roles it adds")
	st := team.Status()
	assert.Equal(t, "P1", st.Severity)
	assert.Len(t, st.Roles, 3)
}

func TestTeamEscalatesToTheBackupAfterTheAckTimeout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, tl := drillClock()
	spec := teamSpec()
	spec.Pages[incident.P2] = append(spec.Pages[incident.P2], "legal_counsel")
	team := responders.NewTeam("team", tl, spec, nil)
	p := responders.NewPager(tl, team)

	first := tick(ctx, t, c, p, firing("HighErrorRate", incident.P2))
	tick(ctx, t, c, p)
	require.NoError(t, team.Do(responders.TeamAction{Action: responders.Ack, Role: "tech_lead"}))
	var escalatedAt time.Duration
	for range 40 { // ten drill minutes
		now := tick(ctx, t, c, p)
		if m, ok := tl.First(incident.RolePaged, func(m incident.Milestone) bool { return m.Labels[incident.EscalatedLabel] == "true" }); ok && escalatedAt == 0 {
			escalatedAt = m.Drill
			assert.InDelta(t, now.Seconds(), m.Drill.Seconds(), 1)
		}
	}
	assert.Equal(t, []string{"tech_lead carol", "on_call erin", "legal_counsel ", "on_call frank (escalated)"}, rolePages(tl),
		"only the role that did not acknowledge goes to its backup, once; a role with no backup stays with its page")
	wait := escalatedAt - first
	assert.GreaterOrEqual(t, wait, 5*time.Minute, "not before the ack timeout")
	assert.Less(t, wait, 5*time.Minute+c.Tick()+time.Second, "at the first tick after it")

	require.NoError(t, team.Do(responders.TeamAction{Action: responders.Ack, Role: "on_call"}))
	tick(ctx, t, c, p)
	ack, ok := tl.First(incident.RoleAcknowledged, func(m incident.Milestone) bool { return m.Labels[incident.RoleLabel] == "on_call" })
	require.True(t, ok)
	assert.Equal(t, "frank", ack.Labels[incident.PersonLabel], "an ack without a name is the paged backup's")
	st := team.Status()
	require.Len(t, st.Roles, 3)
	assert.Equal(t, responders.RoleStatus{Role: "on_call", Title: "On-call Engineer", Person: "frank", Paged: true, PagedAt: st.Roles[1].PagedAt,
		Escalated: true, Acked: true, AckedBy: "frank", AckedAt: st.Roles[1].AckedAt}, st.Roles[1])
}

func TestTeamAnswersTakeEffectOnTheNextTick(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, tl := drillClock()
	team := responders.NewTeam("team", tl, teamSpec(), nil)
	p := responders.NewPager(tl, team)

	require.ErrorIs(t, team.Do(responders.TeamAction{Action: responders.Ack, Role: "tech_lead"}), responders.ErrNotPaged)
	tick(ctx, t, c, p, firing("HighErrorRate", incident.P2))
	require.ErrorIs(t, team.Do(responders.TeamAction{Action: responders.Ack, Role: "dba"}), responders.ErrUnknownRole)
	require.ErrorIs(t, team.Do(responders.TeamAction{Action: responders.Ack, Role: "incident_commander"}), responders.ErrRoleNotPaged,
		"P2 does not page the incident commander")
	require.Error(t, team.Do(responders.TeamAction{Action: responders.Declare}), "a declaration needs a severity")
	require.Error(t, team.Do(responders.TeamAction{Action: responders.Notice, Notice: "tweet"}))
	require.Error(t, team.Do(responders.TeamAction{Action: "dance"}))

	require.NoError(t, team.Do(responders.TeamAction{Action: responders.Ack, Role: "on_call", Person: "erin", Note: "on it"}))
	require.NoError(t, team.Do(responders.TeamAction{Action: responders.Declare, Severity: incident.P2, Person: "erin"}))
	require.NoError(t, team.Do(responders.TeamAction{Action: responders.Update, Person: "erin", Status: "investigating", Text: "looking at the pool"}))
	_, acked := tl.First(incident.Acknowledged, nil)
	assert.False(t, acked, "nothing happens before the tick")
	assert.Equal(t, 3, team.Status().Pending)

	now := tick(ctx, t, c, p)
	require.NoError(t, team.Do(responders.TeamAction{Action: responders.Ack, Role: "tech_lead", Person: "carol"}))
	later := tick(ctx, t, c, p)
	for kind, want := range map[incident.Kind]time.Duration{
		incident.Acknowledged: now, incident.RoleAcknowledged: now, incident.SeverityDeclared: now, incident.UpdatePosted: now,
	} {
		m, ok := tl.First(kind, nil)
		if assert.True(t, ok, "%s recorded", kind) {
			assert.InDelta(t, want.Seconds(), m.Drill.Seconds(), 1, "%s stamped at the tick after it was queued", kind)
			assert.Equal(t, "1", m.Labels[incident.IncidentLabel], kind)
		}
	}
	decl, _ := tl.First(incident.SeverityDeclared, nil)
	assert.Equal(t, incident.P2, decl.Severity)
	acks := story(tl, incident.Acknowledged, incident.RoleAcknowledged)
	assert.Equal(t, []string{"role_acknowledged On-call Engineer acknowledged", "acknowledged acknowledged by the On-call Engineer",
		"role_acknowledged Tech Lead acknowledged"}, acks, "the first role to acknowledge acknowledges the incident, once")
	inc, _ := p.Current()
	assert.True(t, inc.Acknowledged, "the pager reads the team's acknowledgement")
	assert.InDelta(t, now.Seconds(), inc.AcknowledgedAt.Seconds(), 1)
	tl2, _ := tl.First(incident.RoleAcknowledged, func(m incident.Milestone) bool { return m.Labels[incident.RoleLabel] == "tech_lead" })
	assert.InDelta(t, later.Seconds(), tl2.Drill.Seconds(), 1)
}

// A team paged for a false alarm the pager closes at the fault answers
// nothing for it; the fault's incident pages the roles afresh.
func TestTeamAnswersNothingAfterTheIncidentClosed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, tl := drillClock()
	team := responders.NewTeam("team", tl, teamSpec(), nil)
	p := responders.NewPager(tl, team)
	tick(ctx, t, c, p, firing("Noise", incident.P2))
	require.NoError(t, team.Do(responders.TeamAction{Action: responders.Ack, Role: "on_call"}))
	p.FaultInjected(ctx)
	tick(ctx, t, c, p)
	_, acked := tl.First(incident.RoleAcknowledged, nil)
	assert.False(t, acked, "the queued answer to the closed incident is dropped")
	require.ErrorIs(t, team.Do(responders.TeamAction{Action: responders.Update}), responders.ErrNotPaged)

	tick(ctx, t, c, p, firing("HighErrorRate", incident.P2))
	pages := rolePages(tl)
	assert.Equal(t, []string{"tech_lead carol", "on_call erin", "tech_lead carol", "on_call erin"}, pages)
	last := tl.Entries()[len(tl.Entries())-1]
	assert.Equal(t, "2", last.Labels[incident.IncidentLabel])
}

// A whole game day through the pager, scored: every one of the five
// evaluation criteria is met, with one escalation to a backup counted.
func TestTeamGameDayMeetsTheFiveCriteria(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, tl := drillClock()
	team := responders.NewTeam("team", tl, teamSpec(), nil)
	p := responders.NewPager(tl, team)
	do := func(a responders.TeamAction) { t.Helper(); require.NoError(t, team.Do(a)) }
	ticks := func(n int) {
		for range n {
			tick(ctx, t, c, p)
		}
	}

	ticks(4)
	tl.Record(incident.Milestone{Kind: incident.FaultInjected, Subject: "db-pool-exhaustion"})
	p.FaultInjected(ctx)
	ticks(4)
	// The monitor records what fires; the pager pages it.
	tl.Record(incident.Milestone{Kind: incident.AlertFiring, Drill: c.TickTime() + c.Tick(), Subject: "DatabaseConnectionFailure", Severity: incident.P1})
	tick(ctx, t, c, p, firing("DatabaseConnectionFailure", incident.P1))
	do(responders.TeamAction{Action: responders.Ack, Role: "incident_commander", Person: "alice"})
	do(responders.TeamAction{Action: responders.Ack, Role: "on_call", Person: "erin"})
	do(responders.TeamAction{Action: responders.Declare, Severity: incident.P1, Person: "alice"})
	ticks(2)
	do(responders.TeamAction{Action: responders.Update, Person: "alice", Status: "Investigating"})
	do(responders.TeamAction{Action: responders.Notice, Notice: incident.NoticeInitial, Person: "alice"})
	ticks(24) // carol never answers: after 5 minutes dave is paged
	do(responders.TeamAction{Action: responders.Ack, Role: "tech_lead"})
	do(responders.TeamAction{Action: responders.Diagnosed, Person: "dave"})
	ticks(4)
	do(responders.TeamAction{Action: responders.Mitigated, Person: "dave"})
	do(responders.TeamAction{Action: responders.Update, Person: "alice", Status: "Monitoring"})
	ticks(4)
	do(responders.TeamAction{Action: responders.Resolve, Person: "dave"})
	tick(ctx, t, c, p, resolved("DatabaseConnectionFailure", incident.P1))
	ticks(1)
	inc, _ := p.Current()
	require.True(t, inc.Resolved)
	do(responders.TeamAction{Action: responders.Notice, Notice: incident.NoticeResolution, Person: "alice"})
	do(responders.TeamAction{Action: responders.Postmortem, Person: "alice", Text: "# Post-mortem\n\nRoot cause: the pool."})
	ticks(1)

	targets := scorer.DefaultTargets()
	targets.GameDay.Roles.P1 = teamSpec().Pages[incident.P1]
	v := scorer.Score(tl.Entries(), targets)
	assert.True(t, v.GameDay)
	assert.Equal(t, 1, v.Escalations)
	for _, id := range []string{scorer.IDAssessment, scorer.IDEscalation, scorer.IDCommunication, scorer.IDMitigated, scorer.IDPostmortem} {
		c, ok := v.Criterion(id)
		if assert.True(t, ok, id) {
			assert.Equal(t, scorer.StatusMet, c.Status, "%s: %s", id, c.Note)
		}
	}
	assert.True(t, v.Passed, "%+v", v.Missed())
}

// A page routed to a receiver pages the roles escalation.receivers gives
// it, besides the severity's, once each.
func TestTeamPagesAReceiversRoles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, tl := drillClock()
	spec := teamSpec()
	spec.Roles = append(spec.Roles, responders.TeamRole{Key: "database_admin", Title: "Database Admin", Primary: "gina", Backup: "hank"})
	spec.Receivers = map[string][]string{"database-pager": {"database_admin", "on_call"}}
	team := responders.NewTeam("team", tl, spec, nil)

	require.NoError(t, team.Page(ctx, responders.Page{Incident: 1, Alert: "HighErrorRate", Severity: incident.P2, Receiver: "on-call"}))
	require.NoError(t, team.Tick(ctx, time.Minute))
	assert.Equal(t, []string{"tech_lead carol", "on_call erin"}, rolePages(tl), "the default receiver adds nobody")

	require.NoError(t, team.Page(ctx, responders.Page{Incident: 1, Alert: "DatabaseConnectionFailure", Severity: incident.P2, Receiver: "database-pager"}))
	require.NoError(t, team.Tick(ctx, 2*time.Minute))
	assert.Equal(t, []string{"tech_lead carol", "on_call erin", "database_admin gina"}, rolePages(tl),
		"the database pager pages its DBA; the on-call was paged already")
}
