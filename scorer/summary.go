package scorer

import (
	"math"
	"slices"
	"time"
)

// Stat is one MTTx across many drills. Percentiles, not means: one drill
// that never resolved would drag a mean anywhere, and the playbook's
// targets are about the typical and the bad case.
type Stat struct {
	// Measured counts the drills where it was measured; only those enter the
	// percentiles.
	Measured int `json:"measured"`
	// Missing counts the fault drills where it was not (never detected,
	// never acknowledged, never resolved).
	Missing int `json:"missing"`
	// P50 and P90 are nearest-rank percentiles; missing when Measured is 0.
	P50 Measurement `json:"p50"`
	P90 Measurement `json:"p90"`
}

// Summary is many drills at a glance.
type Summary struct {
	Drills int `json:"drills"`
	Passed int `json:"passed"`
	Failed int `json:"failed"`
	// SteadyState counts the drills with no fault; they enter Drills, Passed
	// and Failed but no MTTx.
	SteadyState int  `json:"steady_state"`
	MTTD        Stat `json:"mttd"`
	MTTA        Stat `json:"mtta"`
	MTTR        Stat `json:"mttr"`
}

// Summarize counts verdicts and takes p50 and p90 of each MTTx over the
// drills where it was measured.
func Summarize(vs []Verdict) Summary {
	s := Summary{Drills: len(vs)}
	var d, a, r []time.Duration
	collect := func(m Measurement, into *[]time.Duration, st *Stat) {
		if v, ok := m.Get(); ok {
			*into = append(*into, v)
		} else {
			st.Missing++
		}
	}
	for _, v := range vs {
		if v.Passed {
			s.Passed++
		} else {
			s.Failed++
		}
		if v.SteadyState {
			s.SteadyState++
			continue
		}
		collect(v.MTTD, &d, &s.MTTD)
		collect(v.MTTA, &a, &s.MTTA)
		collect(v.MTTR, &r, &s.MTTR)
	}
	for _, x := range []struct {
		vals []time.Duration
		st   *Stat
	}{{d, &s.MTTD}, {a, &s.MTTA}, {r, &s.MTTR}} {
		x.st.Measured = len(x.vals)
		x.st.P50 = Percentile(x.vals, 50)
		x.st.P90 = Percentile(x.vals, 90)
	}
	return s
}

// Percentile is the nearest-rank p-th percentile (0 < p ≤ 100) of vals: the
// smallest value with at least p% of the values at or below it, which is
// always a duration some drill really took (no interpolation between
// drills). Missing when vals is empty.
func Percentile(vals []time.Duration, p float64) Measurement {
	if len(vals) == 0 {
		return Missing()
	}
	sorted := slices.Clone(vals)
	slices.Sort(sorted)
	rank := int(math.Ceil(p * float64(len(sorted)) / 100))
	rank = min(max(rank, 1), len(sorted))
	return Measured(sorted[rank-1])
}
