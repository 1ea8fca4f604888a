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
