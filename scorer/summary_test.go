package scorer

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
)

func durs(ms ...float64) []time.Duration {
	out := make([]time.Duration, len(ms))
	for i, m := range ms {
		out[i] = mins(m)
	}
	return out
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		vals     []time.Duration
		p        float64
		want     time.Duration
		measured bool
	}{
		"p50 of ten":             {durs(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 50, mins(5), true},
		"p90 of ten":             {durs(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, mins(9), true},
		"p50 of four":            {durs(1, 2, 3, 4), 50, mins(2), true},
		"p90 of four is the max": {durs(1, 2, 3, 4), 90, mins(4), true},
		"unsorted input":         {durs(9, 1, 5), 50, mins(5), true},
		"long tail leaves p50":   {durs(1, 1, 2, 2, 600), 50, mins(2), true},
		"single value":           {durs(7), 90, mins(7), true},
		"empty is missing":       {nil, 50, 0, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := Percentile(tc.vals, tc.p)
			if !tc.measured {
				assert.False(t, got.Present)
				return
			}
			assertMeasured(t, tc.want, got, name)
		})
	}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	targets := DefaultTargets()
	drill := func(detect, ack, resolve float64) Verdict {
		ms := []incident.Milestone{at(incident.FaultInjected, 0, "f", 0)}
		if detect >= 0 {
			ms = append(ms, at(incident.AlertFiring, detect, "A", incident.P1))
		}
		if ack >= 0 {
			ms = append(ms, at(incident.Acknowledged, ack, "r", 0))
		}
		if resolve >= 0 {
			ms = append(ms, at(incident.Resolved, resolve, "r", 0))
		}
		return Score(ms, targets)
	}
	vs := []Verdict{
		drill(1, 2, 10),   // MTTD 1, MTTA 1, MTTR 10
		drill(2, 5, 20),   // 2, 3, 20
		drill(3, 9, 40),   // 3, 6, 40
		drill(4, -1, -1),  // 4, missing, missing
		drill(-1, -1, -1), // all missing
		Score(nil, targets),
		Score([]incident.Milestone{at(incident.AlertFiring, 1, "A", incident.P2)}, targets),
	}
	s := Summarize(vs)
	assert.Equal(t, 7, s.Drills)
	assert.Equal(t, 2, s.SteadyState)
	assert.Equal(t, s.Drills, s.Passed+s.Failed)
	assert.Equal(t, 1, s.Passed, "only the quiet steady-state drill meets every default target")

	assert.Equal(t, Stat{Measured: 4, Missing: 1, P50: s.MTTD.P50, P90: s.MTTD.P90}, s.MTTD)
	assertMeasured(t, mins(2), s.MTTD.P50, "MTTD p50")
	assertMeasured(t, mins(4), s.MTTD.P90, "MTTD p90")
	assert.Equal(t, 3, s.MTTA.Measured)
	assert.Equal(t, 2, s.MTTA.Missing)
	assertMeasured(t, mins(3), s.MTTA.P50, "MTTA p50")
	assertMeasured(t, mins(6), s.MTTA.P90, "MTTA p90")
	assertMeasured(t, mins(20), s.MTTR.P50, "MTTR p50")
	assertMeasured(t, mins(40), s.MTTR.P90, "MTTR p90")

	empty := Summarize(nil)
	assert.Zero(t, empty.Drills)
	require.False(t, empty.MTTD.P50.Present, "no drills, no percentile (not zero)")
}
