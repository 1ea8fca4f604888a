package incident

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Mode is how the drill clock relates to the wall clock.
type Mode string

const (
	// Compressed runs ticks back to back, as fast as real work allows (CI).
	Compressed Mode = "compressed"
	// Realtime paces ticks by the wall clock, so people can respond live.
	Realtime Mode = "realtime"
)

// ParseMode reads "compressed" or "realtime".
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case Compressed, Realtime:
		return Mode(s), nil
	}
	return "", fmt.Errorf("parse clock mode %q: want compressed or realtime", s)
}

// DefaultTick is Prometheus' default evaluation interval.
const DefaultTick = 15 * time.Second

// Clock is the drill clock: simulation time advanced in ticks. Between ticks
// drill time runs with the wall clock, so real work is never compressed: a
// step that takes 4 real seconds moves drill time by at least 4 s, and the
// next tick lands on the first tick boundary after it. Simulated waits cost
// ticks, not wall time.
type Clock struct {
	mode  Mode
	tick  time.Duration
	epoch time.Time
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
func NewClock(mode Mode, tick time.Duration, epoch time.Time) *Clock {
	if tick <= 0 {
		tick = DefaultTick
	}
	if epoch.IsZero() {
		epoch = time.Now().Truncate(time.Second)
	}
	c := &Clock{mode: mode, tick: tick, epoch: epoch, wallNow: time.Now, sleep: sleepCtx}
	c.tickWall = c.wallNow()
	return c
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
func (c *Clock) Mode() Mode { return c.mode }

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
// began.
func (c *Clock) Now() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.tickAt + c.wallNow().Sub(c.tickWall)
}

// Advance moves to the next tick and returns its drill time. The next tick
// is one interval on, or the first tick boundary at or after Now when real
// work overran the interval. In realtime mode Advance waits until the wall
// clock reaches it.
func (c *Clock) Advance(ctx context.Context) (time.Duration, error) {
	if err := ctx.Err(); err != nil {
		return c.TickTime(), err
	}
	c.mu.Lock()
	spent := c.wallNow().Sub(c.tickWall)
	steps := time.Duration(1)
	if spent > c.tick {
		steps = (spent + c.tick - 1) / c.tick
	}
	next := c.tickAt + steps*c.tick
	wait := time.Duration(0)
	if c.mode == Realtime {
		wait = steps*c.tick - spent
	}
	c.mu.Unlock()
	if err := c.sleep(ctx, wait); err != nil {
		return c.TickTime(), err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.tickAt = next
	c.tickWall = c.wallNow()
	c.ticks++
	return next, nil
}
