package reports

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"time"
)

// Timing is where a drill's wall time went: how compressed it ran, and
// which part of its ticks bounded it. A tick can never take less than the
// slowest real thing in it, so the bound names the component whose answer
// the drill waited on (DESIGN.md: "Reports say what bounded each drill's
// wall time").
type Timing struct {
	// Wall is the drill's wall time; Drill the drill time it covered.
	Wall  Span `json:"wall"`
	Drill Span `json:"drill"`
	// Compression is Drill / Wall (1 on a realtime clock).
	Compression float64 `json:"compression"`
	Ticks       int     `json:"ticks"`
	// Each part of a tick at p50 and p99: traffic sent, probes and scrapes
	// stored, rules evaluated, the pager and responder (playbook steps
	// included), and the fault's own load (an attack's or a surge's
	// requests, sent for the tick: injectors.Ticker).
	Traffic  Quantiles `json:"traffic"`
	Scrape   Quantiles `json:"scrape"`
	Evaluate Quantiles `json:"evaluate"`
	Respond  Quantiles `json:"respond"`
	Fault    Quantiles `json:"fault"`
	Tick     Quantiles `json:"tick"`
	// Bound is the part with the highest p99: what the drill waited on.
	Bound string `json:"bound"`
	// Floor is the least wall time the stack's real components allowed,
	// summed over the ticks. Each part of a tick (its traffic, its scrapes
	// and probes, its fault's own load) has as floor its slowest answer,
	// or, when more, the CPU the rest of the machine spent on it spread
	// over the cores: a burst the stack's throughput bounds. FloorBy is
	// what set most of it ("scrape postgres-exporter", "traffic (the
	// stack's CPU)"). A drill cannot run faster than its floor without
	// changing what it measures or getting a bigger machine.
	Floor   Span   `json:"floor,omitzero"`
	FloorBy string `json:"floor_by,omitempty"`
	// Overhead is the rest of each tick: its wall time less its floor and
	// the responder's steps. It is the harness's own work (sending,
	// parsing, storing, rule evaluation, bookkeeping), and its CPU taking
	// cores from the stack on a saturated machine.
	Overhead Quantiles `json:"overhead,omitzero"`
	// InTicks is the wall time spent in ticks; the rest of Wall
	// (OutsideTicks) is the drill's setup between scenarios (the stack's
	// reset, the monitor's start), injecting and recovering its faults,
	// and its checks after the last tick.
	InTicks Span `json:"in_ticks,omitzero"`
}

// Quantiles are a duration's p50 and p99 over a drill's ticks.
type Quantiles struct {
	P50 Span `json:"p50"`
	P99 Span `json:"p99"`
}

// TickParts is one tick's wall time by part, what Timing is made from.
// Fault is the fault's own load sent for the tick; Total includes it.
type TickParts struct {
	Traffic, Scrape, Evaluate, Respond, Fault, Total time.Duration
	// Floor is the least of Total the stack allowed (see Timing.Floor);
	// FloorBy names its largest part.
	Floor   time.Duration
	FloorBy string
}

// NewTiming summarizes a drill's ticks.
func NewTiming(wall, drill time.Duration, ticks []TickParts) *Timing {
	t := &Timing{Wall: Span(wall), Drill: Span(drill), Ticks: len(ticks)}
	if wall > 0 {
		t.Compression = math.Round(drill.Seconds()/wall.Seconds()*10) / 10
	}
	pick := func(f func(TickParts) time.Duration) Quantiles {
		ds := make([]time.Duration, len(ticks))
		for i, x := range ticks {
			ds[i] = f(x)
		}
		slices.Sort(ds)
		return Quantiles{P50: Span(nearestRank(ds, 0.50)), P99: Span(nearestRank(ds, 0.99))}
	}
	t.Traffic = pick(func(x TickParts) time.Duration { return x.Traffic })
	t.Scrape = pick(func(x TickParts) time.Duration { return x.Scrape })
	t.Evaluate = pick(func(x TickParts) time.Duration { return x.Evaluate })
	t.Respond = pick(func(x TickParts) time.Duration { return x.Respond })
	t.Fault = pick(func(x TickParts) time.Duration { return x.Fault })
	t.Tick = pick(func(x TickParts) time.Duration { return x.Total })
	by := map[string]time.Duration{}
	for _, x := range ticks {
		t.InTicks += Span(x.Total)
		t.Floor += Span(x.Floor)
		if x.FloorBy != "" {
			by[x.FloorBy] += x.Floor
		}
	}
	for name, d := range by {
		if d > by[t.FloorBy] || (d == by[t.FloorBy] && name < t.FloorBy) {
			t.FloorBy = name
		}
	}
	if t.Floor > 0 {
		t.Overhead = pick(func(x TickParts) time.Duration { return max(x.Total-x.Floor-x.Respond, 0) })
	}
	best := Span(-1)
	for _, p := range []struct {
		name string
		q    Quantiles
	}{{"traffic (the app's answers)", t.Traffic}, {"scrapes and probes", t.Scrape}, {"rule evaluation", t.Evaluate}, {"the responder (playbook steps)", t.Respond},
		{"the fault's own load (the app's answers to it)", t.Fault}} {
		if p.q.P99 > best {
			best, t.Bound = p.q.P99, p.name
		}
	}
	return t
}

// nearestRank is the q-quantile of sorted ds by the nearest-rank method
// (as the scorer's p50/p90); 0 for none.
func nearestRank(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(ds)))) - 1
	return ds[max(i, 0)]
}

// Text is the timing in one line, for the report and the benchmark:
// "98× compressed (5m0s of drill time in 3.1s); ticks p50 40ms, p99 2.0s,
// bounded by traffic (the app's answers)".
func (t Timing) Text() string {
	s := fmt.Sprintf("%g× compressed (%s of drill time in %s); ticks p50 %s, p99 %s, bounded by %s (p99 %s)",
		t.Compression, fmtDur(time.Duration(t.Drill)), time.Duration(t.Wall).Round(10*time.Millisecond),
		time.Duration(t.Tick.P50).Round(time.Millisecond), time.Duration(t.Tick.P99).Round(time.Millisecond),
		t.Bound, time.Duration(t.boundP99()).Round(time.Millisecond))
	if t.Floor > 0 {
		s += fmt.Sprintf("; floor %s (each tick's slowest answers, or the stack's CPU where that was more; mostly %s; wall %g× floor), harness overhead p50 %s a tick",
			time.Duration(t.Floor).Round(10*time.Millisecond), t.FloorBy, t.FloorRatio(),
			time.Duration(t.Overhead.P50).Round(100*time.Microsecond))
	}
	return s
}

// OutsideTicks is the wall time not spent in ticks (see InTicks).
func (t Timing) OutsideTicks() Span { return max(t.Wall-t.InTicks, 0) }

// FloorRatio is Wall / Floor: 1 when the drill ran as fast as its stack
// answered (0 when no floor was measured).
func (t Timing) FloorRatio() float64 {
	if t.Floor <= 0 {
		return 0
	}
	return math.Round(float64(t.Wall)/float64(t.Floor)*10) / 10
}

func (t Timing) boundP99() Span {
	return max(t.Traffic.P99, t.Scrape.P99, t.Evaluate.P99, t.Respond.P99, t.Fault.P99)
}

// Span is a duration stored as {"seconds", "text"}, as every duration of
// result.json.
type Span time.Duration

// MarshalJSON writes {"seconds", "text"}.
func (s Span) MarshalJSON() ([]byte, error) { return json.Marshal(jsonDuration(s)) }

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Span) UnmarshalJSON(b []byte) error {
	var d jsonDuration
	if err := d.UnmarshalJSON(b); err != nil {
		return err
	}
	*s = Span(d)
	return nil
}
