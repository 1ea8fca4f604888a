package responders

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
)

func init() { Register("wait", func() Step { return new(WaitStep) }) }

// WaitStep waits in drill time: for a duration (`for: 5m`), until a PromQL
// condition holds (`query:`, evaluated by the drill's Querier at each tick's
// timestamp; it holds when the answer has a sample), or until the condition
// has held on every tick for a duration (both, like a rule's `for:`). It
// costs ticks, not wall time: each tick it checks once and asks to be
// called again, so it completes on the first tick where the clock has
// passed its deadline or the condition holds.
type WaitStep struct {
	Query string   `yaml:"query"`
	For   Duration `yaml:"for"`

	started    bool
	since      time.Duration // start, or when the condition began to hold
	holding    bool
	lastAnswer string
}

// Validate checks there is something to wait for and that the query
// parses (unless it is a template, checked once filled in).
func (s *WaitStep) Validate() error {
	if strings.TrimSpace(s.Query) == "" && s.For <= 0 {
		return errors.New("give query (a PromQL condition), for (a drill duration), or both")
	}
	if s.Query != "" {
		if _, err := parser.NewParser(parser.Options{}).ParseExpr(s.Query); err != nil {
			return fmt.Errorf("query: %w", err)
		}
	}
	return nil
}

// DefaultTimeout leaves DefaultTimeout beyond the duration waited for.
func (s *WaitStep) DefaultTimeout() time.Duration { return time.Duration(s.For) + DefaultTimeout }

// Run checks once, at this tick.
func (s *WaitStep) Run(ctx context.Context, rt *Runtime) (bool, string, error) {
	now := rt.Clock.Now()
	if !s.started {
		s.started, s.since = true, now
	}
	if s.Query == "" {
		if now-s.since >= time.Duration(s.For) {
			return false, fmt.Sprintf("waited %s of drill time", time.Duration(s.For)), nil
		}
		return true, "", nil
	}
	if rt.Querier == nil {
		return false, "", errors.New("wait: no monitoring to query in this drill")
	}
	at := rt.Clock.At(rt.Clock.TickTime())
	v, err := rt.Querier.Query(ctx, s.Query, at)
	if err != nil {
		return true, s.lastAnswer, fmt.Errorf("wait: %w", err)
	}
	if len(v) == 0 {
		s.holding = false
		return true, "", fmt.Errorf("wait: %s does not hold yet", s.Query)
	}
	s.lastAnswer = vectorText(v)
	if !s.holding {
		s.holding, s.since = true, now
	}
	if now-s.since >= time.Duration(s.For) {
		return false, s.lastAnswer, nil
	}
	return true, s.lastAnswer, fmt.Errorf("wait: %s holds, not yet for %s", s.Query, time.Duration(s.For))
}

// vectorText is a query's answer as people read it: one sample a line, its
// value then its labels (`0.0042 {endpoint="/api"}`), not the vector's
// debug form with its timestamps.
func vectorText(v promql.Vector) string {
	lines := make([]string, 0, len(v))
	for _, s := range v {
		line := strconv.FormatFloat(s.F, 'g', 6, 64)
		if s.Metric.Len() > 0 {
			line += " " + s.Metric.String()
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}
