package injectors

import (
	"context"
	"time"

	"github.com/firedrill/firedrill/stack"
)

// Injector is one fault. See the package documentation for the contract.
type Injector interface {
	// Inject starts the fault. It returns once the fault is in effect.
	Inject(ctx context.Context, t Target) error
	// Recover undoes the fault; it is safe to call twice and after a failed
	// or partial Inject.
	Recover(ctx context.Context, t Target) error
}

// Target is what a fault acts on: the running stack and the feature's table.
type Target struct {
	// Env is the running stack (connections, service handles, app URL).
	Env *stack.Env
	// Params is the feature's table as written. New has already decoded it
	// into the injector's fields; it is here for faults that want the raw
	// text (to report it, say).
	Params map[string]string
	// Rate is the drill's steady traffic in requests per second of drill
	// time (0: none), for faults whose load is a multiple of it.
	Rate float64
}

// Describer is an optional ability: one sentence that `firedrill list`
// prints beside the fault's name.
type Describer interface {
	Description() string
}

// Validator is an optional ability: checks that span fields or need more
// than a range, run by New after decoding, so bad input is still found
// before anything starts.
type Validator interface {
	Validate() error
}

// Ticker is an optional ability: a fault that is load of its own (a
// surge's extra requests, an attack's failed logins) sends it each tick,
// as the drill's steady traffic is sent, rather than all at Inject. While
// the fault is injected the drill calls Tick between ticks with the drill
// timestamp the next tick's interval starts at and its length: the load
// for that interval, sent before the tick's scrape counts it. Requests
// carry the drill time they stand for in their Date header, as the steady
// traffic's do. An unanswered request is the fault's effect, not an
// error: Tick fails only when ctx ends.
type Ticker interface {
	Tick(ctx context.Context, t Target, from time.Time, tick time.Duration) error
}
