package stack_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/internal/stacktest"
)

// BenchmarkColdStart measures a whole stack start (images present) and its
// teardown, per provider. `make bench` runs it.
func BenchmarkColdStart(b *testing.B) {
	for _, provider := range []string{"docker", "local"} {
		b.Run(provider, func(b *testing.B) {
			p := stacktest.Provider(b, provider)
			cfg := stacktest.Config(b).Stack
			var closeTotal time.Duration
			for b.Loop() {
				ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
				env, err := p.Start(ctx, cfg)
				b.StopTimer()
				t0 := time.Now()
				require.NoError(b, env.Close(ctx))
				closeTotal += time.Since(t0)
				cancel()
				require.NoError(b, err)
				b.StartTimer()
			}
			b.ReportMetric(closeTotal.Seconds()/float64(b.N), "close-s/op")
		})
	}
}

// BenchmarkReset measures Env.Reset after a deletion, per provider.
func BenchmarkReset(b *testing.B) {
	for _, provider := range []string{"docker", "local"} {
		b.Run(provider, func(b *testing.B) {
			env := stacktest.Start(b, provider, stacktest.Config(b).Stack)
			ctx := context.Background()
			for b.Loop() {
				b.StopTimer()
				_, err := env.Postgres.Exec(ctx, "DELETE FROM analytics WHERE id % 3 = 0")
				require.NoError(b, err)
				b.StartTimer()
				require.NoError(b, env.Reset(ctx))
			}
		})
	}
}
