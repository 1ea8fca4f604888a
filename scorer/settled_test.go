package scorer

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/firedrill/firedrill/incident"
)

func TestSettled(t *testing.T) {
	targets := DefaultTargets()
	// Fault at minute 1, the P1 alert fires and pages at 2, nobody answers.
	unanswered := without(onTime(), incident.Acknowledged, incident.Diagnosed, incident.Mitigated,
		incident.AlertResolved, incident.Resolved)
	faultOnly := unanswered[:1]

	assert.True(t, Settled(onTime(), targets, mins(15), false), "every criterion measured")
	assert.True(t, Settled(unanswered, targets, mins(2), true),
		"detected, and nobody can acknowledge or resolve: nothing can earn credit any more")
	assert.False(t, Settled(unanswered, targets, mins(20), false),
		"a responder may still acknowledge (MTTA 15m earns credit until 30m after detection)")
	assert.False(t, Settled(unanswered, targets, mins(120), false), "MTTR 60m earns credit until 121m")
	assert.True(t, Settled(unanswered, targets, mins(121), false), "every missing criterion is past twice its target")

	assert.False(t, Settled(faultOnly, targets, mins(10.9), true), "MTTD 5m still earns credit until minute 11")
	assert.True(t, Settled(faultOnly, targets, mins(11), true), "undetected past twice MTTD, nobody to answer")

	assert.False(t, Settled(nil, targets, mins(100), true), "no fault: a steady-state drill runs its whole time")
	gameDay := targets
	gameDay.GameDay.Always = true
	assert.False(t, Settled(onTime(), gameDay, mins(15), true), "people may act until a game day ends")
}
