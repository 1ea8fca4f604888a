package incident

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeWall is a wall clock that moves only when told to.
type fakeWall struct {
	mu  sync.Mutex
	now time.Time
}

func (f *fakeWall) Now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.now }
func (f *fakeWall) Add(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.now = f.now.Add(d)
}

func newTestClock(mode Mode, opts ...ClockOption) (*Clock, *fakeWall, *[]time.Duration) {
	w := &fakeWall{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	c := NewClock(mode, 15*time.Second, time.Date(2026, 1, 1, 14, 0, 0, 0, time.UTC), opts...)
	c.wallNow = w.Now
	c.tickWall = w.Now()
	var slept []time.Duration
	c.sleep = func(_ context.Context, d time.Duration) error {
		slept = append(slept, d)
		if d > 0 {
			w.Add(d)
		}
		return nil
	}
	return c, w, &slept
}

func TestPacedRunsDrillTimeAtItsPace(t *testing.T) {
	t.Parallel()
	c, w, slept := newTestClock(Paced, WithPace(20))
	assert.Equal(t, 20.0, c.Pace())
	w.Add(250 * time.Millisecond) // the tick's real work: 5 drill seconds
	assert.Equal(t, 5*time.Second, c.Now(), "between ticks drill time runs at 20 × wall time")
	next, err := c.Advance(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 15*time.Second, next)
	assert.Equal(t, []time.Duration{500 * time.Millisecond}, *slept, "a 15 s tick lasts 750 ms of wall time, work included")

	w.Add(2 * time.Second) // real work of 2 s is 40 drill seconds: it is not compressed away
	next, err = c.Advance(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 60*time.Second, next, "the first tick boundary after the work")
	assert.Equal(t, 250*time.Millisecond, (*slept)[1])
}

func TestPacedLateWakeUpsDoNotAccumulate(t *testing.T) {
	t.Parallel()
	c, w, _ := newTestClock(Paced, WithPace(60))
	start := w.Now()
	c.sleep = func(_ context.Context, d time.Duration) error { w.Add(d + 10*time.Millisecond); return nil } // every wake-up late
	for range 100 {
		_, err := c.Advance(context.Background())
		require.NoError(t, err)
	}
	assert.Equal(t, 25*time.Minute, c.TickTime())
	ratio := c.Now().Seconds() / w.Now().Sub(start).Seconds()
	assert.InDelta(t, 60, ratio, 0.01, "drill time stays 60 × wall time")
}

func TestRealtimeIsPacedAtOne(t *testing.T) {
	t.Parallel()
	c, w, _ := newTestClock(Realtime, WithPace(20))
	assert.Equal(t, 1.0, c.Pace(), "realtime ignores a pace")
	w.Add(3 * time.Second)
	assert.Equal(t, 3*time.Second, c.Now())
	cc, _, _ := newTestClock(Compressed, WithPace(20))
	assert.Zero(t, cc.Pace(), "a compressed clock never waits")
	pc, _, _ := newTestClock(Paced)
	assert.Equal(t, 1.0, pc.Pace(), "paced without a pace is realtime")
}

func TestParseModeAndPace(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"compressed", "paced", "realtime"} {
		m, err := ParseMode(s)
		require.NoError(t, err)
		assert.Equal(t, Mode(s), m)
	}
	_, err := ParseMode("fast")
	require.ErrorContains(t, err, "compressed, paced or realtime")
	require.NoError(t, ValidPace(1))
	require.NoError(t, ValidPace(60))
	for _, n := range []float64{0, 0.5, -3} {
		require.ErrorIs(t, ValidPace(n), ErrPace, "pace %g", n)
	}
}

// One real run: a few ticks at pace 60 on the real wall clock. Only the
// ratio is asserted: waits can only overshoot, and the clock anchors each
// tick where it was due, so the ratio stays near 60 and never above it.
func TestPacedOnTheRealWallClock(t *testing.T) {
	t.Parallel()
	c := NewClock(Paced, 15*time.Second, time.Time{}, WithPace(60))
	start := time.Now()
	for range 4 { // 60 drill seconds, about a wall second
		_, err := c.Advance(context.Background())
		require.NoError(t, err)
	}
	wall := time.Since(start)
	ratio := c.TickTime().Seconds() / wall.Seconds()
	assert.LessOrEqual(t, ratio, 60.5, "a paced clock never runs ahead of its pace")
	assert.Greater(t, ratio, 30.0, "nor falls far behind it")
}

func TestCompressedTicksCostNoWallTime(t *testing.T) {
	t.Parallel()
	c, w, slept := newTestClock(Compressed)
	for range 120 { // 30 drill minutes
		w.Add(time.Millisecond) // the tick's real work
		_, err := c.Advance(context.Background())
		require.NoError(t, err)
	}
	assert.Equal(t, 30*time.Minute, c.TickTime())
	assert.Equal(t, 120, c.Ticks())
	for _, d := range *slept {
		assert.Zero(t, d, "compressed mode never waits")
	}
}

func TestRealWorkAdvancesDrillTime(t *testing.T) {
	t.Parallel()
	c, w, _ := newTestClock(Compressed)
	_, err := c.Advance(context.Background())
	require.NoError(t, err)
	w.Add(40 * time.Second) // a playbook step that takes 40 real seconds
	assert.Equal(t, 55*time.Second, c.Now(), "drill time runs with real work between ticks")
	next, err := c.Advance(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 60*time.Second, next, "the next tick is the first boundary after the work")
	assert.Equal(t, time.Date(2026, 1, 1, 14, 1, 0, 0, time.UTC), c.At(next))
}

func TestRealtimePacesTicks(t *testing.T) {
	t.Parallel()
	c, w, slept := newTestClock(Realtime)
	w.Add(2 * time.Second)
	next, err := c.Advance(context.Background())
	require.NoError(t, err)
	assert.Equal(t, 15*time.Second, next)
	assert.Equal(t, []time.Duration{13 * time.Second}, *slept, "waits out the rest of the tick")
}

func TestAdvanceHonoursContext(t *testing.T) {
	t.Parallel()
	c := NewClock(Realtime, time.Hour, time.Time{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Advance(ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, c.Ticks())
}

func TestTimelineStampsAndFinds(t *testing.T) {
	t.Parallel()
	c, w, _ := newTestClock(Compressed)
	tl := NewTimeline(c)
	var seen []Kind
	tl.Subscribe(func(m Milestone) { seen = append(seen, m.Kind) })
	tl.Record(Milestone{Kind: FaultInjected, Subject: "db-pool-exhaustion"})
	w.Add(5 * time.Second)
	for range 4 {
		_, _ = c.Advance(context.Background())
	}
	m := tl.Record(Milestone{Kind: AlertFiring, Subject: "DatabaseConnectionFailure", Severity: P1})
	assert.Equal(t, 60*time.Second, m.Drill)
	assert.Equal(t, c.Epoch().Add(time.Minute), m.At)
	got, ok := tl.First(AlertFiring, func(m Milestone) bool { return m.Severity == P1 })
	require.True(t, ok)
	assert.Equal(t, "DatabaseConnectionFailure", got.Subject)
	_, ok = tl.First(Resolved, nil)
	assert.False(t, ok)
	assert.Equal(t, []Kind{FaultInjected, AlertFiring}, seen)
}

func TestSeverity(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Severity{"P1": P1, "p2": P2, "critical": P1, "low": P4} {
		got, err := ParseSeverity(in)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
	_, err := ParseSeverity("P5")
	assert.Error(t, err)
	assert.Equal(t, 15*time.Minute, P1.ResponseTarget())
	assert.Equal(t, 24*time.Hour, P4.ResponseTarget())
	assert.True(t, P1.MoreSevere(P2))
	assert.True(t, P3.MoreSevere(SeverityUnknown))
	assert.False(t, SeverityUnknown.MoreSevere(P4))
	assert.Equal(t, "unknown", SeverityUnknown.String())
}

func TestTimelineDerivesDrillTimeFromAt(t *testing.T) {
	t.Parallel()
	c, _, _ := newTestClock(Compressed)
	tl := NewTimeline(c)
	m := tl.Record(Milestone{Kind: AlertFiring, At: c.Epoch().Add(90 * time.Second)})
	assert.Equal(t, 90*time.Second, m.Drill)
	m = tl.Record(Milestone{Kind: Resolved, Drill: 2 * time.Minute})
	assert.Equal(t, c.Epoch().Add(2*time.Minute), m.At)
}

func TestTimelineUnsubscribeStopsDelivery(t *testing.T) {
	t.Parallel()
	c, _, _ := newTestClock(Compressed)
	tl := NewTimeline(c)
	var first, second []Kind
	stop := tl.Subscribe(func(m Milestone) { first = append(first, m.Kind) })
	tl.Subscribe(func(m Milestone) { second = append(second, m.Kind) })
	tl.Record(Milestone{Kind: Note})
	stop()
	stop() // harmless
	tl.Record(Milestone{Kind: Acknowledged})
	assert.Equal(t, []Kind{Note}, first, "nothing after unsubscribing")
	assert.Equal(t, []Kind{Note, Acknowledged}, second, "the other subscriber keeps its deliveries")
}

// A clock switched from compressed to paced keeps its drill time and its
// ticks' boundaries, and from then on waits for the wall clock.
func TestClockSwitchKeepsDrillTime(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, w, slept := newTestClock(Compressed)
	for range 4 {
		_, err := c.Advance(ctx)
		require.NoError(t, err)
	}
	require.Equal(t, time.Minute, c.TickTime())
	w.Add(time.Second) // a second of real work in the tick
	before := c.Now()
	c.Switch(Paced, 20)
	assert.Equal(t, before, c.Now(), "no jump")
	assert.Equal(t, Paced, c.Mode())
	assert.Equal(t, 20.0, c.Pace())
	*slept = nil
	next, err := c.Advance(ctx)
	require.NoError(t, err)
	assert.Equal(t, time.Minute+15*time.Second, next, "the next tick boundary")
	require.Len(t, *slept, 1)
	assert.Equal(t, 15*time.Second/20-time.Second/20, (*slept)[0], "waits the rest of the tick at pace 20")
}
