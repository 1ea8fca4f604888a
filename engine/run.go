package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/firedrill/firedrill/incident"
)

// The tick loop and what ends it: run, the loop's own queue (Later), Stop,
// RunUntilResolved (resolution, time limit, an early stop once the drill's
// outcome is decided) and Watch.

// run is the tick loop: monitoring ticks (traffic, scrapes, rules, pages,
// the responder) until until says stop, a responder fails or ctx ends.
func (e *Engine) run(ctx context.Context, until func() bool) error {
	var stopped error
	err := e.monitor.Run(ctx, func() bool {
		e.drain(ctx)
		e.report()
		if e.stop.Load() {
			return true
		}
		if time.Since(e.checked) >= goneEvery {
			e.checked = time.Now()
			if err := e.checkGone(ctx); err != nil {
				stopped = err
				return true
			}
		}
		if err := e.pager.Err(); err != nil {
			stopped = err
			return true
		}
		if until() {
			return true
		}
		if err := e.tickFaults(ctx); err != nil {
			stopped = err
			return true
		}
		return false
	})
	if (err != nil || stopped != nil) && ctx.Err() == nil {
		// A tick or a responder that failed may have failed because the
		// stack went.
		if gerr := e.checkGone(ctx); gerr != nil {
			return gerr
		}
	}
	return errors.Join(err, stopped)
}

// checkGone asks the stack whether it is still there and, when it is not,
// records on the timeline what disappeared: the drill ends errored, as an
// environment problem, not as the fault's effect.
func (e *Engine) checkGone(ctx context.Context) error {
	if e.gone != nil {
		return e.gone
	}
	err := e.env.Gone(ctx)
	if err == nil {
		return nil
	}
	e.gone = err
	e.timeline.Record(incident.Milestone{Kind: incident.Note, Actor: "drill", Subject: "stack gone", Detail: err.Error(), Drill: e.clock.TickTime()})
	e.spec.Progress("  %s  %v", e.when(e.clock.TickTime()), err)
	return err
}

// Later runs fn in the tick loop, between two ticks, with the loop's
// context: what comes from outside the loop (a facilitator injecting a
// second fault) never races the tick's own work.
func (e *Engine) Later(fn func(ctx context.Context)) {
	e.qmu.Lock()
	defer e.qmu.Unlock()
	e.queued = append(e.queued, fn)
}

// drain runs the work Later queued.
func (e *Engine) drain(ctx context.Context) {
	e.qmu.Lock()
	fns := e.queued
	e.queued = nil
	e.qmu.Unlock()
	for _, fn := range fns {
		fn(ctx)
	}
}

// Stop ends the current run (RunUntilResolved, Watch) at the next tick
// boundary, as if its condition held: a game day the facilitator closed.
func (e *Engine) Stop() { e.stop.Store(true) }

// RunUntilResolved ticks until the incident is resolved or limit of drill
// time passes; with no fault injected it runs the whole limit (a steady
// state). The timeline's last note says which ended it.
func (e *Engine) RunUntilResolved(ctx context.Context, limit time.Duration) error {
	end := e.clock.TickTime() + limit
	resolved, held := false, false
	decided := ""
	err := e.run(ctx, func() bool {
		if inc, ok := e.pager.Current(); ok && inc.Resolved && e.Faulted() {
			resolved = true
			if e.spec.Hold != nil && e.spec.Hold() {
				if !held {
					held = true
					e.spec.Progress("  %s  incident resolved; the game day stays open for the post-mortem", e.when(e.clock.Now()))
				}
				return e.clock.TickTime() >= end
			}
			return true
		}
		if e.clock.TickTime() >= end {
			return true
		}
		if e.spec.Decided != nil && e.Faulted() {
			decided = e.spec.Decided()
		}
		return decided != ""
	})
	if err != nil {
		return err
	}
	what := "time limit reached"
	switch {
	case decided != "":
		what = fmt.Sprintf("stopped early, %s before the time limit: %s", fmtLeft(end-e.clock.TickTime()), decided)
		e.spec.Progress("  %s  %s", e.when(e.clock.Now()), what)
	case e.stop.Load():
		what = "game day closed by the facilitator"
	case resolved:
		what = "incident resolved"
	case !e.Faulted():
		what = "steady state held for " + limit.String()
	}
	e.timeline.Record(incident.Milestone{Kind: incident.Note, Actor: "drill", Subject: what, Drill: e.clock.TickTime()})
	return nil
}

// fmtLeft is drill time left as "37m30s".
func fmtLeft(d time.Duration) string { return d.Round(time.Second).String() }

// Watch ticks for d of drill time whatever happens, calling each after
// every tick with its drill time (watch, lint).
func (e *Engine) Watch(ctx context.Context, d time.Duration, each func(at time.Duration)) error {
	end := e.clock.TickTime() + d
	return e.run(ctx, func() bool {
		if each != nil {
			each(e.clock.TickTime())
		}
		return e.clock.TickTime() >= end
	})
}
