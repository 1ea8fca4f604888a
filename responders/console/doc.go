// Package console is the game day's web console, served by `firedrill run`
// on 127.0.0.1: a responder view (the page, firing alerts, the stack's
// health, the incident's timeline, who holds which role, and every action
// people take) and a facilitator view (the ground truth and the drill's
// controls), updated live with server-sent events. Every request carries
// the run's token for its view; the CLI (`firedrill ack`, `update`, …)
// speaks the same JSON API.
package console
