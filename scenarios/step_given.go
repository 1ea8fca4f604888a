package scenarios

import (
	"context"
	"fmt"
	"strconv"
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

// ruleFilesOf are the rule files a drill of the scenario evaluates: its
// "alert rules in" files, found as the run finds them, else the
// configuration's. A file not found stays as written: its own step says so.
func ruleFilesOf(sc *Scenario) []string {
	var files []string
	for _, a := range sc.With(alertRules) {
		p, err := resolvePath(sc.feature, "rule file", a.Strings[0])
		if err != nil {
			p = a.Strings[0]
		}
		files = append(files, p)
	}
	if len(files) == 0 {
		files = sc.Config().Monitoring.RuleFiles
	}
	return files
}

var alertmanagerConfig = &Step{
	Keyword: "Given",
	Pattern: `the Alertmanager configuration in {string}`,
	Example: `Given the Alertmanager configuration in "alerting/alertmanager.yml"`,
	Check:   func(sc *Scenario, a Args) error { return sc.Routing(a.Strings[0]) },
	Do:      func(_ context.Context, d *Drill, a Args) error { return d.SetAlertmanagerConfig(a.Strings[0]) },
}

var steadyTraffic = &Step{
	Keyword: "Given",
	Pattern: `steady traffic of {number} requests? per second`,
	Example: `Given steady traffic of 20 requests per second`,
	Check: func(sc *Scenario, a Args) error {
		rps := a.Numbers[0]
		if rps <= MaxTrafficRate {
			return nil
		}
		tick := sc.Config().Monitoring.Interval.D()
		return fmt.Errorf("steady traffic of %s requests per second is above the bound of %d: the traffic generator sends "+
			"every tick's requests for real on this machine (%d per second × a %s tick = %.0f requests a tick), and must not "+
			"become the fault; give at most %d",
			strconv.FormatFloat(rps, 'f', -1, 64), MaxTrafficRate, MaxTrafficRate, tick, MaxTrafficRate*tick.Seconds(), MaxTrafficRate)
	},
	Do: func(_ context.Context, d *Drill, a Args) error { return d.SetTraffic(a.Numbers[0]) },
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
	// The think time is the playbook runner's: a person acknowledges when
	// they answer, and nobody never does, so without a playbook the step
	// would be silently ignored.
	Check: func(sc *Scenario, a Args) error {
		if len(sc.With(runsPlaybook)) > 0 {
			return nil
		}
		why := "nobody answers its pages"
		if len(sc.With(isPerson)) > 0 {
			why = "a person acknowledges when they answer"
		}
		return fmt.Errorf("think time without a playbook: no on-call responder of this scenario runs a playbook (%s), "+
			"so this step would be ignored; add %s or remove this step", why, usage(runsPlaybook, "NAME"))
	},
	Do: func(_ context.Context, d *Drill, a Args) error { return d.SetThinkTime(a.Durations[0]) },
}

var isPerson = &Step{
	Keyword: "Given",
	Pattern: `the on-call responder is a person`,
	Example: `Given the on-call responder is a person`,
	// One answer to "who is on call": the run would refuse the second at
	// the drill's start; validate says so first.
	Check: func(sc *Scenario, _ Args) error {
		if len(sc.With(runsPlaybook)) > 0 {
			return fmt.Errorf("the on-call responder is a person: the scenario also says %s; choose one",
				usage(runsPlaybook, "NAME"))
		}
		return nil
	},
	Do: func(_ context.Context, d *Drill, _ Args) error { return d.SetPerson() },
}

func init() {
	define(stackRunning, alertRules, alertmanagerConfig, steadyTraffic, runsPlaybook, acknowledgesAfter, isPerson)
}
