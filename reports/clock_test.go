package reports

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/firedrill/firedrill/incident"
)

// simulatedClock matches a time of day of the fixture's drill timestamps
// (At: the epoch 14:00 plus drill time), which no one lived through on a
// compressed clock.
var simulatedClock = regexp.MustCompile(`\b14:[0-5][0-9]:[0-5][0-9]\b`)

// On the compressed clock a drill's half hour passes in seconds: every
// format says its times are drill time, and none shows a simulated time
// of day as if it were one.
func TestCompressedRunsShowDrillTimeOnly(t *testing.T) {
	t.Parallel()
	for _, name := range Names() {
		if name == "json" {
			continue // the stored record keeps every clock, for tools
		}
		got := renderString(t, name, fixture())
		assert.NotRegexp(t, simulatedClock, got, "%s shows a simulated time of day", name)
		switch name {
		case "summary", "markdown", "junit", "html":
			assert.Contains(t, got, "Times are drill time, simulated: the compressed clock runs ticks back to back (6m30s of drill time in 42s of wall time)", name)
		}
	}
	pm := renderString(t, "postmortem", fixture())
	assert.Contains(t, pm, "injected the fault `db-pool-exhaustion` at drill time 01:00.")
	assert.Contains(t, pm, "Times are drill time, on the compressed clock: simulated, not times of day.\n\n| Drill time | From T0 | Event |")
}

// On a paced (or realtime) clock people acted at wall times: those are
// shown, in UTC, beside drill time; the simulated timestamps still never.
func TestPacedRunsShowWallTimesOfDay(t *testing.T) {
	t.Parallel()
	r := fixture()
	r.Environment.Clock = incident.Paced
	html := renderString(t, "html", r)
	assert.Contains(t, html, `<th class="t">Wall time (UTC)</th><th class="t">Drill time</th>`)
	// The game day's notice at drill time 06:00 was published at wall
	// 09:30:06 (the fixture runs 60 drill seconds a wall second).
	assert.Contains(t, html, `<tr><td class="t">09:30:06</td><td class="t">06:00</td>`)
	assert.Contains(t, html, "Submitted by <strong>Ana Ortiz</strong> at drill time 29:00 (09:30:29 UTC)")
	assert.Contains(t, html, "times of day are wall times (UTC)")
	pm := renderString(t, "postmortem", r)
	assert.Contains(t, pm, "(submitted at 09:30:29 UTC, drill time 29:00; revision 2 of 2)")
	assert.Contains(t, pm, "| Time (UTC) | Drill time | From T0 | Event |\n|------------|------------|---------|-------|\n| 09:30:00 | 00:30 | -00:30 |")
	sp := renderString(t, "statuspage", r)
	assert.Contains(t, sp, "Published at 09:30:06 UTC, drill time 06:00 (T+05:30), by Ana Ortiz.")
	for name, got := range map[string]string{"html": html, "postmortem": pm, "statuspage": sp} {
		assert.NotRegexp(t, simulatedClock, got, "%s shows a simulated time of day", name)
	}
	assert.False(t, strings.Contains(renderString(t, "summary", r), "simulated"))
}
