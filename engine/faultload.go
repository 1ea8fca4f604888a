package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/firedrill/firedrill/injectors"
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
	start, sent := time.Now(), false
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
		e.tmu.Lock()
		if e.faultLoad == nil {
			e.faultLoad = map[time.Duration]time.Duration{}
		}
		e.faultLoad[e.clock.TickTime()] += time.Since(start)
		e.tmu.Unlock()
	}
	return nil
}

// faultLoadAfter is the wall time the faults' load sent after the tick at
// drill time took: part of the tick that follows it.
func (e *Engine) faultLoadAfter(drill time.Duration) time.Duration {
	e.tmu.Lock()
	defer e.tmu.Unlock()
	return e.faultLoad[drill]
}
