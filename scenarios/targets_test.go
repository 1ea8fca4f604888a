package scenarios

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/scorer"
)

// firedrill.yaml's defaults are the scorer's: the escalation table and
// team of config and the scorer's role targets say the same thing.
func TestTargetsOfTheDefaultConfigAreTheScorersDefaults(t *testing.T) {
	t.Parallel()
	assert.Equal(t, scorer.DefaultTargets(), targetsOf(config.Default()))
}

func TestTargetsFollowTheTeamAndEscalation(t *testing.T) {
	t.Parallel()
	c, err := config.Parse("firedrill.yaml", []byte(`
team:
  payments: {primary: carol}
escalation:
  P2: [incident_commander, payments]
targets:
  gameday: {first_update: 10m, update_every: 20m}
`))
	if !assert.NoError(t, err) {
		return
	}
	got := targetsOf(c)
	assert.Contains(t, got.GameDay.Roles.For(incident.P1), "payments", "all hands includes the team's own roles")
	assert.Equal(t, []string{"incident_commander", "payments"}, got.GameDay.Roles.For(incident.P2))
	assert.Equal(t, 10*time.Minute, got.GameDay.FirstUpdate)
	assert.Equal(t, 15*time.Minute, got.GameDay.FirstNotice, "unwritten: the default")
	assert.Equal(t, 20*time.Minute, got.GameDay.UpdateEvery)
}
