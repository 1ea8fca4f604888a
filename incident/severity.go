package incident

import (
	"fmt"
	"strings"
	"time"
)

// Severity is the playbook's P1 (critical) to P4 (low). The zero value is
// "unknown": no alert has said yet.
type Severity int

// The playbook's severities; a lower number is more severe.
const (
	SeverityUnknown Severity = iota
	P1
	P2
	P3
	P4
)

// ParseSeverity reads "P1".."P4" (any case) and the playbook's words
// (critical, high, medium, low).
func ParseSeverity(s string) (Severity, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "p1", "critical":
		return P1, nil
	case "p2", "high":
		return P2, nil
	case "p3", "medium":
		return P3, nil
	case "p4", "low":
		return P4, nil
	}
	return SeverityUnknown, fmt.Errorf("parse severity %q: want P1, P2, P3 or P4", s)
}

// SeverityLabels map the values teams put in an alert's severity label to
// the playbook's severities. P1..P4 always read as themselves; the rest is
// the map's (case-insensitive).
type SeverityLabels map[string]Severity

// DefaultSeverityLabels are the values common rule collections use, next to
// the playbook's words: critical pages as P1, error and high as P2,
// warning and medium as P3, info and low as P4.
func DefaultSeverityLabels() SeverityLabels {
	return SeverityLabels{"critical": P1, "error": P2, "high": P2, "warning": P3, "medium": P3, "info": P4, "low": P4}
}

// Of is the severity a label value maps to; unknown when it maps to none.
func (m SeverityLabels) Of(value string) Severity {
	v := strings.ToLower(strings.TrimSpace(value))
	switch v {
	case "p1":
		return P1
	case "p2":
		return P2
	case "p3":
		return P3
	case "p4":
		return P4
	}
	return m[v]
}

// With is m plus extra (value → "P1".."P4"), extra winning; an extra
// severity that is not P1..P4 is an error naming it.
func (m SeverityLabels) With(extra map[string]string) (SeverityLabels, error) {
	out := SeverityLabels{}
	for k, v := range m {
		out[k] = v
	}
	for k, v := range extra {
		s, err := ParseSeverity(v)
		if err != nil || !strings.HasPrefix(strings.ToLower(strings.TrimSpace(v)), "p") {
			return nil, fmt.Errorf("severity label %q maps to %q: want P1, P2, P3 or P4", k, v)
		}
		out[strings.ToLower(strings.TrimSpace(k))] = s
	}
	return out, nil
}

func (s Severity) String() string {
	if s < P1 || s > P4 {
		return "unknown"
	}
	return fmt.Sprintf("P%d", int(s))
}

// MoreSevere reports whether s outranks o; any known severity outranks
// unknown.
func (s Severity) MoreSevere(o Severity) bool {
	if s == SeverityUnknown {
		return false
	}
	return o == SeverityUnknown || s < o
}

// ResponseTarget is the playbook's response time for the severity, which
// scoring applies to MTTA; zero for unknown.
func (s Severity) ResponseTarget() time.Duration {
	switch s {
	case P1:
		return 15 * time.Minute
	case P2:
		return 30 * time.Minute
	case P3:
		return 2 * time.Hour
	case P4:
		return 24 * time.Hour
	}
	return 0
}
