package reports

import (
	"errors"
	"fmt"
	"reflect"
	"time"
)

// ErrMerge is wrapped when shards cannot make one run: they were scored
// against different targets, or ran on different clocks.
var ErrMerge = errors.New("cannot merge results")

// Merge makes one run of the results of its shards (`firedrill run
// --shard K/N` on several CI runners): every drill of every shard, in the
// order given, with the earliest start and latest finish. Shards scored
// against different targets, or run on different clock modes or ticks,
// measure different things and are refused.
func Merge(runID string, shards []Result) (Result, error) {
	if len(shards) == 0 {
		return Result{}, fmt.Errorf("merge results: no result given: %w", ErrMerge)
	}
	first := shards[0]
	out := Result{Schema: SchemaVersion, RunID: runID, Started: first.Started, Finished: first.Finished,
		Environment: first.Environment, Targets: first.Targets, SeverityLabels: first.SeverityLabels, Routing: first.Routing}
	for _, r := range shards {
		if !reflect.DeepEqual(r.Targets, first.Targets) {
			return Result{}, fmt.Errorf("merge results: run %s was scored against other targets than %s: %w", r.RunID, first.RunID, ErrMerge)
		}
		if r.Environment.Clock != first.Environment.Clock || r.Environment.Tick != first.Environment.Tick {
			return Result{}, fmt.Errorf("merge results: run %s ran on a %s clock with %s ticks, %s on %s with %s: %w",
				r.RunID, r.Environment.Clock, r.Environment.Tick, first.RunID, first.Environment.Clock, first.Environment.Tick, ErrMerge)
		}
		out.Started = earliest(out.Started, r.Started)
		if r.Finished.After(out.Finished) {
			out.Finished = r.Finished
		}
		out.Drills = append(out.Drills, r.Drills...)
	}
	return out, nil
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}
