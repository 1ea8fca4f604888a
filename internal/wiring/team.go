package wiring

import (
	"slices"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/responders"
)

// TeamSpec is the game-day team firedrill.yaml describes: its roles, the
// roles each severity pages ("all" spelt out) and the ack timeout.
func TeamSpec(c config.Config) responders.TeamSpec {
	spec := responders.TeamSpec{Pages: map[incident.Severity][]string{}, AckTimeout: c.Escalation.AckTimeout.D()}
	for _, key := range c.Team.Keys() {
		r := c.Team[key]
		spec.Roles = append(spec.Roles, responders.TeamRole{Key: key, Title: c.Team.Title(key), Primary: r.Primary, Backup: r.Backup})
	}
	for _, s := range []incident.Severity{incident.P1, incident.P2, incident.P3, incident.P4} {
		spec.Pages[s] = c.Escalation.Roles(s, c.Team)
	}
	spec.Receivers = map[string][]string{}
	for recv, roles := range c.Escalation.Receivers {
		spec.Receivers[recv] = slices.Clone(roles)
	}
	return spec
}
