// Package engine runs one drill: it wires the stack, the drill clock and
// timeline, monitoring (traffic, scrapes, rules), the pager with the
// team's routing, the responder and the injected faults, warms up, and
// ticks until the incident is resolved or a limit of drill time passes.
//
// Contract: it is the project's one tick loop. The godog steps
// (scenarios), `firedrill watch` and `firedrill lint` are thin users of an
// Engine; they never tick monitoring themselves. Everything that happens
// goes to the Engine's timeline, which is all a caller reads back. Faults
// injected through an Engine are recovered by Recover, in reverse order,
// also after a cancelled context.
package engine
