package injectors

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/stack"
)

func TestTrafficSurge(t *testing.T) {
	onEachProvider(t, testTrafficSurge)
}

func testTrafficSurge(t *testing.T, env *stack.Env, ctx context.Context) {
	const rate = 20.0 // the shipped drills' steady traffic
	target := Target{Env: env, Rate: rate}
	page := env.AppURL + "/api/content/public?page=1"
	limited := func(t *testing.T) float64 {
		t.Helper()
		return metricValue(ctx, t, env.AppURL, `http_requests_total{code="429",endpoint="/api/content/public",method="GET"}`)
	}
	// at asks for one content page stamped with drill time d and returns
	// its status.
	at := func(t *testing.T, d time.Time) int {
		t.Helper()
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, page, nil)
		require.NoError(t, err)
		req.Header.Set("Date", d.UTC().Format(http.TimeFormat))
		resp, err := httpClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	t.Cleanup(func() { _ = env.Redis.Del(context.Background(), "ratelimit:global:limit").Err() })

	t.Run("a surge of five times the steady rate is refused over the limit", func(t *testing.T) {
		inj, err := New("traffic-surge", map[string]string{"factor": "5"})
		require.NoError(t, err)
		t.Cleanup(func() { _ = inj.Recover(context.Background(), target) })
		require.NoError(t, inj.Inject(ctx, target))
		tk, ok := inj.(Ticker)
		require.True(t, ok, "the surge is load sent each tick")
		// Drill seconds of their own, an hour ahead: no other request
		// counts in them.
		from := time.Now().Add(time.Hour).Truncate(time.Second)
		before := limited(t)
		require.NoError(t, tk.Tick(ctx, target, from, 15*time.Second))
		// 4 × 20 = 80 requests in each of 15 seconds, 60 let through.
		assert.Equal(t, 15*20.0, limited(t)-before, "each second's 20 over the limit are refused")
		assert.Equal(t, http.StatusTooManyRequests, at(t, from.Add(3*time.Second)), "a user in a surged second is refused")
		assert.Equal(t, http.StatusOK, at(t, from.Add(time.Minute)), "a quiet second is served")

		// Quick fix 6.
		require.NoError(t, env.Redis.Set(ctx, "ratelimit:global:limit", 1000, time.Hour).Err())
		assert.Equal(t, http.StatusOK, at(t, from.Add(3*time.Second)), "a raised limit lets the surged second through")
		require.NoError(t, env.Redis.Del(ctx, "ratelimit:global:limit").Err())

		require.NoError(t, inj.Recover(ctx, target))
		require.NoError(t, inj.Recover(ctx, target), "a second recover is harmless")
		before = limited(t)
		require.NoError(t, tk.Tick(ctx, target, from.Add(time.Hour), 15*time.Second))
		assert.Equal(t, before, limited(t), "a recovered surge sends nothing")
		waitStatus(ctx, t, env.AppURL+env.Config.App.HealthPath, http.StatusOK)
	})

	t.Run("needs steady traffic to multiply", func(t *testing.T) {
		inj, err := New("traffic-surge", nil)
		require.NoError(t, err)
		require.ErrorContains(t, inj.Inject(ctx, Target{Env: env}), "no steady traffic")
		require.NoError(t, inj.Recover(ctx, Target{Env: env}), "recover after a failed inject")
	})

	t.Run("recovers after an inject with a cancelled context", func(t *testing.T) {
		inj, err := New("traffic-surge", nil)
		require.NoError(t, err)
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		require.Error(t, inj.Inject(cancelled, target))
		require.NoError(t, inj.Recover(ctx, target))
		require.NoError(t, inj.(Ticker).Tick(ctx, target, time.Now().Add(3*time.Hour), 15*time.Second))
	})
}

func TestTrafficSurgeParams(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"0.5", "21", "lots"} {
		_, err := New("traffic-surge", map[string]string{"factor": bad})
		assert.ErrorIs(t, err, ErrBadParam, bad)
	}
}

// metricValue reads one sample of the app's /metrics, 0 when absent.
func metricValue(ctx context.Context, t *testing.T, appURL, series string) float64 {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, appURL+"/metrics", nil)
	require.NoError(t, err)
	resp, err := httpClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	m := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(series) + ` (\S+)$`).FindSubmatch(body)
	if m == nil {
		return 0
	}
	v, err := strconv.ParseFloat(string(m[1]), 64)
	require.NoError(t, err, fmt.Sprintf("%s = %s", series, m[1]))
	return v
}
