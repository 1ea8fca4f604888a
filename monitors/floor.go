package monitors

import "time"

// A tick's floor, part by part: see TickTiming.Floor and Phase.

// floorPart is one part of a tick's floor and what set it.
type floorPart struct {
	d  time.Duration
	by string
}

// trafficFloor names the traffic's floor: the app's slowest answer, or the
// stack's CPU when the burst needed more of it than the slowest answer took.
func trafficFloor(d time.Duration, busy bool) floorPart {
	if busy {
		return floorPart{d, "traffic (the stack's CPU)"}
	}
	if d == 0 {
		return floorPart{}
	}
	return floorPart{d, "traffic (the app's slowest answer)"}
}

// answerFloor is the floor of the probes and scrapes, which run together:
// the slowest of them, or the stack's CPU they needed, measured by phase.
func answerFloor(phase Phase, probes []probeResult, scrapes []scrapeResult) floorPart {
	var slowest floorPart
	for _, p := range probes {
		if p.dur > slowest.d {
			slowest = floorPart{p.dur, "probe " + p.probe.name}
		}
	}
	for _, s := range scrapes {
		if s.dur > slowest.d {
			slowest = floorPart{s.dur, "scrape " + s.target.Job}
		}
	}
	d, busy := phase.Floor(slowest.d)
	if busy {
		return floorPart{d, "scrapes and probes (the stack's CPU)"}
	}
	return floorPart{d, slowest.by}
}
