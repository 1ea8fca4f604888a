package reports

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

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
