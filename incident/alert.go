package incident

import "time"

// AlertState is where an alert rule's alert stands, as Prometheus names it.
type AlertState string

// Alert states.
const (
	StatePending  AlertState = "pending"
	StateFiring   AlertState = "firing"
	StateResolved AlertState = "resolved"
)

// Alert is one alert of one rule (one label set) at a transition: what the
// monitors hand the pager. Times are drill timestamps.
type Alert struct {
	Name        string            `json:"name"`
	State       AlertState        `json:"state"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations,omitempty"`
	// Severity is read from the "severity" label (P1..P4); unknown if absent.
	Severity Severity  `json:"severity"`
	ActiveAt time.Time `json:"active_at"`
	FiredAt  time.Time `json:"fired_at,omitzero"`
	// ResolvedAt is set on the resolved transition.
	ResolvedAt time.Time `json:"resolved_at,omitzero"`
	Value      float64   `json:"value"`
	// Expr is the rule's PromQL expression.
	Expr string `json:"expr,omitempty"`
}
