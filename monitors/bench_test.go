package monitors_test

import (
	"context"
	"slices"
	"syscall"
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
	var traffic, scrape, eval, wall, cpu time.Duration
	var overheads []time.Duration
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
		start, cpu0 := time.Now(), selfCPU(b)
		if err := m.Run(ctx, func() bool { return clock.TickTime() >= span }); err != nil {
			b.Fatal(err)
		}
		wall += time.Since(start)
		cpu += selfCPU(b) - cpu0
		for _, t := range m.Timings() {
			overheads = append(overheads, t.Total-t.Floor)
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
	slices.Sort(overheads)
	b.ReportMetric(float64(overheads[len(overheads)/2].Microseconds())/1000, "overhead-p50-ms/tick")
	b.ReportMetric(perTick(cpu), "harness-cpu-ms/tick")
	b.ReportMetric(float64(ticks)/float64(b.N), "ticks/op")
	b.ReportMetric(float64(b.N)*span.Seconds()/wall.Seconds(), "drill-s/wall-s")
}

// selfCPU is the CPU time this process has used: the harness's own cost,
// which on a machine the stack saturates is taken from the stack.
func selfCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
