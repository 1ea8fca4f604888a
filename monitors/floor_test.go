package monitors

import (
	"os/exec"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/stack"
)

// The scrapes' and probes' floor is the slowest of them (they run
// together), named after it; the traffic's, the app's slowest answer.
func TestFloorIsTheSlowestAnswer(t *testing.T) {
	probes := []probeResult{{probe: probe{name: "postgres"}, dur: 120 * time.Millisecond}, {probe: probe{name: "app"}, dur: 3 * time.Millisecond}}
	scrapes := []scrapeResult{
		{target: stack.MetricsTarget{Job: "app"}, dur: 4 * time.Millisecond},
		{target: stack.MetricsTarget{Job: "postgres-exporter"}, dur: 1004 * time.Millisecond},
	}
	// A phase that began long ago: its wall time bounds nothing here, and
	// this test's process is all the CPU there is to see.
	idle := Phase{start: time.Now().Add(-time.Hour)}
	p := answerFloor(idle, probes, scrapes)
	assert.Equal(t, floorPart{1004 * time.Millisecond, "scrape postgres-exporter"}, p)
	assert.Equal(t, floorPart{120 * time.Millisecond, "probe postgres"}, answerFloor(idle, probes[:1], nil))
	assert.Equal(t, floorPart{}, answerFloor(idle, nil, nil))

	assert.Equal(t, floorPart{2 * time.Second, "traffic (the app's slowest answer)"}, trafficFloor(2*time.Second, false))
	assert.Equal(t, floorPart{40 * time.Millisecond, "traffic (the stack's CPU)"}, trafficFloor(40*time.Millisecond, true))
	assert.Equal(t, floorPart{}, trafficFloor(0, false))
}

// A part of a tick during which the rest of the machine kept every core
// busy has the CPU it used, spread over the cores, as its floor: more than
// its slowest answer, never more than its wall time.
func TestFloorCountsTheMachinesCPU(t *testing.T) {
	if !readCPU().ok {
		t.Skip("this machine's CPU time cannot be read (not Linux): floors are the slowest answers alone")
	}
	// Another process keeps one core busy for 300 ms, while this one waits
	// on it as a request waits on the app.
	phase := StartPhase()
	burn := exec.Command("sh", "-c", `end=$(($(date +%s%N)+300000000)); while [ "$(date +%s%N)" -lt "$end" ]; do :; done`)
	require.NoError(t, burn.Run())
	d, busy := phase.Floor(time.Millisecond)
	assert.True(t, busy, "the other process's CPU is more than the 1 ms answer")
	assert.GreaterOrEqual(t, d, 250*time.Millisecond/time.Duration(runtime.NumCPU()), "about 300 ms of CPU, over %d cores", runtime.NumCPU())
}

// The rest of the machine's CPU is the machine's less this process's own
// (the harness's work is overhead, not floor), over the cores, and a floor
// is never more than the wall time of the part it bounds.
func TestPhaseFloorArithmetic(t *testing.T) {
	ms := func(n int) time.Duration { return time.Duration(n) * time.Millisecond }
	from := cpuTimes{machine: ms(1000), self: ms(100), ok: true}
	to := cpuTimes{machine: ms(1200), self: ms(180), ok: true} // 120 ms of others' CPU

	d, busy := phaseFloor(ms(100), ms(5), from, to, 2)
	assert.Equal(t, ms(60), d)
	assert.True(t, busy)

	d, busy = phaseFloor(ms(100), ms(70), from, to, 2)
	assert.Equal(t, ms(70), d, "the slowest answer is the larger bound")
	assert.False(t, busy)

	d, _ = phaseFloor(ms(40), ms(5), from, to, 2)
	assert.Equal(t, ms(40), d, "capped at the part's wall time")

	d, busy = phaseFloor(ms(100), ms(5), from, cpuTimes{}, 2)
	assert.Equal(t, ms(5), d, "no CPU reading: the slowest answer alone")
	assert.False(t, busy)
}
