package features

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	for b.Loop() {
		run("~@gameday")
	}
	drills := suite.Result().Drills[start:]
	var wall, drill time.Duration
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DRILL\tDRILL TIME\tWALL\tCOMPRESSION\tTICK p50\tTICK p99\tTRAFFIC p99\tSCRAPE p99\tEVAL p99\tRESPOND p99\tFAULT p99\tBOUND")
	for _, d := range drills {
		t := d.Timing
		if t == nil {
			continue
		}
		wall += time.Duration(t.Wall)
		drill += time.Duration(t.Drill)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%g×\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", d.Scenario, time.Duration(t.Drill),
			ms(t.Wall), t.Compression, ms(t.Tick.P50), ms(t.Tick.P99), ms(t.Traffic.P99), ms(t.Scrape.P99),
			ms(t.Evaluate.P99), ms(t.Respond.P99), ms(t.Fault.P99), t.Bound)
	}
	require.NoError(b, tw.Flush())
	if wall > 0 {
		b.ReportMetric(wall.Seconds()/float64(len(drills)), "wall-s/drill")
		b.ReportMetric(drill.Seconds()/wall.Seconds(), "compression")
	}
}

func ms(s reports.Span) string { return time.Duration(s).Round(time.Millisecond).String() }
