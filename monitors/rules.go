package monitors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/model/timestamp"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/rules"
	"github.com/prometheus/prometheus/storage"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/internal/defaults"
)

// promParser is the PromQL dialect of rules and queries: Prometheus' default
// one, so a rule that loads here loads in the team's Prometheus too.
var promParser = parser.NewParser(parser.Options{})

// RuleGroup is one group of a rule file, with the rules built for
// evaluation.
type RuleGroup struct {
	File        string
	Name        string
	Interval    time.Duration // 0: every tick
	QueryOffset time.Duration
	Limit       int
	Rules       []rules.Rule
}

// LoadRuleFiles parses Prometheus rule files as Prometheus does (rulefmt,
// the PromQL parser, the template checks). Every problem of every file is
// reported, each naming its file, line, group and rule. A relative path that
// is not on disk reads the rule file of that path firedrill ships
// (rules/default.rules.yml), so drills run in any repository.
func LoadRuleFiles(files ...string) ([]*RuleGroup, error) {
	var groups []*RuleGroup
	var errs []error
	for _, f := range files {
		data, err := defaults.ReadFile(f)
		if err != nil {
			errs = append(errs, fmt.Errorf("load rules: %w", err))
			continue
		}
		gs, err := ParseRules(f, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		groups = append(groups, gs...)
	}
	return groups, errors.Join(errs...)
}

// ParseRules parses one rule file's content; name is used in errors.
func ParseRules(name string, data []byte) ([]*RuleGroup, error) {
	rgs, perrs := rulefmt.Parse(data, false, model.UTF8Validation, promParser, slog.New(slog.DiscardHandler))
	if len(perrs) > 0 {
		var errs []error
		seen := map[string]bool{} // rulefmt reports a YAML error twice
		for _, e := range perrs {
			for _, msg := range ruleErrorLines(e, data) {
				if !seen[msg] {
					seen[msg] = true
					errs = append(errs, fmt.Errorf("load rules: %s:%s", name, msg))
				}
			}
		}
		return nil, errors.Join(errs...)
	}
	var groups []*RuleGroup
	for _, rg := range rgs.Groups {
		g := &RuleGroup{File: name, Name: rg.Name, Interval: time.Duration(rg.Interval), Limit: rg.Limit}
		if rg.QueryOffset != nil {
			g.QueryOffset = time.Duration(*rg.QueryOffset)
		}
		for _, r := range rg.Rules {
			expr, err := promParser.ParseExpr(r.Expr)
			if err != nil { // rulefmt has checked it; kept for safety
				return nil, fmt.Errorf("load rules: %s: group %q, rule %q: %w", name, rg.Name, r.Alert+r.Record, err)
			}
			lbls := rules.FromMaps(rg.Labels, r.Labels)
			if r.Alert != "" {
				// restored=true: there is no earlier state to restore, and
				// Eval then returns the ALERTS series, which are stored.
				g.Rules = append(g.Rules, rules.NewAlertingRule(r.Alert, expr, time.Duration(r.For), time.Duration(r.KeepFiringFor),
					lbls, labels.FromMap(r.Annotations), labels.EmptyLabels(), "", true, slog.New(slog.DiscardHandler)))
				continue
			}
			g.Rules = append(g.Rules, rules.NewRecordingRule(r.Record, expr, lbls))
		}
		groups = append(groups, g)
	}
	return groups, nil
}

// yamlLineRe matches yaml.v3's "line N: message".
var yamlLineRe = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// ruleErrorLines turns one rulefmt error into "LINE[:COL]: message" lines:
// rulefmt's own errors start with line:column already; yaml.v3's say
// "line N:" inside, one problem a line. The few rulefmt errors without a
// line (a repeated group name, a bad duration or template, "0:0") are
// placed at the line of the rule, group or value they quote.
func ruleErrorLines(err error, data []byte) []string {
	var out []string
	for _, l := range strings.Split(err.Error(), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l == "yaml: unmarshal errors:" || l == "unmarshal errors:" {
			continue
		}
		if m := yamlLineRe.FindStringSubmatch(l); m != nil {
			out = append(out, m[1]+": "+m[2])
			continue
		}
		l = strings.TrimPrefix(l, "0:0: ")
		if posRe.MatchString(l) {
			out = append(out, l)
			continue
		}
		out = append(out, strconv.Itoa(quotedLine(l, data))+": "+l)
	}
	return out
}

var (
	// posRe matches rulefmt's "LINE:COL: " with a real line.
	posRe = regexp.MustCompile(`^[1-9]\d*:\d+: `)
	// quotedRe finds the names and values an error message quotes.
	quotedRe = regexp.MustCompile(`"([^"]+)"`)
)

// quotedLine is the line of the file where a name or value that msg
// quotes is a key or a value: the last quoted first (rulefmt names the group,
// then the rule, then the field), at its last occurrence for a repeated
// name and its first otherwise; 1 when the file has none of them.
func quotedLine(msg string, data []byte) int {
	lines := strings.Split(string(data), "\n")
	qs := quotedRe.FindAllStringSubmatch(msg, -1)
	repeated := strings.Contains(msg, "repeated")
	for i := len(qs) - 1; i >= 0; i-- {
		for j := range lines {
			n := j
			if repeated {
				n = len(lines) - 1 - j
			}
			t := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(lines[n]), "- "))
			key, val, _ := strings.Cut(t, ":")
			if key == qs[i][1] || strings.Trim(strings.TrimSpace(val), `"'`) == qs[i][1] {
				return n + 1
			}
		}
	}
	return 1
}

// alertKey identifies one alert of one rule across evaluations.
type alertKey struct {
	rule   int
	labels uint64
}

// evaluator runs rule groups against a storage at drill timestamps and
// turns the rules' alert states into transitions.
type evaluator struct {
	groups []*RuleGroup
	query  rules.QueryFunc
	store  storage.Appendable
	log    *slog.Logger
	// severities read each alert's severity label.
	severities incident.SeverityLabels
	lastRun    map[*RuleGroup]time.Time
	// prev is each alert's state after the last evaluation.
	prev map[alertKey]incident.AlertState
	// outputs are each rule's series of the last evaluation, for staleness.
	outputs map[rules.Rule]map[uint64]labels.Labels
	errors  atomic.Int64
}

func newEvaluator(groups []*RuleGroup, query rules.QueryFunc, store storage.Appendable, log *slog.Logger) *evaluator {
	return &evaluator{
		groups: groups, query: query, store: store, log: log, severities: incident.DefaultSeverityLabels(),
		lastRun: map[*RuleGroup]time.Time{},
		prev:    map[alertKey]incident.AlertState{},
		outputs: map[rules.Rule]map[uint64]labels.Labels{},
	}
}

// eval evaluates every group due at ts, in file order and rule order, as a
// Prometheus rule group does: each rule's output (recorded series, ALERTS)
// is committed before the next rule runs, and a series a rule no longer
// produces gets a stale marker. It returns the transitions at ts.
func (e *evaluator) eval(ctx context.Context, ts time.Time) ([]incident.Alert, error) {
	var out []incident.Alert
	idx := 0
	for _, g := range e.groups {
		due := g.Interval <= 0 || e.lastRun[g].IsZero() || ts.Sub(e.lastRun[g]) >= g.Interval
		if due {
			e.lastRun[g] = ts
		}
		for _, r := range g.Rules {
			i := idx
			idx++
			if !due {
				continue
			}
			if err := ctx.Err(); err != nil {
				return out, err
			}
			// As a Prometheus rule group does, so /api/v1/rules shows when
			// each rule last ran (in drill time) and for how long.
			start := time.Now()
			vec, err := r.Eval(ctx, g.QueryOffset, ts, e.query, nil, g.Limit)
			r.SetEvaluationTimestamp(ts)
			r.SetEvaluationDuration(time.Since(start))
			if err != nil {
				if ctx.Err() != nil {
					return out, ctx.Err()
				}
				e.errors.Add(1)
				r.SetHealth(rules.HealthBad)
				r.SetLastError(err)
				e.log.Warn("rule evaluation failed", "file", g.File, "group", g.Name, "rule", r.Name(), "err", err)
				// As Prometheus: a failed rule's series are left alone.
				continue
			}
			r.SetHealth(rules.HealthGood)
			r.SetLastError(nil)
			if err := e.write(ctx, r, vec, ts.Add(-g.QueryOffset)); err != nil {
				return out, err
			}
			if ar, ok := r.(*rules.AlertingRule); ok {
				out = append(out, e.transitions(i, ar)...)
			}
		}
	}
	return out, nil
}

// write appends a rule's output and stale markers for what it dropped.
func (e *evaluator) write(ctx context.Context, r rules.Rule, vec promql.Vector, ts time.Time) error {
	app := e.store.Appender(ctx)
	now := make(map[uint64]labels.Labels, len(vec))
	for _, s := range vec {
		now[s.Metric.Hash()] = s.Metric
		if _, err := app.Append(0, s.Metric, s.T, s.F); err != nil && !tolerable(err) {
			_ = app.Rollback()
			return fmt.Errorf("store rule output: %w", err)
		}
	}
	t := timestamp.FromTime(ts)
	for h, l := range e.outputs[r] {
		if _, ok := now[h]; !ok {
			if _, err := app.Append(0, l, t, math.Float64frombits(value.StaleNaN)); err != nil && !tolerable(err) {
				_ = app.Rollback()
				return fmt.Errorf("store rule output: %w", err)
			}
		}
	}
	e.outputs[r] = now
	if err := app.Commit(); err != nil {
		return fmt.Errorf("store rule output: %w", err)
	}
	return nil
}

// tolerable are append errors Prometheus' own scrape and rule loops count
// and skip: one bad sample must not lose the rest.
func tolerable(err error) bool {
	return errors.Is(err, storage.ErrOutOfOrderSample) || errors.Is(err, storage.ErrDuplicateSampleForTimestamp) ||
		errors.Is(err, storage.ErrOutOfBounds) || errors.Is(err, storage.ErrTooOldSample)
}

// transitions compares the rule's alerts with their state after the last
// evaluation.
func (e *evaluator) transitions(rule int, r *rules.AlertingRule) []incident.Alert {
	var out []incident.Alert
	seen := map[alertKey]bool{}
	r.ForEachActiveAlert(func(a *rules.Alert) {
		k := alertKey{rule, a.Labels.Hash()}
		seen[k] = true
		before := e.prev[k]
		var now incident.AlertState
		switch a.State {
		case rules.StatePending:
			now = incident.StatePending
		case rules.StateFiring:
			now = incident.StateFiring
		default:
			now = incident.StateResolved
		}
		e.prev[k] = now
		if now == before || now == incident.StateResolved && before != incident.StateFiring {
			return
		}
		out = append(out, e.toAlert(r, a, now))
	})
	for k := range e.prev {
		// A pending alert that cleared is gone from the rule; forget it.
		if k.rule == rule && !seen[k] {
			delete(e.prev, k)
		}
	}
	slices.SortFunc(out, func(a, b incident.Alert) int {
		return labels.Compare(labels.FromMap(a.Labels), labels.FromMap(b.Labels))
	})
	return out
}

// active lists the alerts pending or firing now, in rule order.
func (e *evaluator) active() []incident.Alert {
	var out []incident.Alert
	for _, g := range e.groups {
		for _, r := range g.Rules {
			ar, ok := r.(*rules.AlertingRule)
			if !ok {
				continue
			}
			for _, a := range ar.ActiveAlerts() {
				st := incident.StatePending
				if a.State == rules.StateFiring {
					st = incident.StateFiring
				}
				out = append(out, e.toAlert(ar, a, st))
			}
		}
	}
	return out
}

func (e *evaluator) toAlert(r *rules.AlertingRule, a *rules.Alert, st incident.AlertState) incident.Alert {
	return incident.Alert{
		Name: r.Name(), State: st, Labels: a.Labels.Map(), Annotations: a.Annotations.Map(),
		Severity: e.severities.Of(a.Labels.Get("severity")), Expr: r.Query().String(),
		ActiveAt: a.ActiveAt, FiredAt: a.FiredAt, ResolvedAt: a.ResolvedAt, Value: a.Value,
	}
}

// LongestFor is the longest `for:` of the groups' alerting rules: how long
// a rule that fires on a healthy stack may take to show itself.
func LongestFor(groups []*RuleGroup) time.Duration {
	var d time.Duration
	for _, g := range groups {
		for _, r := range g.Rules {
			if ar, ok := r.(*rules.AlertingRule); ok {
				d = max(d, ar.HoldDuration())
			}
		}
	}
	return d
}
