package engine

import (
	"context"
	"fmt"

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
func (e *Engine) tickFaults(ctx context.Context) error {
	from, tick := e.clock.At(e.clock.TickTime()), e.clock.Tick()
	for _, f := range e.faults {
		tk, ok := f.inj.(injectors.Ticker)
		if !ok {
			continue
		}
		if err := tk.Tick(ctx, e.target(f.params), from, tick); err != nil {
			return fmt.Errorf("tick fault %s: %w", f.name, err)
		}
	}
	return nil
}
