package cli

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/responders/console"
)

// consoleDrill is a game day for the CLI to answer: a real team and
// timeline paged at P1; the stack's board and the injector are not needed.
type consoleDrill struct {
	clock *incident.Clock
	tl    *incident.Timeline
	team  *responders.Team
	pager *responders.Pager
}

func (d *consoleDrill) Name() string                        { return "Database pool exhaustion" }
func (d *consoleDrill) Team() *responders.Team              { return d.team }
func (d *consoleDrill) Timeline() *incident.Timeline        { return d.tl }
func (d *consoleDrill) Board(context.Context) console.Board { return console.Board{} }
func (d *consoleDrill) Truth() console.Truth                { return console.Truth{} }
func (d *consoleDrill) Inject(string, map[string]string) error {
	return nil
}
func (d *consoleDrill) Abort(string)                                {}
func (d *consoleDrill) Close()                                      {}
func (d *consoleDrill) PostmortemDraft([]incident.Milestone) string { return "# Post-mortem\n" }

func (d *consoleDrill) tick(t *testing.T, alerts ...incident.Alert) {
	t.Helper()
	ctx := context.Background()
	now, err := d.clock.Advance(ctx)
	require.NoError(t, err)
	for _, a := range alerts {
		d.tl.Record(incident.Milestone{Kind: incident.AlertFiring, Drill: now, Actor: "monitor", Subject: a.Name,
			Severity: a.Severity, Labels: a.Labels, Detail: a.Annotations["summary"]})
	}
	d.pager.Alerts(ctx, d.clock.At(now), alerts)
}

// consoleGameDay serves a paged game day's console on 127.0.0.1 and
// returns the drill, the env that points the CLI at it, and the token.
func consoleGameDay(t *testing.T) (*consoleDrill, map[string]string) {
	t.Helper()
	clock := incident.NewClock(incident.Compressed, 15*time.Second, time.Date(2026, 1, 1, 14, 0, 0, 0, time.UTC))
	tl := incident.NewTimeline(clock)
	team := responders.NewTeam("team", tl, responders.TeamSpec{
		Roles: []responders.TeamRole{
			{Key: "incident_commander", Title: "Incident Commander", Primary: "alice", Backup: "bob"},
			{Key: "database_admin", Title: "Database Admin", Primary: "dan", Backup: "erin"},
		},
		Pages:      map[incident.Severity][]string{incident.P1: {"incident_commander", "database_admin"}},
		AckTimeout: 5 * time.Minute,
	}, nil)
	d := &consoleDrill{clock: clock, tl: tl, team: team, pager: responders.NewPager(tl, team)}
	token := console.NewToken()
	c := console.New(console.Options{ResponderToken: token, FacilitatorToken: console.NewToken(), Current: func() console.Drill { return d }})
	srv := httptest.NewServer(c.Handler())
	t.Cleanup(srv.Close)
	t.Cleanup(c.Close)
	d.tick(t, incident.Alert{Name: "DatabaseConnectionFailure", State: incident.StateFiring, Severity: incident.P1,
		Labels:      map[string]string{"alertname": "DatabaseConnectionFailure", "severity": "P1", "service": "content-api"},
		Annotations: map[string]string{"summary": "The app cannot reach its database."}})
	return d, map[string]string{"FIREDRILL_CONSOLE_ADDR": strings.TrimPrefix(srv.URL, "http://"), "FIREDRILL_TOKEN": token}
}

// milestones lists the timeline's game-day milestones as "kind person
// subject | detail".
func milestones(tl *incident.Timeline, kinds ...incident.Kind) []string {
	var out []string
	for _, m := range tl.Entries() {
		for _, k := range kinds {
			if m.Kind == k {
				out = append(out, strings.TrimSpace(string(m.Kind)+" "+m.Labels[incident.PersonLabel]+" "+m.Subject+" | "+m.Detail))
			}
		}
	}
	return out
}

func TestConsoleCLIAnswersAGameDay(t *testing.T) {
	t.Parallel()
	d, env := consoleGameDay(t)
	pm := filepath.Join(t.TempDir(), "pm.md")
	require.NoError(t, os.WriteFile(pm, []byte("# Post-mortem\nthe pool ran dry"), 0o644))
	for _, args := range [][]string{
		{"ack", "--role", "incident_commander", "--by", "alice", "--note", "on it"},
		{"role", "take", "incident_commander", "--by", "alice"},
		{"role", "page", "database_admin", "--backup", "--by", "alice"},
		{"role", "assign", "database_admin", "--person", "erin", "--by", "alice"},
		{"severity", "p1", "--by", "alice"},
		{"update", "--status", "identified", "--text", "pool exhausted; restarting", "--by", "alice"},
		{"notice", "initial", "--by", "alice"},
		{"mark", "diagnosed", "--by", "alice"},
		{"mark", "mitigated", "--by", "alice"},
		{"resolve", "--by", "alice"},
		{"postmortem", "--file", pm, "--by", "alice"},
	} {
		code, out, errOut := runCLI(t, nil, env, args...)
		require.Equal(t, ExitOK, code, "%v: %s", args, errOut)
		assert.Contains(t, out, "recorded; it takes effect at the drill's next tick", args)
	}
	d.tick(t)
	assert.Equal(t, []string{
		"role_acknowledged alice Incident Commander acknowledged | on it",
		"role_assigned alice alice holds Incident Commander |",
		"role_paged erin paged Database Admin (backup) |",
		"role_assigned erin erin holds Database Admin |",
		"role_acknowledged erin Database Admin acknowledged |",
		"severity_declared alice declared P1 |",
		"update_posted alice internal update: Identified | pool exhausted; restarting",
		"notice_published alice status page: initial | **Investigating** - We are aware of an issue affecting content-api.\nOur team is actively investigating. More updates to follow.",
		"postmortem_submitted alice post-mortem submitted | # Post-mortem\nthe pool ran dry",
	}, milestones(d.tl, incident.RoleAcknowledged, incident.RoleAssigned, incident.RolePaged, incident.SeverityDeclared,
		incident.UpdatePosted, incident.NoticePublished, incident.PostmortemSubmitted)[2:], "the first two are the P1's pages")
	for _, k := range []incident.Kind{incident.Diagnosed, incident.Mitigated} {
		_, ok := d.tl.First(k, nil)
		assert.True(t, ok, k)
	}
}

func TestUpdateWithoutTextPostsTheDraftWithItsStatus(t *testing.T) {
	t.Parallel()
	d, env := consoleGameDay(t)
	code, _, errOut := runCLI(t, nil, env, "update", "--status", "Fixing", "--by", "alice")
	require.Equal(t, ExitOK, code, errOut)
	d.tick(t)
	m, ok := d.tl.First(incident.UpdatePosted, nil)
	require.True(t, ok)
	assert.Regexp(t, `^Status: Fixing\nImpact: The app cannot reach its database\nProgress: .*\nETA: `, m.Detail)
}

func TestNoticeAndSeverityAndRoleUsageMistakesExit2(t *testing.T) {
	t.Parallel()
	_, env := consoleGameDay(t)
	for args, want := range map[string]string{
		"notice tweet":                   `notice takes initial, update or resolution, not "tweet"`,
		"severity P7":                    `want P1, P2, P3 or P4`,
		"update --status Panicking":      `--status "Panicking"`,
		"role take incident_commander":   "--by",
		"role assign incident_commander": "--person",
		"role fire incident_commander":   `role takes take, assign or page, not "fire"`,
		"postmortem":                     "postmortem needs --file",
		"postmortem --file /nonexistent": "--file",
		"mark fixed":                     "mark takes diagnosed or mitigated",
		"role take":                      "accepts 2 arg(s)",
	} {
		code, _, errOut := runCLI(t, nil, env, strings.Fields(args)...)
		assert.Equal(t, ExitBadInput, code, "%s: %s", args, errOut)
		assert.Contains(t, errOut, want, args)
	}
	code, _, errOut := runCLI(t, nil, map[string]string{"FIREDRILL_CONSOLE_ADDR": env["FIREDRILL_CONSOLE_ADDR"]}, "resolve")
	assert.Equal(t, ExitBadInput, code, "no token")
	assert.Contains(t, errOut, "FIREDRILL_TOKEN")
}

func TestRoleRefusedByTheConsoleFails(t *testing.T) {
	t.Parallel()
	_, env := consoleGameDay(t)
	code, _, errOut := runCLI(t, nil, env, "role", "page", "janitor")
	assert.Equal(t, ExitFailed, code)
	assert.Contains(t, errOut, "unknown role")
	code, _, errOut = runCLI(t, nil, env, "resolve", "--token", "wrong")
	assert.Equal(t, ExitFailed, code)
	assert.Contains(t, errOut, "refused the token")
}

func TestStatusPrintsTheIncidentRolesAndTimeline(t *testing.T) {
	t.Parallel()
	d, env := consoleGameDay(t)
	code, _, errOut := runCLI(t, nil, env, "ack", "--by", "dan")
	require.Equal(t, ExitOK, code, errOut)
	d.tick(t)
	code, out, errOut := runCLI(t, nil, env, "status")
	require.Equal(t, ExitOK, code, errOut)
	for _, want := range []string{
		"Database pool exhaustion · T+",
		"incident #1 P1 DatabaseConnectionFailure, paged at T+15s; done: ack",
		"P1 DatabaseConnectionFailure since T+15s: The app cannot reach its database.",
		"Database Admin", "dan T+30s",
		"Incident Commander", "waiting",
		"role_acknowledged", "timeline (last",
	} {
		assert.Contains(t, out, want)
	}
	code, out, _ = runCLI(t, nil, env, "status", "--json")
	require.Equal(t, ExitOK, code)
	assert.Contains(t, out, `"running": true`)
	code, out, _ = runCLI(t, nil, env, "status", "--draft")
	require.Equal(t, ExitOK, code)
	assert.Equal(t, "# Post-mortem\n\n", out)
}

func TestPostmortemGoesThroughTheConsole(t *testing.T) {
	t.Parallel()
	d, env := consoleGameDay(t)
	pm := filepath.Join(t.TempDir(), "pm.md")
	require.NoError(t, os.WriteFile(pm, []byte("<img src=x onerror=alert(1)>"), 0o644))
	code, _, errOut := runCLI(t, nil, env, "postmortem", "--file", pm, "--by", "alice")
	require.Equal(t, ExitOK, code, errOut)
	d.tick(t)
	m, ok := d.tl.First(incident.PostmortemSubmitted, nil)
	require.True(t, ok)
	assert.Equal(t, "<img src=x onerror=alert(1)>", m.Detail, "stored as written; escaped where shown")
}

// `firedrill playbook` asks the console to run one of the team's
// playbooks; an unknown one is refused with the console's answer, a
// negative step is a usage mistake.
func TestPlaybookCommandGoesThroughTheConsole(t *testing.T) {
	t.Parallel()
	_, env := consoleGameDay(t)
	code, _, errOut := runCLI(t, nil, env, "playbook", "db-recovry", "--by", "dan")
	assert.Equal(t, ExitFailed, code, errOut)
	assert.Contains(t, errOut, `run "db-recovry": unknown playbook`)
	code, _, errOut = runCLI(t, nil, env, "playbook", "db-recovery", "--step", "-1")
	assert.Equal(t, ExitBadInput, code, errOut)
	assert.Contains(t, errOut, "--step -1")
}
