// Package incident is the shared vocabulary of a drill: severities,
// milestones, the timeline every actor writes to, and the drill clock. It
// imports no other package of firedrill, so every package may use it.
package incident
