package scenarios

import (
	"context"
	"errors"
	"fmt"

	"github.com/firedrill/firedrill/injectors"
)

// The When sentences: the fault and the run.

// checkFault builds the fault as the run will, so an unknown name or a
// bad parameter is found before anything starts.
func checkFault(_ *Scenario, a Args) error {
	_, err := injectors.New(a.Strings[0], a.Params)
	if errors.Is(err, injectors.ErrUnknownFault) {
		if n := Nearest(a.Strings[0], injectors.Names()); n != "" {
			return fmt.Errorf("%w: did you mean %q?", err, n)
		}
	}
	return err
}

var faultInjected = &Step{
	Keyword: "When",
	Pattern: `the fault {string} is injected`,
	Example: `When the fault "db-pool-exhaustion" is injected`,
	Check:   checkFault,
	Do:      func(ctx context.Context, d *Drill, a Args) error { return d.Inject(ctx, a.Strings[0], nil) },
}

var faultInjectedWith = &Step{
	Keyword: "When",
	Pattern: `the fault {string} is injected with:`,
	Example: `When the fault "data-deletion" is injected with:`,
	Table:   "| table | content |   (one row per parameter of the fault, as listed above)",
	Check:   checkFault,
	Do:      func(ctx context.Context, d *Drill, a Args) error { return d.Inject(ctx, a.Strings[0], a.Params) },
}

var drillRuns = &Step{
	Keyword: "When",
	Pattern: `the drill runs until the incident is resolved or {duration} pass(?:es)?`,
	Example: `When the drill runs until the incident is resolved or 45 minutes pass`,
	Do:      func(ctx context.Context, d *Drill, a Args) error { return d.RunUntilResolved(ctx, a.Durations[0]) },
}

func init() {
	define(faultInjected, faultInjectedWith, drillRuns)
}
