package features

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/cucumber/godog"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/scenarios"
)

// BenchmarkDrill measures every shipped drill with the stack already up:
// wall time, the drill time it covered, the compression ratio, and where
// its ticks' wall time went (p50 and p99 by part, and the part that bounded
// it). `make bench` runs it and prints the table.
func BenchmarkDrill(b *testing.B) {
	root, err := filepath.Abs("..")
	require.NoError(b, err)
	b.Chdir(root)
	cfg, err := config.Load("", os.Getenv)
	require.NoError(b, err)
	suite := scenarios.NewSuite(scenarios.Options{Config: cfg})
	defer suite.Close(context.Background())
	run := func(tags string) {
		godog.TestSuite{
			ScenarioInitializer: suite.InitializeScenario,
			Options: &godog.Options{Format: "progress", Output: io.Discard, Strict: true, Tags: tags,
				Paths: []string{"features"}},
		}.Run()
	}
	run("@monthly") // starts the stack; not measured
	start := len(suite.Result().Drills)
	tags := "~@gameday"
	if t := os.Getenv("FIREDRILL_BENCH_TAGS"); t != "" {
		tags = t // e.g. '@database && ~@slow' to measure a few
	}
	for b.Loop() {
		run(tags)
	}
	drills := suite.Result().Drills[start:]
	var wall, drill time.Duration
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DRILL\tDRILL TIME\tWALL\tCOMPRESSION\tFLOOR\tWALL/FLOOR\tFLOOR SET BY\tOUTSIDE TICKS\tOVERHEAD p50\tOVERHEAD p99\tTICK p50\tTICK p99\tTRAFFIC p99\tSCRAPE p99\tEVAL p99\tRESPOND p99\tFAULT p99\tBOUND\tGOAL")
	for _, d := range drills {
		t := d.Timing
		if t == nil {
			continue
		}
		wall += time.Duration(t.Wall)
		drill += time.Duration(t.Drill)
		cols := []string{d.Scenario, time.Duration(t.Drill).String(), ms(t.Wall), fmt.Sprintf("%g×", t.Compression),
			ms(t.Floor), fmt.Sprintf("%g×", t.FloorRatio()), t.FloorBy, ms(t.OutsideTicks()), ms(t.Overhead.P50), ms(t.Overhead.P99),
			ms(t.Tick.P50), ms(t.Tick.P99), ms(t.Traffic.P99), ms(t.Scrape.P99),
			ms(t.Evaluate.P99), ms(t.Respond.P99), ms(t.Fault.P99), t.Bound, goal(*t)}
		fmt.Fprintln(tw, strings.Join(cols, "\t"))
	}
	require.NoError(b, tw.Flush())
	if wall > 0 {
		b.ReportMetric(wall.Seconds()/float64(len(drills)), "wall-s/drill")
		b.ReportMetric(drill.Seconds()/wall.Seconds(), "compression")
	}
}

// goal is the goal a drill is held to and whether this run met it: any
// drill ≥ 100× compressed; one that is not, and whose real components set
// most of its wall time (floor ≥ half the wall), within 1.2× of that
// floor. Per tick, the overhead should stay ≤ 10 ms.
func goal(t reports.Timing) string {
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "missed"
	}
	var s string
	switch {
	case t.Compression >= 100:
		s = "≥100×: met"
	case t.Floor*2 >= t.Wall:
		s = "≤1.2× floor: " + verdict(t.FloorRatio() <= 1.2)
	default:
		s = "≥100×: missed"
	}
	return s + ", overhead ≤10ms: " + verdict(time.Duration(t.Overhead.P50) <= 10*time.Millisecond)
}

func ms(s reports.Span) string { return time.Duration(s).Round(time.Millisecond).String() }
