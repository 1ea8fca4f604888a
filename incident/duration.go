package incident

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// MaxDuration bounds every duration firedrill reads (drills, firedrill.yaml,
// playbooks): a year is far beyond any drill, and the bound keeps arithmetic
// on durations (sums, "twice the target", the drill helper's scaling) clear
// of overflow.
const MaxDuration = 365 * 24 * time.Hour

// ParseDuration reads a duration the way drills and config files write it:
// Go form ("2m", "90s", "1h30m") or words ("2 minutes", "90 seconds",
// "1 hour", "1.5 hours", "2 minutes 30 seconds"), from 0 to MaxDuration.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if d, err := time.ParseDuration(s); err == nil {
		if d < 0 {
			return 0, fmt.Errorf("parse duration %q: negative", s)
		}
		if d > MaxDuration {
			return 0, fmt.Errorf("parse duration %q: longer than a year (365 days)", s)
		}
		return d, nil
	}
	fields := strings.Fields(strings.ReplaceAll(strings.ToLower(s), ",", " "))
	if len(fields) == 0 || len(fields)%2 != 0 {
		return 0, fmt.Errorf("parse duration %q: want a number and a unit, like \"2 minutes\" or \"90s\"", s)
	}
	var total time.Duration
	for i := 0; i < len(fields); i += 2 {
		if fields[i] == "and" {
			return 0, fmt.Errorf("parse duration %q: write \"1 hour 30 minutes\" or \"1h30m\"", s)
		}
		n, err := strconv.ParseFloat(fields[i], 64)
		if err != nil || n < 0 || math.IsNaN(n) || math.IsInf(n, 0) {
			return 0, fmt.Errorf("parse duration %q: %q is not a non-negative number", s, fields[i])
		}
		unit, ok := durationUnits[fields[i+1]]
		if !ok {
			return 0, fmt.Errorf("parse duration %q: unknown unit %q (seconds, minutes, hours, days)", s, fields[i+1])
		}
		// Checked as a float, before converting: a float beyond int64 has
		// no defined conversion.
		if n*float64(unit) > float64(MaxDuration-total) {
			return 0, fmt.Errorf("parse duration %q: longer than a year (365 days)", s)
		}
		total += time.Duration(n * float64(unit))
	}
	return total, nil
}

var durationUnits = map[string]time.Duration{
	"ms": time.Millisecond, "millisecond": time.Millisecond, "milliseconds": time.Millisecond,
	"s": time.Second, "sec": time.Second, "secs": time.Second, "second": time.Second, "seconds": time.Second,
	"m": time.Minute, "min": time.Minute, "mins": time.Minute, "minute": time.Minute, "minutes": time.Minute,
	"h": time.Hour, "hr": time.Hour, "hrs": time.Hour, "hour": time.Hour, "hours": time.Hour,
	"d": 24 * time.Hour, "day": 24 * time.Hour, "days": 24 * time.Hour,
}
