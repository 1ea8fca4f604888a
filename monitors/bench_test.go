package monitors_test

import (
	"context"
	"testing"
	"time"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/internal/stacktest"
	"github.com/firedrill/firedrill/monitors"
)

// BenchmarkMonitor30DrillMinutes is the cost of detection in CI: 30 drill
// minutes of monitoring at 20 rps in compressed mode against a real stack,
// with the default rules. One op is the whole 30 minutes; the per-tick
// split says where the wall time goes, and the compression ratio how many
// drill seconds one wall second buys.
func BenchmarkMonitor30DrillMinutes(b *testing.B) {
	cfg := stacktest.Config(b)
	env := stacktest.Start(b, "docker", cfg.Stack)
	ctx := context.Background()
	const span = 30 * time.Minute
	var traffic, scrape, eval, wall time.Duration
	ticks := 0
	b.ResetTimer()
	for range b.N {
		clock := incident.NewClock(incident.Compressed, incident.DefaultTick, time.Time{})
		m, err := monitors.New(env, clock, incident.NewTimeline(clock), monitors.Config{
			RuleFiles: []string{defaultRules},
			Traffic:   demoTraffic(cfg.Stack, 20, nil),
		})
		if err != nil {
			b.Fatal(err)
		}
		start := time.Now()
		if err := m.Run(ctx, func() bool { return clock.TickTime() >= span }); err != nil {
			b.Fatal(err)
		}
		wall += time.Since(start)
		for _, t := range m.Timings() {
			traffic += t.Traffic
			scrape += t.Scrape
			eval += t.Evaluate
			ticks++
		}
		b.StopTimer()
		if err := m.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	perTick := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(ticks) }
	b.ReportMetric(perTick(traffic), "traffic-ms/tick")
	b.ReportMetric(perTick(scrape), "scrape-ms/tick")
	b.ReportMetric(perTick(eval), "eval-ms/tick")
	b.ReportMetric(float64(ticks)/float64(b.N), "ticks/op")
	b.ReportMetric(float64(b.N)*span.Seconds()/wall.Seconds(), "drill-s/wall-s")
}
