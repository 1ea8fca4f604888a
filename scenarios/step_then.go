package scenarios

import (
	"context"
)

// The Then sentences: what the drill is judged by.

var alertFires = &Step{
	Keyword: "Then",
	Pattern: `the alert {string} fires within {duration}`,
	Example: `Then the alert "DatabaseConnectionFailure" fires within 2 minutes`,
	Do: func(_ context.Context, d *Drill, a Args) error {
		return d.AlertFiresWithin(a.Strings[0], a.Durations[0])
	},
}

var alertDoesNotFire = &Step{
	Keyword: "Then",
	Pattern: `the alert {string} does not fire`,
	Example: `Then the alert "HighErrorRate" does not fire`,
	Do:      func(_ context.Context, d *Drill, a Args) error { return d.AlertDoesNotFire(a.Strings[0]) },
}

var declaredAs = &Step{
	Keyword: "Then",
	Pattern: `the incident is declared as {severity}`,
	Example: `Then the incident is declared as P1`,
	Do:      func(_ context.Context, d *Drill, a Args) error { return d.DeclaredAs(a.Severity) },
}

var acknowledgedWithin = &Step{
	Keyword: "Then",
	Pattern: `the incident is acknowledged within {duration}`,
	Example: `Then the incident is acknowledged within 5 minutes`,
	Do:      func(_ context.Context, d *Drill, a Args) error { return d.AcknowledgedWithin(a.Durations[0]) },
}

var recoversWithin = &Step{
	Keyword: "Then",
	Pattern: `the service recovers within {duration}`,
	Example: `Then the service recovers within 30 minutes`,
	Do:      func(_ context.Context, d *Drill, a Args) error { return d.RecoversWithin(a.Durations[0]) },
}

var mttxAtMost = &Step{
	Keyword: "Then",
	Pattern: `{mttx} is at most {duration}`,
	Example: `Then MTTD is at most 5 minutes`,
	Do:      func(_ context.Context, d *Drill, a Args) error { return d.MTTxAtMost(a.Measure, a.Durations[0]) },
}

var meetsTargets = &Step{
	Keyword: "Then",
	Pattern: `the drill meets its targets`,
	Example: `Then the drill meets its targets`,
	Do:      func(_ context.Context, d *Drill, _ Args) error { return d.MeetsTargets() },
}

var noDataLost = &Step{
	Keyword: "Then",
	Pattern: `no data is lost`,
	Example: `Then no data is lost`,
	Do:      func(ctx context.Context, d *Drill, _ Args) error { return d.NoDataLost(ctx) },
}

func init() {
	define(alertFires, alertDoesNotFire, declaredAs, acknowledgedWithin, recoversWithin, mttxAtMost, meetsTargets, noDataLost)
}
