package monitors

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/firedrill/firedrill/stack"
)

// A tick's floor is its slowest request, then its slowest scrape or probe
// (they run together, after the traffic they must see), named after the
// larger part.
func TestFloorIsSlowestRequestThenSlowestAnswer(t *testing.T) {
	probes := []probeResult{{probe: probe{name: "postgres"}, dur: 120 * time.Millisecond}, {probe: probe{name: "app"}, dur: 3 * time.Millisecond}}
	scrapes := []scrapeResult{
		{target: stack.MetricsTarget{Job: "app"}, dur: 4 * time.Millisecond},
		{target: stack.MetricsTarget{Job: "postgres-exporter"}, dur: 1004 * time.Millisecond},
	}
	d, by := floor(7*time.Millisecond, probes, scrapes)
	assert.Equal(t, 1011*time.Millisecond, d)
	assert.Equal(t, "scrape postgres-exporter", by)

	d, by = floor(2*time.Second, probes[:1], nil)
	assert.Equal(t, 2120*time.Millisecond, d)
	assert.Equal(t, "traffic (the app's slowest answer)", by)

	d, by = floor(0, nil, nil)
	assert.Zero(t, d)
	assert.Empty(t, by)
}
