package console

import (
	"context"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/scorer"
)

// Drill is the running game day as the console sees it. The run
// (scenarios) implements it for the drill that has people on call; the
// console's Current returns nil between such drills.
type Drill interface {
	// Name is the scenario's name.
	Name() string
	// Team is the people on call: their page, roles and actions.
	Team() *responders.Team
	// Timeline is the drill's record; the console streams what responders
	// may see of it (never the fault: that is the facilitator's).
	Timeline() *incident.Timeline
	// Board is the stack's health now, from the drill's own metrics.
	Board(ctx context.Context) Board
	// Truth is the ground truth only the facilitator sees.
	Truth() Truth
	// Inject injects another fault at the next tick (facilitator).
	Inject(name string, params map[string]string) error
	// Abort stops the drill: every fault is recovered and the drill is
	// reported aborted, not scored.
	Abort(reason string)
	// Close ends the game day once the incident is resolved: the drill
	// stops waiting for the post-mortem.
	Close()
	// PostmortemDraft is the playbook's post-mortem template filled in
	// from seen, the milestones the responders may see (markdown): what the
	// post-mortem form starts from. It must not reveal more than seen.
	PostmortemDraft(seen []incident.Milestone) string
}

// Board is the stack's health as the responders' view shows it.
type Board struct {
	// At is the drill time it was read ("T+12m30s").
	At string `json:"at"`
	// Checks are app health, the database and Redis, each up or down.
	Checks []Check `json:"checks"`
	// ErrorRate is the share of requests failing (0..1), LatencyP95 the
	// 95th percentile latency in seconds; nil when not known yet.
	ErrorRate  *float64 `json:"error_rate,omitempty"`
	LatencyP95 *float64 `json:"latency_p95_seconds,omitempty"`
}

// Check is one component's state on the board.
type Check struct {
	Name string `json:"name"`
	// State is "up", "down" or "unknown".
	State  string `json:"state"`
	Detail string `json:"detail,omitempty"`
}

// Truth is what the facilitator sees and the responders must not.
type Truth struct {
	// Faults are the faults injected so far, with their parameters and
	// drill time.
	Faults []Fault `json:"faults"`
	// T0 is the first fault's drill time ("" before any).
	T0 string `json:"t0,omitempty"`
	// Verdict is the score as it stands now (nil before the fault).
	Verdict *scorer.Verdict `json:"verdict,omitempty"`
	// Injectable are the faults the facilitator may inject.
	Injectable []string `json:"injectable"`
}

// Fault is one injected fault.
type Fault struct {
	Name   string            `json:"name"`
	Params map[string]string `json:"params,omitempty"`
	At     string            `json:"at"`
}
