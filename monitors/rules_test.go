package monitors

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/timestamp"
	"github.com/prometheus/prometheus/rules"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
)

// shippedRules are the rule names DESIGN.md promises in the default file,
// with their severities.
var shippedRules = map[string]incident.Severity{
	"CompleteServiceOutage":     incident.P1,
	"HighErrorRate":             incident.P2,
	"DatabaseConnectionFailure": incident.P1,
	"PaymentProcessingFailure":  incident.P1,
	"SecurityBreachDetected":    incident.P1,
	"DataLossSuspected":         incident.P1,
	"PerformanceDegradation":    incident.P3,
}

// TestEveryShippedRuleFileIsValid is `promtool check rules` without
// promtool: every rules/*.yml parses with Prometheus' own rule parser,
// PromQL parser and template checks, and every alert has a known severity
// and the annotations a page shows.
func TestEveryShippedRuleFileIsValid(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("..", "rules", "*.yml"))
	require.NoError(t, err)
	require.NotEmpty(t, files, "no rule files under rules/")
	seen := map[string]incident.Severity{}
	for _, f := range files {
		groups, err := LoadRuleFiles(f)
		require.NoError(t, err, f)
		for _, g := range groups {
			for _, r := range g.Rules {
				ar, ok := r.(*rules.AlertingRule)
				if !ok {
					continue
				}
				sev, err := incident.ParseSeverity(ar.Labels().Get("severity"))
				assert.NoError(t, err, "%s: %s", f, ar.Name())
				for _, a := range []string{"summary", "description"} {
					assert.NotEmpty(t, ar.Annotations().Get(a), "%s: %s lacks annotation %s", f, ar.Name(), a)
				}
				if filepath.Base(f) == "default.rules.yml" {
					seen[ar.Name()] = sev
				}
			}
		}
	}
	assert.Equal(t, shippedRules, seen, "rules/default.rules.yml ships the documented rules")
}

func TestBadRuleFileNamesFileRuleAndLine(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := map[string]struct {
		doc  string
		want []string
	}{
		"invalid promql": {
			"groups:\n  - name: g\n    rules:\n      - alert: Fine\n        expr: up == 0\n      - alert: Broken\n        expr: sum(rate(http_requests_total[5m]) > \n",
			[]string{"broken.yml:7:", `"Broken"`, "could not parse expression"},
		},
		"bad template": {
			"groups:\n  - name: g\n    rules:\n      - alert: BadTemplate\n        expr: up == 0\n        annotations:\n          summary: \"{{ $value | nosuchfunc }}\"\n",
			[]string{"broken.yml:", `"BadTemplate"`, "nosuchfunc"},
		},
		"malformed yaml": {
			"groups:\n  - name: g\n    rules:\n      - alert: X\n        expr: [up\n",
			[]string{"broken.yml:4:", "did not find expected"},
		},
		"unknown field": {
			"groups:\n  - name: g\n    rules:\n      - alert: X\n        exp: up == 0\n",
			[]string{"broken.yml:5:", "field exp not found"},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(dir, strings.ReplaceAll(name, " ", "-"), "broken.yml")
			require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
			require.NoError(t, os.WriteFile(path, []byte(tc.doc), 0o644))
			_, err := LoadRuleFiles(path)
			require.Error(t, err)
			assert.Contains(t, err.Error(), path, "the error names the file")
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
	_, err := LoadRuleFiles(filepath.Join(dir, "missing.yml"))
	assert.ErrorContains(t, err, "missing.yml")
}

// synthetic is a rule evaluation on hand-made series, as promtool's rule
// unit tests do: series values per tick, rules evaluated at each tick.
type synthetic struct {
	t     *testing.T
	ev    *evaluator
	epoch time.Time
	query rules.QueryFunc
	trans map[time.Duration][]incident.Alert
}

func newSynthetic(t *testing.T, ruleFile string) *synthetic {
	t.Helper()
	groups, err := ParseRules("synthetic.yml", []byte(ruleFile))
	require.NoError(t, err)
	log := slog.New(slog.DiscardHandler)
	db, engine, err := openTSDB(t.TempDir(), log)
	require.NoError(t, err)
	t.Cleanup(func() { _ = engine.Close(); _ = db.Close() })
	q := rules.EngineQueryFunc(engine, db)
	return &synthetic{t: t, ev: newEvaluator(groups, q, db, log), query: q,
		epoch: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), trans: map[time.Duration][]incident.Alert{}}
}

// run appends value(d) of series at every 15 s tick up to end (no sample
// when value returns ok=false) and evaluates the rules after each append.
func (s *synthetic) run(series labels.Labels, end time.Duration, value func(d time.Duration) (float64, bool)) {
	ctx := context.Background()
	for d := time.Duration(0); d <= end; d += incident.DefaultTick {
		ts := s.epoch.Add(d)
		if v, ok := value(d); ok {
			app := s.ev.store.Appender(ctx)
			_, err := app.Append(0, series, timestamp.FromTime(ts), v)
			require.NoError(s.t, err)
			require.NoError(s.t, app.Commit())
		}
		tr, err := s.ev.eval(ctx, ts)
		require.NoError(s.t, err)
		if len(tr) > 0 {
			s.trans[d] = tr
		}
	}
}

// states is alert name → state → drill time of that transition.
func (s *synthetic) states() map[string]map[incident.AlertState]time.Duration {
	out := map[string]map[incident.AlertState]time.Duration{}
	for d, tr := range s.trans {
		for _, a := range tr {
			if out[a.Name] == nil {
				out[a.Name] = map[incident.AlertState]time.Duration{}
			}
			_, dup := out[a.Name][a.State]
			require.False(s.t, dup, "%s went %s twice", a.Name, a.State)
			out[a.Name][a.State] = d
		}
	}
	return out
}

func TestForFiresOnTheHandComputedTick(t *testing.T) {
	t.Parallel()
	s := newSynthetic(t, `
groups:
  - name: synthetic
    rules:
      - alert: Held
        expr: queue_depth > 5
        for: 5m
        labels:
          severity: P2
        annotations:
          summary: "depth {{ $value }} on {{ $labels.job }}"
      - alert: Sticky
        expr: queue_depth > 5
        for: 5m
        keep_firing_for: 1m
      - alert: Immediate
        expr: queue_depth > 5
      - alert: Blip
        expr: queue_depth > 50
        for: 1m
      - alert: OnMissingSeries
        expr: no_such_metric > 0
`)
	series := labels.FromStrings("__name__", "queue_depth", "job", "worker")
	// 0 until 2m, 10 from 2m to 10m (one spike of 100 at 3m), 0 after.
	s.run(series, 15*time.Minute, func(d time.Duration) (float64, bool) {
		switch {
		case d == 3*time.Minute:
			return 100, true
		case d >= 2*time.Minute && d < 10*time.Minute:
			return 10, true
		}
		return 0, true
	})
	// By hand: the condition first holds at the 2m tick (pending, ActiveAt
	// 2m); `for: 5m` is met at the first tick with ts-ActiveAt >= 5m, 7m;
	// the series recovers at 10m, resolving it there, and keep_firing_for
	// 1m holds Sticky until 11m. Blip's single tick never lasts its 1m.
	got := s.states()
	assert.Equal(t, map[string]map[incident.AlertState]time.Duration{
		"Held":      {incident.StatePending: 2 * time.Minute, incident.StateFiring: 7 * time.Minute, incident.StateResolved: 10 * time.Minute},
		"Sticky":    {incident.StatePending: 2 * time.Minute, incident.StateFiring: 7 * time.Minute, incident.StateResolved: 11 * time.Minute},
		"Immediate": {incident.StateFiring: 2 * time.Minute, incident.StateResolved: 10 * time.Minute},
		"Blip":      {incident.StatePending: 3 * time.Minute},
	}, got)

	var fired incident.Alert
	for _, a := range s.trans[7*time.Minute] {
		if a.Name == "Held" {
			fired = a
		}
	}
	assert.Equal(t, incident.P2, fired.Severity)
	assert.Equal(t, "depth 10 on worker", fired.Annotations["summary"], "annotations are templated as Prometheus does")
	assert.Equal(t, s.epoch.Add(2*time.Minute), fired.ActiveAt)
	assert.Equal(t, s.epoch.Add(7*time.Minute), fired.FiredAt)
	assert.Equal(t, "Held", fired.Labels["alertname"])
	assert.Equal(t, "worker", fired.Labels["job"])

	// The ALERTS series is written as Prometheus writes it, and goes stale
	// when the alert resolves.
	v, err := s.query(context.Background(), `ALERTS{alertname="Held", alertstate="firing"}`, s.epoch.Add(8*time.Minute))
	require.NoError(t, err)
	assert.Len(t, v, 1)
	v, err = s.query(context.Background(), `ALERTS{alertname="Held"}`, s.epoch.Add(10*time.Minute+30*time.Second))
	require.NoError(t, err)
	assert.Empty(t, v)
}

func TestRecordingRulesFeedAlerts(t *testing.T) {
	t.Parallel()
	s := newSynthetic(t, `
groups:
  - name: synthetic
    rules:
      - record: job:errors:rate1m
        expr: rate(errors_total[1m])
      - alert: Errors
        expr: job:errors:rate1m > 1
        for: 1m
`)
	series := labels.FromStrings("__name__", "errors_total", "job", "api")
	// A counter growing 3 per second from 5m on.
	s.run(series, 10*time.Minute, func(d time.Duration) (float64, bool) {
		if d < 5*time.Minute {
			return 0, true
		}
		return 3 * (d - 5*time.Minute).Seconds(), true
	})
	// By hand: at 5m15s the window (4m15s, 5m15s] holds 0, 0, 0, 45. A
	// counter whose first sample is 0 is not extrapolated before it, so the
	// increase is 45 over the 60 s window: a rate of 0.75, not above 1. At
	// 5m30s it is 90: 1.5. Pending there, firing one minute later.
	got := s.states()
	assert.Equal(t, map[string]map[incident.AlertState]time.Duration{
		"Errors": {incident.StatePending: 5*time.Minute + 30*time.Second, incident.StateFiring: 6*time.Minute + 30*time.Second},
	}, got)
}

// The rulefmt errors that carry no line of their own are placed at the line
// of what they quote.
func TestRuleErrorsWithoutALineNameOne(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ file, want string }{
		"repeated group": {"groups:\n- name: g\n  rules: []\n- name: g\n  rules: []",
			`f.yml:4: groupname: "g" is repeated in the same file`},
		"bad group interval": {"groups:\n- name: g\n  interval: -1m\n  rules: []",
			`f.yml:3: not a valid duration string: "-1m"`},
		"bad for": {"groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    for: 1e300h",
			`f.yml:6: unknown unit "e" in duration "1e300h"`},
		"bad annotation template": {"groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up\n    annotations: {x: '{{ .Nope'}",
			`f.yml:4: group "g", rule 1, "A": annotation "x"`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseRules("f.yml", []byte(tc.file))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "load rules: "+tc.want)
		})
	}
}
