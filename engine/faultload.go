package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/firedrill/firedrill/injectors"
	"github.com/firedrill/firedrill/monitors"
)

// target is what the drill's faults act on: the stack, the fault's table
// and the steady traffic's rate.
func (e *Engine) target(params map[string]string) injectors.Target {
	return injectors.Target{Env: e.env, Params: params, Rate: e.spec.Rate}
}

// tickFaults lets every injected fault that sends load of its own (an
// injectors.Ticker) send the next tick's share, stamped with that tick's
// drill times. It runs between ticks, after the tick's until said go on.
//
// The time it takes is part of the next tick's (the one whose scrape
// counts the load): a drill runs no faster than the app answers its
// fault's requests, and the report's tick breakdown says so.
func (e *Engine) tickFaults(ctx context.Context) error {
	from, tick := e.clock.At(e.clock.TickTime()), e.clock.Tick()
	start, phase, sent := time.Now(), monitors.StartPhase(), false
	for _, f := range e.faults {
		tk, ok := f.inj.(injectors.Ticker)
		if !ok {
			continue
		}
		sent = true
		if err := tk.Tick(ctx, e.target(f.params), from, tick); err != nil {
			return fmt.Errorf("tick fault %s: %w", f.name, err)
		}
	}
	if sent {
		wall := time.Since(start)
		floor, _ := phase.Floor(0)
		e.tmu.Lock()
		if e.faultLoad == nil {
			e.faultLoad = map[time.Duration]faultLoad{}
		}
		l := e.faultLoad[e.clock.TickTime()]
		e.faultLoad[e.clock.TickTime()] = faultLoad{wall: l.wall + wall, floor: l.floor + floor}
		e.tmu.Unlock()
	}
	return nil
}

// faultLoad is the wall time the faults' own load took for one tick, and
// the least of it the stack's CPU allowed (monitors.Phase): the app's
// answers to an attack's or a surge's requests are part of the tick's
// floor, the harness's sending them is not.
type faultLoad struct{ wall, floor time.Duration }

// faultLoadAfter is the faults' load sent after the tick at drill time:
// part of the tick that follows it.
func (e *Engine) faultLoadAfter(drill time.Duration) faultLoad {
	e.tmu.Lock()
	defer e.tmu.Unlock()
	return e.faultLoad[drill]
}
