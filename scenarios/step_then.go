package scenarios

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/firedrill/firedrill/incident"
)

// The Then sentences: what the drill is judged by.

// checkAlertDefined: an alert no loaded rule file defines can never fire,
// so "fires" could only fail and "does not fire" could only pass.
func checkAlertDefined(sc *Scenario, a Args) error {
	alert, files := a.Strings[0], ruleFilesOf(sc)
	names, ok := sc.Alerts(files)
	if !ok || slices.Contains(names, alert) {
		return nil
	}
	msg := fmt.Sprintf("alert %q is defined by no rule file of this drill", alert)
	if n := Nearest(alert, names); n != "" {
		msg += fmt.Sprintf(": did you mean %q?", n)
	}
	defined := "none"
	if len(names) > 0 {
		defined = strings.Join(names, ", ")
	}
	return fmt.Errorf("%s (defined in %s: %s); name one of those, or add the rule file that defines it with %s",
		msg, strings.Join(files, ", "), defined, usage(alertRules, "FILE"))
}

var alertFires = &Step{
	Keyword: "Then",
	Pattern: `the alert {string} fires within {duration}`,
	Example: `Then the alert "DatabaseConnectionFailure" fires within 2 minutes`,
	Check:   checkAlertDefined,
	Do: func(_ context.Context, d *Drill, a Args) error {
		return d.AlertFiresWithin(a.Strings[0], a.Durations[0])
	},
	Settled: func(d *Drill, a Args) bool { return d.firedSince(a.Strings[0]) || d.past(a.Durations[0]) },
}

var alertDoesNotFire = &Step{
	Keyword: "Then",
	Pattern: `the alert {string} does not fire`,
	Example: `Then the alert "HighErrorRate" does not fire`,
	Check:   checkAlertDefined,
	Do:      func(_ context.Context, d *Drill, a Args) error { return d.AlertDoesNotFire(a.Strings[0]) },
}

var alertNotPaged = &Step{
	Keyword: "Then",
	Pattern: `the alert {string} pages nobody`,
	Example: `Then the alert "HighErrorRate" pages nobody`,
	Check:   checkAlertDefined,
	Do:      func(_ context.Context, d *Drill, a Args) error { return d.AlertPagesNobody(a.Strings[0]) },
}

var alertIsNoise = &Step{
	Keyword: "Then",
	Pattern: `the alert {string} fires with no fault`,
	Example: `Then the alert "RedisOutOfConfiguredMaxmemory" fires with no fault`,
	Check:   checkAlertDefined,
	Do:      func(_ context.Context, d *Drill, a Args) error { return d.AlertIsNoise(a.Strings[0]) },
}

var declaredAs = &Step{
	Keyword: "Then",
	Pattern: `the incident is declared as {severity}`,
	Example: `Then the incident is declared as P1`,
	Do:      func(_ context.Context, d *Drill, a Args) error { return d.DeclaredAs(a.Severity) },
	// The declared severity is the highest of the alerts that fired until
	// resolution: it only rises, and nothing rises above P1.
	Settled: func(d *Drill, _ Args) bool {
		v := d.verdict()
		return v.Severity == incident.P1 || v.Marks.Resolved.Present
	},
}

var acknowledgedWithin = &Step{
	Keyword: "Then",
	Pattern: `the incident is acknowledged within {duration}`,
	Example: `Then the incident is acknowledged within 5 minutes`,
	Do:      func(_ context.Context, d *Drill, a Args) error { return d.AcknowledgedWithin(a.Durations[0]) },
	Settled: func(d *Drill, a Args) bool { return d.answeredSettled(incident.Acknowledged, a.Durations[0]) },
}

var recoversWithin = &Step{
	Keyword: "Then",
	Pattern: `the service recovers within {duration}`,
	Example: `Then the service recovers within 30 minutes`,
	Do:      func(_ context.Context, d *Drill, a Args) error { return d.RecoversWithin(a.Durations[0]) },
	Settled: func(d *Drill, a Args) bool { return d.answeredSettled(incident.Resolved, a.Durations[0]) },
}

var mttxAtMost = &Step{
	Keyword: "Then",
	Pattern: `{mttx} is at most {duration}`,
	Example: `Then MTTD is at most 5 minutes`,
	Do:      func(_ context.Context, d *Drill, a Args) error { return d.MTTxAtMost(a.Measure, a.Durations[0]) },
	Settled: func(d *Drill, a Args) bool { return d.mttxSettled(a.Measure, a.Durations[0]) },
}

// mttxWithinTick is the calibration drills' check: a value worked out by
// hand, measured to the clock's resolution (one tick).
var mttxWithinTick = &Step{
	Keyword: "Then",
	Pattern: `{mttx} is {duration} within one tick`,
	Example: `Then MTTD is 75 seconds within one tick`,
	Do: func(_ context.Context, d *Drill, a Args) error {
		return d.MTTxWithinTick(a.Measure, a.Durations[0])
	},
	Settled: func(d *Drill, a Args) bool { return d.mttxSettled(a.Measure, a.Durations[0]+d.engine.Clock().Tick()) },
}

var mttxNotMeasured = &Step{
	Keyword: "Then",
	Pattern: `{mttx} is not measured`,
	Example: `Then MTTA is not measured`,
	Do:      func(_ context.Context, d *Drill, a Args) error { return d.MTTxNotMeasured(a.Measure) },
	// Once measured it has failed; MTTA and MTTR are never measured when
	// nobody can answer. MTTD and time to page may come at any time.
	Settled: func(d *Drill, a Args) bool {
		return d.mttx(a.Measure).Present || (d.nobody() && answeredMeasure(a.Measure))
	},
}

var meetsTargets = &Step{
	Keyword: "Then",
	Pattern: `the drill meets its targets`,
	Example: `Then the drill meets its targets`,
	Do:      func(_ context.Context, d *Drill, _ Args) error { return d.MeetsTargets() },
	Settled: func(d *Drill, _ Args) bool { return d.scoreSettled() },
}

var noDataLost = &Step{
	Keyword: "Then",
	Pattern: `no data is lost`,
	Example: `Then no data is lost`,
	Do:      func(ctx context.Context, d *Drill, _ Args) error { return d.NoDataLost(ctx) },
}

var appPasswordRotated = &Step{
	Keyword: "Then",
	Pattern: `the app's database password is rotated`,
	Example: `Then the app's database password is rotated`,
	Do:      func(ctx context.Context, d *Drill, _ Args) error { return d.AppPasswordRotated(ctx) },
}

func init() {
	define(alertFires, alertDoesNotFire, alertNotPaged, alertIsNoise, declaredAs, acknowledgedWithin, recoversWithin, mttxAtMost, mttxWithinTick, mttxNotMeasured, meetsTargets, noDataLost,
		appPasswordRotated)
}
