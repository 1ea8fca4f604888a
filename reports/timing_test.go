package reports

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/firedrill/firedrill/incident"
)

// The floor is the sum of the ticks' floors, named after
// what set most of it, and the overhead is what remains of a tick beyond
// its floor and the responder's own steps.
func TestTimingFloorAndOverhead(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	timing := NewTiming(ms(3300), 45*time.Second, []TickParts{
		{Traffic: ms(20), Scrape: ms(1010), Evaluate: ms(2), Total: ms(1040), Floor: ms(1025), FloorBy: "scrape postgres-exporter"},
		{Traffic: ms(20), Scrape: ms(1012), Evaluate: ms(2), Respond: ms(200), Total: ms(1240), Floor: ms(1027), FloorBy: "scrape postgres-exporter"},
		{Traffic: ms(900), Scrape: ms(10), Evaluate: ms(2), Total: ms(1020), Floor: ms(905), FloorBy: "traffic (the app's slowest answer)"},
	})

	assert.Equal(t, Span(ms(2957)), timing.Floor, "the sum of the ticks' floors")
	assert.Equal(t, "scrape postgres-exporter", timing.FloorBy, "2052 ms of the floor came from the exporter, 905 ms from traffic")
	assert.Equal(t, Quantiles{P50: Span(ms(15)), P99: Span(ms(115))}, timing.Overhead,
		"overheads 15, 13 (the responder's 200 ms is its own) and 115 ms")
	assert.Equal(t, 1.1, timing.FloorRatio())
	assert.Contains(t, timing.Text(), "floor 2.96s (each tick's slowest answers, or the stack's CPU where that was more; mostly scrape postgres-exporter; wall 1.1× floor), harness overhead p50 15ms a tick")
}

// A drill whose ticks recorded no floor (older results) says nothing of it.
func TestTimingWithoutFloor(t *testing.T) {
	timing := NewTiming(time.Second, time.Minute, []TickParts{{Traffic: time.Millisecond, Total: 2 * time.Millisecond}})
	assert.Zero(t, timing.Floor)
	assert.Zero(t, timing.FloorRatio())
	assert.Equal(t, Quantiles{}, timing.Overhead)
	assert.NotContains(t, timing.Text(), "floor")
}

// The report says how each drill's run ended, from its last note: an
// early stop with its reason, the time limit, or the resolution.
func TestEndedIsTheDrillsLastNote(t *testing.T) {
	stopped := "stopped early, 38m45s before the time limit: its outcome is decided"
	d := Drill{Timeline: []incident.Milestone{
		{Kind: incident.FaultInjected, Drill: 10 * time.Minute, Actor: "injector"},
		{Kind: incident.Note, Drill: 11 * time.Minute, Actor: "facilitator", Subject: "a facilitator's note"},
		{Kind: incident.Note, Drill: 11*time.Minute + 45*time.Second, Actor: "drill", Subject: stopped},
		{Kind: incident.FaultRecovered, Drill: 12 * time.Minute, Actor: "injector"},
	}}
	assert.Equal(t, stopped+" at 11m45s of drill time", d.Ended())
	assert.Empty(t, Drill{}.Ended(), "a drill that never ran")
}

// A fault whose own load the app answers slowly (an attack's logins) is
// what bounds its drill's ticks, and the timing says so.
func TestTimingNamesTheFaultsLoadWhenItBoundsTheTicks(t *testing.T) {
	t.Parallel()
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	tm := NewTiming(10*time.Second, 5*time.Minute, []TickParts{
		{Traffic: ms(20), Scrape: ms(10), Evaluate: ms(5), Respond: ms(1), Total: ms(36)},
		{Traffic: ms(20), Scrape: ms(10), Evaluate: ms(5), Respond: ms(1), Fault: ms(400), Total: ms(436)},
	})
	assert.Equal(t, Span(ms(400)), tm.Fault.P99)
	assert.Equal(t, Span(ms(436)), tm.Tick.P99)
	assert.Equal(t, "the fault's own load (the app's answers to it)", tm.Bound)
	assert.Contains(t, tm.Text(), "bounded by the fault's own load (the app's answers to it) (p99 400ms)")
}
