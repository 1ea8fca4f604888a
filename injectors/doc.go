// Package injectors holds the faults a drill injects, one file per fault, and
// the registry that finds them by the name a feature uses.
//
// # Contract
//
// A fault is an Injector: Inject starts it against a running stack and
// Recover undoes it. Recover is idempotent (calling it twice is harmless) and
// safe after a failed or half-done Inject, because a drill that is
// interrupted must still recover every fault it started. A failed Inject may
// leave part of its fault in place: the caller always follows it with
// Recover. Injectors only act: the drill runtime records the FaultInjected
// and FaultRecovered milestones around the calls.
//
// # Registry
//
// Each fault registers itself from its file's init:
//
//	func init() { Register("error-spike", func() Injector { return new(ErrorSpike) }) }
//
// The factory returns a pointer to a struct whose exported fields tagged
// `param:"name"` are the fault's parameters, as toxiproxy's toxics are:
//
//	Percent int `param:"percent" default:"50" min:"0" max:"100" help:"share of requests that fail"`
//
// A parameter without a default runs with its zero value; its `zero` tag
// says what that means (`zero:"every API endpoint"`), so `firedrill list`
// shows what a drill gets rather than a placeholder.
//
// New decodes a feature's table into those fields: defaults first, the
// table over them; an unknown parameter or a bad value is an error (wrapping
// ErrBadParam) that names the parameter, the value and what is allowed. So
// `firedrill validate` finds bad input without starting a stack. Optional
// abilities are small interfaces: Describer (a sentence for `firedrill
// list`) and Validator (checks across fields, after decoding).
package injectors
