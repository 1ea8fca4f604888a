package scenarios

import (
	"context"
)

// The Given sentences: the drill's setup, before any fault.

var stackRunning = &Step{
	Keyword: "Given",
	Pattern: `the stack is running`,
	Example: `Given the stack is running`,
	Do:      func(ctx context.Context, d *Drill, _ Args) error { return d.StackRunning(ctx) },
}

var alertRules = &Step{
	Keyword: "Given",
	Pattern: `the alert rules in {string}`,
	Example: `Given the alert rules in "rules/default.rules.yml"`,
	Check:   func(sc *Scenario, a Args) error { return sc.RuleFile(a.Strings[0]) },
	Do:      func(_ context.Context, d *Drill, a Args) error { return d.AddRuleFile(a.Strings[0]) },
}

var steadyTraffic = &Step{
	Keyword: "Given",
	Pattern: `steady traffic of {number} requests? per second`,
	Example: `Given steady traffic of 20 requests per second`,
	Do:      func(_ context.Context, d *Drill, a Args) error { return d.SetTraffic(a.Numbers[0]) },
}

var runsPlaybook = &Step{
	Keyword: "Given",
	Pattern: `the on-call responder runs playbook {string}`,
	Example: `Given the on-call responder runs playbook "db-recovery"`,
	Check:   func(sc *Scenario, a Args) error { return sc.Playbook(a.Strings[0]) },
	Do:      func(_ context.Context, d *Drill, a Args) error { return d.SetPlaybook(a.Strings[0]) },
}

var acknowledgesAfter = &Step{
	Keyword: "Given",
	Pattern: `the on-call responder acknowledges after {duration}`,
	Example: `Given the on-call responder acknowledges after 3 minutes`,
	Do:      func(_ context.Context, d *Drill, a Args) error { return d.SetThinkTime(a.Durations[0]) },
}

var isPerson = &Step{
	Keyword: "Given",
	Pattern: `the on-call responder is a person`,
	Example: `Given the on-call responder is a person`,
	Do:      func(_ context.Context, d *Drill, _ Args) error { return d.SetPerson() },
}

func init() {
	define(stackRunning, alertRules, steadyTraffic, runsPlaybook, acknowledgesAfter, isPerson)
}
