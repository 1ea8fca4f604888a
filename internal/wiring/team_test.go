package wiring

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/responders"
)

func TestTeamSpecIsTheConfiguredTeam(t *testing.T) {
	t.Parallel()
	c, err := config.Parse("firedrill.yaml", []byte(`
team:
  tech_lead: {primary: carol, backup: dave}
escalation:
  ack_timeout: 3m
`))
	require.NoError(t, err)
	spec := TeamSpec(c)
	assert.Equal(t, 3*time.Minute, spec.AckTimeout)
	assert.Contains(t, spec.Roles, responders.TeamRole{Key: "tech_lead", Title: "Tech Lead", Primary: "carol", Backup: "dave"})
	assert.Len(t, spec.Pages[incident.P1], len(spec.Roles), "P1: all hands")
	assert.Equal(t, []string{"tech_lead", "on_call"}, spec.Pages[incident.P2])
	assert.Empty(t, spec.Pages[incident.P4])
}
