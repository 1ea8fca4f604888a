// Package scenarios is the godog step library and the Drill runtime behind
// it. Steps are thin: each translates one sentence of DESIGN.md's step
// vocabulary into one call on the Drill of its scenario, which wires the
// stack, monitors, injectors, pager, responders and timeline. Per-scenario
// state lives in the context under a private key; a Suite holds what
// scenarios share (the stack, started once per feature and reset between
// scenarios, and the results the reports are rendered from).
//
// Only features/ and cmd/firedrill (through internal/cli) import this
// package.
package scenarios
