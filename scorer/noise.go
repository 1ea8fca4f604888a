package scorer

import (
	"maps"
	"slices"
	"strings"

	"github.com/firedrill/firedrill/incident"
)

// Noise is an alert rule that fired with no fault: before T0, or at all in
// a steady-state drill. It pages on a healthy stack, so it is never part of
// the drill's incident; reports list it so the team can fix the rule.
type Noise struct {
	Alert string `json:"alert"`
	// Severity is "P1".."P4" or "unknown", as in the verdict.
	Severity string `json:"severity"`
	// Expr is the rule's expression; Series are the label sets it fired
	// for (one per distinct series), sorted.
	Expr   string              `json:"expr,omitempty"`
	Series []map[string]string `json:"series"`
	// First is the drill time it first fired.
	First Measurement `json:"first"`
}

// noise lists the alerts that fired in ms (already cut to before T0), one
// entry per alert name, in the order they first fired.
func noise(ms []incident.Milestone) []Noise {
	var out []Noise
	var sev []incident.Severity
	index := map[string]int{}
	seen := map[string]bool{}
	for _, m := range ms {
		if m.Kind != incident.AlertFiring {
			continue
		}
		i, ok := index[m.Subject]
		if !ok {
			i = len(out)
			index[m.Subject] = i
			out = append(out, Noise{Alert: m.Subject, Expr: m.Expr, First: Measured(m.Drill)})
			sev = append(sev, m.Severity)
		}
		if m.Severity.MoreSevere(sev[i]) {
			sev[i] = m.Severity
		}
		series := seriesOf(m.Labels)
		if key := m.Subject + "\xff" + seriesKey(series); !seen[key] {
			seen[key] = true
			out[i].Series = append(out[i].Series, series)
		}
	}
	for i := range out {
		out[i].Severity = sev[i].String()
		slices.SortFunc(out[i].Series, func(a, b map[string]string) int { return strings.Compare(seriesKey(a), seriesKey(b)) })
	}
	return out
}

// seriesOf is an alert's labels less alertname and severity: the series
// that made it fire.
func seriesOf(labels map[string]string) map[string]string {
	out := maps.Clone(labels)
	if out == nil {
		out = map[string]string{}
	}
	delete(out, "alertname")
	delete(out, "severity")
	return out
}

func seriesKey(m map[string]string) string {
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(m)) {
		b.WriteString(k + "=" + m[k] + "\xff")
	}
	return b.String()
}
