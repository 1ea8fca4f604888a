package monitors

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/rules"
)

// Unscraped is an alerting rule that cannot fire here: its expression
// reads metrics that no scrape or probe of this stack has stored.
type Unscraped struct {
	Rule, File string
	// Missing are the metric names never seen, sorted.
	Missing []string
}

// Unscraped lists the alerting rules whose expression names a metric this
// drill's monitoring never stored (so far): they would never fire on this
// stack, whatever the fault. A rule that reads only series it builds
// (vector(1), time()) names no metric and is not listed.
func (m *Monitor) Unscraped(ctx context.Context) ([]Unscraped, error) {
	q, err := m.db.Querier(math.MinInt64, math.MaxInt64)
	if err != nil {
		return nil, fmt.Errorf("list stored metrics: %w", err)
	}
	defer q.Close()
	names, _, err := q.LabelValues(ctx, labels.MetricName, nil)
	if err != nil {
		return nil, fmt.Errorf("list stored metrics: %w", err)
	}
	var out []Unscraped
	for _, g := range m.eval.groups {
		for _, r := range g.Rules {
			ar, ok := r.(*rules.AlertingRule)
			if !ok {
				continue
			}
			var missing []string
			for _, n := range metricNames(ar.Query()) {
				if !slices.Contains(names, n) && !slices.Contains(missing, n) {
					missing = append(missing, n)
				}
			}
			if len(missing) > 0 {
				slices.Sort(missing)
				out = append(out, Unscraped{Rule: ar.Name(), File: g.File, Missing: missing})
			}
		}
	}
	return out, nil
}

// metricNames are the metric names an expression selects by name.
func metricNames(expr parser.Expr) []string {
	var out []string
	parser.Inspect(expr, func(node parser.Node, _ []parser.Node) error {
		vs, ok := node.(*parser.VectorSelector)
		if !ok {
			return nil
		}
		name := vs.Name
		for _, lm := range vs.LabelMatchers {
			if name == "" && lm.Name == labels.MetricName && lm.Type == labels.MatchEqual {
				name = lm.Value
			}
		}
		if name != "" && name != "ALERTS" && name != "ALERTS_FOR_STATE" {
			out = append(out, name)
		}
		return nil
	})
	return out
}
