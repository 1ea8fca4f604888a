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
//
// While it runs, a drill serves Prometheus' HTTP API (its samples and
// rules, at drill time) and Alertmanager's /api/v2/alerts (its pager's
// alerts), each on a free port of 127.0.0.1 from Start until Close, so a
// runbook script or a person's curl asks the drill what it would ask
// production; a playbook's shell steps get the addresses as PROMETHEUS_URL
// and ALERTMANAGER_URL. Nothing of a drill listens after Close.
package engine
