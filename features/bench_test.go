package features

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cucumber/godog"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/scenarios"
)

// BenchmarkDrill measures each shipped drill with the stack already up:
// wall time per drill, the drill time it covered, and the compression ratio
// (drill time / wall time). `make bench` runs it.
func BenchmarkDrill(b *testing.B) {
	root, err := filepath.Abs("..")
	require.NoError(b, err)
	b.Chdir(root)
	cfg, err := config.Load("", os.Getenv)
	require.NoError(b, err)
	for _, name := range []string{"db_pool_exhaustion", "error_spike", "data_deletion"} {
		b.Run(name, func(b *testing.B) {
			suite := scenarios.NewSuite(scenarios.Options{Config: cfg})
			defer suite.Close(context.Background())
			run := func() {
				godog.TestSuite{
					ScenarioInitializer: suite.InitializeScenario,
					Options: &godog.Options{Format: "progress", Output: io.Discard, Strict: true,
						Paths: []string{filepath.Join("features", name+".feature")}},
				}.Run()
			}
			run() // starts the stack; not measured
			var wall, drill time.Duration
			n := 0
			for b.Loop() {
				before := len(suite.Result().Drills)
				run()
				for _, d := range suite.Result().Drills[before:] {
					wall += d.Finished.Sub(d.Started)
					if len(d.Timeline) > 0 {
						drill += d.Timeline[len(d.Timeline)-1].Drill
					}
					n++
				}
			}
			if n > 0 && wall > 0 {
				b.ReportMetric(wall.Seconds()/float64(n), "wall-s/drill")
				b.ReportMetric(drill.Minutes()/float64(n), "drill-min/drill")
				b.ReportMetric(drill.Seconds()/wall.Seconds(), "compression")
			}
		})
	}
}
