package config

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
)

func TestTeamDefaultsAreThePlaybooks(t *testing.T) {
	t.Parallel()
	c, err := Parse("firedrill.yaml", []byte("stack:\n  provider: docker\n"))
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"incident_commander", "tech_lead", "security_lead", "database_admin",
		"devops_lead", "customer_success", "legal_counsel", "on_call"}, c.Team.Keys())
	assert.Equal(t, "Incident Commander", c.Team.Title("incident_commander"))
	assert.Equal(t, 5*time.Minute, c.Escalation.AckTimeout.D())
	assert.Equal(t, c.Team.Keys(), c.Escalation.Roles(incident.P1, c.Team), "P1: all hands")
	assert.Equal(t, []string{"tech_lead", "on_call"}, c.Escalation.Roles(incident.P2, c.Team), "P2: team lead + on-call")
	assert.Equal(t, []string{"on_call"}, c.Escalation.Roles(incident.P3, c.Team), "P3: on-call engineer")
	assert.Empty(t, c.Escalation.Roles(incident.P4, c.Team), "P4: next business day")
	assert.Empty(t, c.Escalation.Roles(incident.SeverityUnknown, c.Team))
}

func TestTeamAddsToTheShippedRoles(t *testing.T) {
	t.Parallel()
	c, err := Parse("firedrill.yaml", []byte(`
team:
  incident_commander: {primary: alice, backup: bob}
  payments_oncall: {title: Payments On-call, primary: carol, backup: dave}
escalation:
  ack_timeout: 3 minutes
  P2: [incident_commander, payments_oncall]
`))
	require.NoError(t, err)
	assert.Equal(t, Role{Primary: "alice", Backup: "bob"}, c.Team["incident_commander"])
	assert.Equal(t, "Incident Commander", c.Team.Title("incident_commander"), "a shipped role keeps its title")
	assert.Equal(t, "Payments On-call", c.Team.Title("payments_oncall"))
	assert.Contains(t, c.Team.Keys(), "legal_counsel", "the shipped roles stay")
	assert.Contains(t, c.Escalation.Roles(incident.P1, c.Team), "payments_oncall", "all hands includes the team's own roles")
	assert.Equal(t, []string{"incident_commander", "payments_oncall"}, c.Escalation.Roles(incident.P2, c.Team))
	assert.Equal(t, []string{"on_call"}, c.Escalation.P3, "unwritten severities keep the playbook's")
	assert.Equal(t, 3*time.Minute, c.Escalation.AckTimeout.D())
}

func TestTeamBadInputNamesFileLineAndKey(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		doc  string
		want []string
	}{
		"unknown role":        {"escalation:\n  P2: [tech_lead, dba]\n", []string{"firedrill.yaml:2:", "escalation.P2", `unknown role "dba"`, "database_admin"}},
		"unknown role field":  {"team:\n  tech_lead:\n    primary: alice\n    pager: 555\n", []string{"firedrill.yaml:4:", `unknown key "pager"`}},
		"unknown escalation":  {"escalation:\n  P5: [on_call]\n", []string{"firedrill.yaml:2:", `unknown key "P5"`}},
		"backup is primary":   {"team:\n  tech_lead:\n    primary: alice\n    backup: Alice\n", []string{"firedrill.yaml:4:", "team.tech_lead.backup", "differ"}},
		"backup alone":        {"team:\n  tech_lead:\n    backup: bob\n", []string{"firedrill.yaml:3:", "team.tech_lead.backup", "no primary"}},
		"all with others":     {"escalation:\n  P1: [all, on_call]\n", []string{"firedrill.yaml:2:", "escalation.P1", "alone"}},
		"listed twice":        {"escalation:\n  P3: [on_call, on_call]\n", []string{"firedrill.yaml:2:", "escalation.P3", "twice"}},
		"zero ack timeout":    {"escalation:\n  ack_timeout: 0s\n", []string{"firedrill.yaml:2:", "escalation.ack_timeout", "positive"}},
		"bad ack timeout":     {"escalation:\n  ack_timeout: soonish\n", []string{"firedrill.yaml:2:", "soonish"}},
		"reserved role key":   {"team:\n  all: {primary: alice}\n", []string{"firedrill.yaml:2:", "team", `"all" is reserved`}},
		"bad role key":        {"team:\n  Tech Lead: {primary: alice}\n", []string{"firedrill.yaml:2:", "team", `"Tech Lead"`}},
		"role is not a table": {"team:\n  tech_lead: alice\n", []string{"firedrill.yaml:2:", "alice"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("firedrill.yaml", []byte(tc.doc))
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrInvalid), "errors.Is(err, ErrInvalid): %v", err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}
