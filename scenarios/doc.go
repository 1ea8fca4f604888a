// Package scenarios is the godog step library and the Drill runtime behind
// it. Each sentence of DESIGN.md's step vocabulary is one Step value in a
// step_*.go file (given, when, then): its pattern, typed arguments, static
// check and action. godog, `firedrill validate` and `firedrill list` read
// the one registry, and a run makes the same check as validation before
// the action. Actions are thin: one call on the Drill of its scenario,
// which wires the stack, monitors, injectors, pager, responders and
// timeline. Per-scenario
// state lives in the context under a private key; a Suite holds what
// scenarios share (the stack, started once per run and reset before each
// drill, and the results the reports are rendered from).
//
// Only features/ and cmd/firedrill (through internal/cli) import this
// package.
package scenarios
