package responders

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/stack"
)

// VerificationPassed is the Subject of the Note milestone a playbook run
// records when its verify phase passed. The pager reads it from the
// timeline: verification passed and every alert resolved resolve the
// incident.
const VerificationPassed = "verification passed"

// MaxOutput bounds a step's output on the timeline.
const MaxOutput = 4 << 10

// ErrStepFailed is wrapped by the error of a run that a failing step
// stopped.
var ErrStepFailed = errors.New("playbook step failed")

// Run is one execution of a playbook, driven by drill ticks: each Tick runs
// steps one after another until one must wait for drill time (a wait step,
// a retry) or the playbook ends. Real work is done inside Tick, so it moves
// the drill clock as the design asks; waits cost ticks, not wall time.
type Run struct {
	pb    *Playbook
	rt    *Runtime
	tl    *incident.Timeline
	actor string
	// labels go on every milestone of the run (the incident it answers).
	labels map[string]string

	mu       sync.Mutex
	next     int
	cur      Step
	curStart time.Duration
	lastOut  string
	lastErr  error
	lastOf   map[Phase]int
	done     bool
	err      error
	verified bool
}

// NewRun prepares a run of pb. actor signs its milestones
// ("responder:<name>"); labels are added to each of them.
func NewRun(pb *Playbook, rt *Runtime, tl *incident.Timeline, actor string, labels map[string]string) *Run {
	own := *rt
	own.Dir, own.Files = pb.Dir, nil
	if pb.Embedded {
		own.Files = shippedFiles()
	}
	r := &Run{pb: pb, rt: &own, tl: tl, actor: actor, labels: labels, lastOf: map[Phase]int{}}
	for i, s := range pb.Steps {
		r.lastOf[s.Phase] = i
	}
	return r
}

// Done reports whether the run ended, and its error (wrapping
// ErrStepFailed when a step failed).
func (r *Run) Done() (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.done, r.err
}

// Verified reports whether the verify phase passed.
func (r *Run) Verified() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.verified
}

// Tick runs the playbook as far as it can at this tick. It returns true
// once the run ended; the error is the run's (a failed step) or ctx's.
func (r *Run) Tick(ctx context.Context) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for !r.done {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		if wait := r.step(ctx); wait {
			return false, ctx.Err()
		}
	}
	return true, r.err
}

// step advances the current step once; it returns true when the step waits
// for a later tick.
func (r *Run) step(ctx context.Context) (wait bool) {
	spec := r.pb.Steps[r.next]
	clock := r.rt.Clock
	if r.cur == nil {
		r.curStart = clock.Now()
		r.lastOut, r.lastErr = "", nil
		r.record(incident.Milestone{Kind: incident.StepStarted, Subject: spec.Name, Detail: string(spec.Phase) + " · " + spec.Kind}, spec)
		st, err := spec.decode(r.rt.data(r.pb.Dir), r.rt)
		if err != nil {
			r.finish(spec, "", err)
			return false
		}
		r.cur = st
	}
	deadline := r.curStart + spec.Timeout
	// The drill-time budget left bounds the real work too: real work moves
	// drill time at least as fast as the wall clock.
	sctx, cancel := context.WithTimeout(ctx, max(deadline-clock.Now(), time.Second))
	retry, out, err := r.cur.Run(sctx, r.rt)
	cancel()
	if ctx.Err() != nil {
		return true // interrupted: the caller sees ctx's error
	}
	if !retry {
		r.finish(spec, out, err)
		return false
	}
	r.lastOut, r.lastErr = out, err
	if clock.Now() >= deadline {
		why := fmt.Errorf("timed out after %s of drill time", spec.Timeout)
		if err != nil {
			why = fmt.Errorf("%w: %w", why, err)
		}
		r.finish(spec, out, why)
		return false
	}
	return true
}

// finish records the step's end and moves on, or stops the run.
func (r *Run) finish(spec *StepSpec, out string, err error) {
	idx := r.next
	r.cur = nil
	m := incident.Milestone{Kind: incident.StepFinished, Subject: spec.Name, Outcome: "ok", Detail: out}
	if err != nil {
		m.Outcome = "failed"
		m.Detail = strings.TrimSpace(err.Error() + "\n" + out)
	}
	r.record(m, spec)
	r.next++
	if err != nil && !spec.ContinueOnError {
		r.done = true
		r.err = fmt.Errorf("run playbook %s: step %q: %w: %w", r.pb.Name, spec.Name, ErrStepFailed, redactErr(err))
		return
	}
	if err == nil && r.lastOf[spec.Phase] == idx {
		switch spec.Phase {
		case Diagnose:
			r.record(incident.Milestone{Kind: incident.Diagnosed, Subject: r.pb.Name}, nil)
		case Mitigate:
			r.record(incident.Milestone{Kind: incident.Mitigated, Subject: r.pb.Name}, nil)
		case Verify:
			r.verified = true
			r.record(incident.Milestone{Kind: incident.Note, Subject: VerificationPassed, Detail: "playbook " + r.pb.Name, Outcome: "ok"}, nil)
		}
	}
	if r.next == len(r.pb.Steps) {
		r.done = true
	}
}

// record stamps the run's actor and labels, redacts and bounds the detail.
func (r *Run) record(m incident.Milestone, spec *StepSpec) {
	m.Actor = r.actor
	m.Labels = map[string]string{"playbook": r.pb.Name}
	for k, v := range r.labels {
		m.Labels[k] = v
	}
	if spec != nil {
		m.Labels["phase"], m.Labels["kind"] = string(spec.Phase), spec.Kind
	}
	m.Detail = truncate(stack.Redact(m.Detail), MaxOutput)
	r.tl.Record(m)
}

func redactErr(err error) error {
	if err == nil {
		return nil
	}
	if r := stack.Redact(err.Error()); r != err.Error() {
		return errors.New(r)
	}
	return err
}

// truncate bounds s to n bytes, on a rune boundary, saying what it cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + fmt.Sprintf("\n… (%d more bytes)", len(s)-cut)
}
