package injectors

import (
	"context"

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
