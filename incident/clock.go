package incident

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"time"
)

// Mode is how the drill clock relates to the wall clock.
type Mode string

const (
	// Compressed runs ticks back to back, as fast as real work allows (CI).
	Compressed Mode = "compressed"
	// Realtime paces ticks by the wall clock, so people can respond live:
	// Paced with a pace of 1.
	Realtime Mode = "realtime"
	// Paced runs drill time at a fixed multiple of wall time (WithPace), so
	// a rehearsal of a game day, or a test of one, keeps people's actions
	// in proportion without taking the real half hour.
	Paced Mode = "paced"
)

// ParseMode reads "compressed", "paced" or "realtime".
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case Compressed, Paced, Realtime:
		return Mode(s), nil
	}
	return "", fmt.Errorf("parse clock mode %q: want compressed, paced or realtime", s)
}

// ErrPace is wrapped by ValidPace's errors.
var ErrPace = errors.New("invalid pace")

// ValidPace checks a paced clock's pace: drill time may run faster than
// wall time, never slower (a slower drill clock would stretch the real work
// in it, which is never compressed, beyond what it took).
func ValidPace(n float64) error {
	if !(n >= 1) || math.IsInf(n, 0) {
		return fmt.Errorf("pace %g: must be a number of at least 1 (drill seconds per wall second): %w", n, ErrPace)
	}
	return nil
}

// ClockOption tunes a Clock.
type ClockOption func(*Clock)

// WithPace sets a Paced clock's pace: drill time = n × wall time. Other
// modes ignore it (Realtime is pace 1, Compressed has none); a pace below 1
// is read as 1.
func WithPace(n float64) ClockOption {
	return func(c *Clock) {
		if c.mode == Paced && n > 1 && !math.IsInf(n, 0) {
			c.pace = n
		}
	}
}

// DefaultTick is Prometheus' default evaluation interval.
const DefaultTick = 15 * time.Second

// Clock is the drill clock: simulation time advanced in ticks. Between ticks
// drill time runs with the wall clock (at the pace, when paced), so real work
// is never compressed: a step that takes 4 real seconds moves drill time by
// at least 4 s, and the next tick lands on the first tick boundary after it.
// Simulated waits cost ticks, not wall time, except that a paced clock
// (realtime included) waits until the wall clock reaches each tick.
type Clock struct {
	mode  Mode
	tick  time.Duration
	epoch time.Time
	// pace is drill seconds per wall second: 1 unless Paced says more.
	pace float64
	// wallNow is the wall clock (tests replace it).
	wallNow func() time.Time
	sleep   func(context.Context, time.Duration) error

	mu       sync.Mutex
	tickAt   time.Duration // drill time of the current tick
	tickWall time.Time     // wall time the current tick began
	ticks    int
}

// NewClock starts a drill clock at drill time 0. epoch is the drill
// timestamp of time 0 (what the TSDB sees); the zero time means now.
func NewClock(mode Mode, tick time.Duration, epoch time.Time, opts ...ClockOption) *Clock {
	if tick <= 0 {
		tick = DefaultTick
	}
	if epoch.IsZero() {
		epoch = time.Now().Truncate(time.Second)
	}
	c := &Clock{mode: mode, tick: tick, epoch: epoch, pace: 1, wallNow: time.Now, sleep: sleepCtx}
	for _, o := range opts {
		o(c)
	}
	c.tickWall = c.wallNow()
	return c
}

// Pace is drill seconds per wall second while the clock waits for the wall
// clock: 1 in realtime, the pace of a paced clock, 0 for a compressed clock,
// which never waits.
func (c *Clock) Pace() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mode == Compressed {
		return 0
	}
	return c.pace
}

// paced says whether Advance waits for the wall clock.
func (c *Clock) paced() bool { return c.mode == Realtime || c.mode == Paced }

// drillOf is the drill time a wall interval stands for between ticks.
func (c *Clock) drillOf(wall time.Duration) time.Duration {
	if !c.paced() {
		return wall
	}
	return time.Duration(float64(wall) * c.pace)
}

// wallOf is the wall interval a drill interval takes on a paced clock.
func (c *Clock) wallOf(drill time.Duration) time.Duration {
	return time.Duration(float64(drill) / c.pace)
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Mode is the clock's mode.
func (c *Clock) Mode() Mode {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mode
}

// Switch changes the clock's mode (and a paced clock's pace) from now on,
// at the current tick: a game day warms its rules up compressed, in
// seconds, then runs on the wall clock. Drill time so far is kept; it goes
// on from Now at the new pace.
func (c *Clock) Switch(mode Mode, pace float64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.wallNow()
	since := c.drillOf(now.Sub(c.tickWall)) // drill time since the tick
	c.mode, c.pace = mode, 1
	if mode == Paced && pace > 1 && !math.IsInf(pace, 0) {
		c.pace = pace
	}
	// The tick keeps its drill time; its wall start moves so that Now goes
	// on without a jump at the new pace.
	c.tickWall = now.Add(-c.wallOf(since))
	if !c.paced() {
		c.tickWall = now.Add(-since)
	}
}

// Tick is the tick interval.
func (c *Clock) Tick() time.Duration { return c.tick }

// Epoch is the drill timestamp of drill time 0.
func (c *Clock) Epoch() time.Time { return c.epoch }

// At is the drill timestamp of drill time d.
func (c *Clock) At(d time.Duration) time.Time { return c.epoch.Add(d) }

// Ticks is how many ticks have passed.
func (c *Clock) Ticks() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ticks
}

// TickTime is the drill time of the current tick: what rules and scrapes of
// this tick are stamped with.
func (c *Clock) TickTime() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tickAt
}

// Now is the drill time: the current tick plus the real time spent since it
// began (times the pace, on a paced clock).
func (c *Clock) Now() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tickAt + c.drillOf(c.wallNow().Sub(c.tickWall))
}

// Advance moves to the next tick and returns its drill time. The next tick
// is one interval on, or the first tick boundary at or after Now when real
// work overran the interval. A paced clock (realtime included) waits until
// the wall clock reaches it, and anchors the tick at the wall instant it
// was due, so a late wake-up does not accumulate: over many ticks, drill
// time stays pace × wall time.
func (c *Clock) Advance(ctx context.Context) (time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return c.TickTime(), err
	}
	c.mu.Lock()
	spent := c.drillOf(c.wallNow().Sub(c.tickWall))
	steps := time.Duration(1)
	if spent > c.tick {
		steps = (spent + c.tick - 1) / c.tick
	}
	next := c.tickAt + steps*c.tick
	wait, due := time.Duration(0), time.Time{}
	if c.paced() {
		due = c.tickWall.Add(c.wallOf(steps * c.tick))
		wait = due.Sub(c.wallNow())
	}
	c.mu.Unlock()
	if err := c.sleep(ctx, wait); err != nil {
		return c.TickTime(), err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tickAt = next
	c.tickWall = c.wallNow()
	if c.paced() && due.Before(c.tickWall) {
		c.tickWall = due
	}
	c.ticks++
	return next, nil
}
