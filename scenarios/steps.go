package scenarios

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/cucumber/godog"

	"github.com/firedrill/firedrill/incident"
)

// dur is the pattern of a duration in a sentence: "2 minutes", "90s", "1h30m".
const dur = `(\d+(?:\.\d+)?(?:\s*[a-z]+)(?:\s+\d+(?:\.\d+)?\s*[a-z]+)*|\d+(?:\.\d+)?(?:h|m|s|ms)(?:\d+(?:\.\d+)?(?:h|m|s|ms))*)`

// StepDef is one sentence of the vocabulary: its pattern (godog matches
// the step text against it) and a short description for `firedrill list`.
type StepDef struct {
	Keyword string
	Pattern string
	Example string
	fn      any
}

// Regexp is the compiled pattern.
func (s StepDef) Regexp() *regexp.Regexp { return regexp.MustCompile(s.Pattern) }

// Steps is the step vocabulary: a public API, so these sentences keep
// working as written.
func Steps() []StepDef {
	return []StepDef{
		{"Given", `^the stack is running$`, `Given the stack is running`, stackRunning},
		{"Given", `^the alert rules in "([^"]+)"$`, `Given the alert rules in "rules/default.rules.yml"`, alertRules},
		{"Given", `^steady traffic of (\d+(?:\.\d+)?) requests? per second$`, `Given steady traffic of 20 requests per second`, steadyTraffic},
		{"Given", `^the on-call responder runs playbook "([^"]+)"$`, `Given the on-call responder runs playbook "db-recovery"`, responderRuns},
		{"Given", `^the on-call responder acknowledges after ` + dur + `$`, `Given the on-call responder acknowledges after 3 minutes`, responderAcks},
		{"Given", `^the on-call responder is a person$`, `Given the on-call responder is a person`, responderIsPerson},
		{"When", `^the fault "([^"]+)" is injected$`, `When the fault "db-pool-exhaustion" is injected`, faultInjected},
		{"When", `^the fault "([^"]+)" is injected with:$`, `When the fault "data-deletion" is injected with: (a | parameter | value | table)`, faultInjectedWith},
		{"When", `^the drill runs until the incident is resolved or ` + dur + ` pass(?:es)?$`, `When the drill runs until the incident is resolved or 45 minutes pass`, drillRuns},
		{"Then", `^the alert "([^"]+)" fires within ` + dur + `$`, `Then the alert "DatabaseConnectionFailure" fires within 2 minutes`, alertFiresWithin},
		{"Then", `^the alert "([^"]+)" does not fire$`, `Then the alert "HighErrorRate" does not fire`, alertDoesNotFire},
		{"Then", `^the incident is declared as (P[1-4])$`, `Then the incident is declared as P1`, declaredAs},
		{"Then", `^the incident is acknowledged within ` + dur + `$`, `Then the incident is acknowledged within 5 minutes`, acknowledgedWithin},
		{"Then", `^the service recovers within ` + dur + `$`, `Then the service recovers within 30 minutes`, recoversWithin},
		{"Then", `^(MTTD|MTTA|MTTR) is at most ` + dur + `$`, `Then MTTD is at most 5 minutes`, mttxAtMost},
		{"Then", `^the drill meets its targets$`, `Then the drill meets its targets`, meetsTargets},
		{"Then", `^no data is lost$`, `Then no data is lost`, noDataLost},
	}
}

// register adds every step to a scenario context.
func register(sc *godog.ScenarioContext) {
	for _, s := range Steps() {
		sc.Step(s.Pattern, s.fn)
	}
}

func parseDur(s string) (time.Duration, error) {
	d, err := incident.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("step: %w", err)
	}
	return d, nil
}

func stackRunning(ctx context.Context) error { return drillOf(ctx).StackRunning(ctx) }

func alertRules(ctx context.Context, path string) error { return drillOf(ctx).AddRuleFile(path) }

func steadyTraffic(ctx context.Context, rps string) error {
	r, err := strconv.ParseFloat(rps, 64)
	if err != nil {
		return fmt.Errorf("step: rate %q: %w", rps, err)
	}
	return drillOf(ctx).SetTraffic(r)
}

func responderRuns(ctx context.Context, playbook string) error {
	return drillOf(ctx).SetPlaybook(playbook)
}

func responderIsPerson(ctx context.Context) error { return drillOf(ctx).SetPerson() }

func responderAcks(ctx context.Context, after string) error {
	d, err := parseDur(after)
	if err != nil {
		return err
	}
	return drillOf(ctx).SetThinkTime(d)
}

func faultInjected(ctx context.Context, name string) error {
	return drillOf(ctx).Inject(ctx, name, nil)
}

func faultInjectedWith(ctx context.Context, name string, table *godog.Table) error {
	params, err := tableParams(table)
	if err != nil {
		return err
	}
	return drillOf(ctx).Inject(ctx, name, params)
}

// tableParams reads a two-column table of parameter and value. A header
// row "| parameter | value |" is allowed and skipped.
func tableParams(table *godog.Table) (map[string]string, error) {
	params := map[string]string{}
	if table == nil {
		return params, nil
	}
	for i, row := range table.Rows {
		if len(row.Cells) != 2 {
			return nil, fmt.Errorf("step: table row %d: want two cells, parameter and value", i+1)
		}
		k, v := row.Cells[0].Value, row.Cells[1].Value
		if i == 0 && k == "parameter" && v == "value" {
			continue
		}
		if _, dup := params[k]; dup {
			return nil, fmt.Errorf("step: table: parameter %q given twice", k)
		}
		params[k] = v
	}
	return params, nil
}

func drillRuns(ctx context.Context, limit string) error {
	d, err := parseDur(limit)
	if err != nil {
		return err
	}
	return drillOf(ctx).RunUntilResolved(ctx, d)
}

func alertFiresWithin(ctx context.Context, alert, within string) error {
	d, err := parseDur(within)
	if err != nil {
		return err
	}
	return drillOf(ctx).AlertFiresWithin(alert, d)
}

func alertDoesNotFire(ctx context.Context, alert string) error {
	return drillOf(ctx).AlertDoesNotFire(alert)
}

func declaredAs(ctx context.Context, sev string) error {
	s, err := incident.ParseSeverity(sev)
	if err != nil {
		return err
	}
	return drillOf(ctx).DeclaredAs(s)
}

func acknowledgedWithin(ctx context.Context, within string) error {
	d, err := parseDur(within)
	if err != nil {
		return err
	}
	return drillOf(ctx).AcknowledgedWithin(d)
}

func recoversWithin(ctx context.Context, within string) error {
	d, err := parseDur(within)
	if err != nil {
		return err
	}
	return drillOf(ctx).RecoversWithin(d)
}

func mttxAtMost(ctx context.Context, which, most string) error {
	d, err := parseDur(most)
	if err != nil {
		return err
	}
	return drillOf(ctx).MTTxAtMost(which, d)
}

func meetsTargets(ctx context.Context) error { return drillOf(ctx).MeetsTargets() }

func noDataLost(ctx context.Context) error { return drillOf(ctx).NoDataLost(ctx) }
