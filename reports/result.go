package reports

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/scorer"
)

// SchemaVersion names the result.json layout. It changes when a field
// changes meaning or goes away (adding fields does not change it), so a
// stored run is never misread by a newer firedrill.
const SchemaVersion = "firedrill.result/v1"

// ErrSchema is wrapped when a stored result has another schema version.
var ErrSchema = errors.New("unsupported result schema")

// Result is one run of firedrill: every drill it ran, with its timeline and
// verdict. It is what result.json stores and what every format renders.
type Result struct {
	// Schema is SchemaVersion; WriteResult fills it in.
	Schema string `json:"schema"`
	RunID  string `json:"run_id"`
	// Started and Finished are wall times of the whole run.
	Started     time.Time      `json:"started"`
	Finished    time.Time      `json:"finished"`
	Environment Environment    `json:"environment"`
	Targets     scorer.Targets `json:"targets"`
	// SeverityLabels is how the run read alerts' severity labels: label
	// value → "P1".."P4" (the defaults merged with the config's
	// monitoring.severity_labels). Empty in results stored before it.
	SeverityLabels map[string]string `json:"severity_labels,omitempty"`
	// Routing names the Alertmanager configuration the drills paged with
	// unless a drill named its own (monitoring.alertmanager_config, or
	// firedrill's default).
	Routing string  `json:"routing,omitempty"`
	Drills  []Drill `json:"drills"`
}

// Environment is where the run happened, so a reader can tell a realtime
// game day from a compressed CI run.
type Environment struct {
	// Provider is the stack provider that ran: docker or local.
	Provider string        `json:"provider"`
	Clock    incident.Mode `json:"clock"`
	Tick     time.Duration `json:"tick"`
}

// Status is a drill's outcome.
type Status string

// Drill statuses. Failed means the drill ran and missed a target (or a
// Then step); error means it could not run as written (the stack did not
// start, a step was undefined); aborted means the run was interrupted
// (Ctrl-C, SIGTERM) before the drill finished. Only passed and failed
// drills are scored: a drill that could not run has no verdict.
const (
	Passed  Status = "passed"
	Failed  Status = "failed"
	Errored Status = "error"
	Aborted Status = "aborted"
)

// Scored says whether the status carries a verdict.
func (s Status) Scored() bool { return s == Passed || s == Failed }

// Drill is one scenario's run.
type Drill struct {
	Feature  string   `json:"feature"`
	Scenario string   `json:"scenario"`
	Tags     []string `json:"tags,omitempty"`
	Status   Status   `json:"status"`
	Error    string   `json:"error,omitempty"`
	// Started and Finished are wall times; zero when unknown.
	Started  time.Time `json:"started,omitzero"`
	Finished time.Time `json:"finished,omitzero"`
	// Timeline is every milestone, in the order recorded.
	Timeline []incident.Milestone `json:"timeline"`
	// Verdict is the score of a drill that ran (passed or failed); nil for
	// one that errored or was aborted: nothing is scored that did not run.
	Verdict *scorer.Verdict `json:"verdict,omitempty"`
	Steps   []Step          `json:"steps,omitempty"`
	// Checks are the scenario's own Then steps with their verdicts, in
	// the feature's order: what the feature's author said the drill must
	// show. Empty in results stored before them.
	Checks []Check `json:"checks,omitempty"`
	// Timing is where the drill's wall time went (nil when no tick ran).
	Timing *Timing `json:"timing,omitempty"`
}

// Step is one playbook step as the runner logged it.
type Step struct {
	Name string `json:"name"`
	// Phase is diagnose, mitigate or verify.
	Phase string `json:"phase"`
	// Kind is the step type: sql, redis, http, shell, container, exec, flag, wait.
	Kind string `json:"kind"`
	// Start and End are drill times since the drill began.
	Start   time.Duration `json:"start"`
	End     time.Duration `json:"end"`
	Outcome string        `json:"outcome"`
	// Output is the step's output, cut to MaxStepOutput bytes (Truncated).
	Output    string `json:"output,omitempty"`
	Truncated bool   `json:"truncated,omitempty"`
}

// Check is one Then step of the scenario (an And or But after Then
// included) and how it ended.
type Check struct {
	// Step is the step's text, without its keyword.
	Step string `json:"step"`
	// Status is passed, failed, skipped (an earlier step failed, or the
	// drill stopped first), undefined, pending or ambiguous, as godog
	// names them.
	Status string `json:"status"`
	// Error is why a failed step failed (omitted otherwise).
	Error string `json:"error,omitempty"`
}

// CheckFailed is the status of a Then step whose expectation was not met.
const CheckFailed = "failed"

// MaxStepOutput bounds a step's stored output: a report is read by people,
// and a runaway script must not make it megabytes.
const MaxStepOutput = 4096

// TruncateOutput cuts s to at most limit bytes on a UTF-8 boundary and says
// whether it cut anything.
func TruncateOutput(s string, limit int) (string, bool) {
	if len(s) <= limit {
		return s, false
	}
	cut := max(limit, 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut], true
}

// Duration is the drill's wall time, zero when unknown.
func (d Drill) Duration() time.Duration {
	return wallSpan(d.Started, d.Finished)
}

// Why is, in one line, why the drill did not pass; "" for a drill that
// passed. The feature's own words come first, so the reason is the one its
// author would give: the first Then step that failed, else the drill's
// error (it could not run, or was interrupted), else the first criterion
// it missed with its measurement and target.
// Ended is how the drill's run ended, as its last note on the timeline
// says ("incident resolved", "time limit reached", "stopped early, …"),
// with the drill time it ended at; "" for a drill that never ran.
func (d Drill) Ended() string {
	for i := len(d.Timeline) - 1; i >= 0; i-- {
		if m := d.Timeline[i]; m.Kind == incident.Note && m.Actor == "drill" {
			return fmt.Sprintf("%s at %s of drill time", m.Subject, fmtDur(m.Drill))
		}
	}
	return ""
}

func (d Drill) Why() string {
	if d.Status == Passed {
		return ""
	}
	if d.Status == Aborted && !d.failedCheck() {
		// The error of an interrupted drill is the interruption
		// ("context canceled"): say so in words.
		why := "the run was interrupted before this drill finished"
		if d.Error != "" {
			why += " (" + oneLine(d.Error) + ")"
		}
		return why
	}
	if r := d.reason(); r != "" {
		return r
	}
	if !d.Status.Scored() {
		return strings.TrimPrefix(notScored(d), "not scored: ")
	}
	return "the drill failed, and nothing recorded says why"
}

// reason is Why from the drill's own record: a failed Then step, its
// error or a missed criterion ("" when none says anything).
func (d Drill) reason() string {
	for _, c := range d.Checks {
		if c.Status == CheckFailed {
			return oneLine(cmp.Or(c.Error, "Then "+c.Step+": failed"))
		}
	}
	if d.Error != "" {
		return oneLine(d.Error)
	}
	if v, ok := d.Scored(); ok {
		if missed := v.Missed(); len(missed) > 0 {
			return whyMissed(missed[0])
		}
	}
	return ""
}

// errorBeyondChecks is the drill's error without the lines that only
// repeat a failed Then step's error (the runtime records a step's error as
// the drill's too): what the error adds to the Then steps' verdicts.
func (d Drill) errorBeyondChecks() string {
	var keep []string
	for _, line := range strings.Split(d.Error, "\n") {
		repeats := slices.ContainsFunc(d.Checks, func(c Check) bool {
			return c.Status == CheckFailed && c.Error != "" && strings.HasSuffix(line, c.Error)
		})
		if !repeats {
			keep = append(keep, line)
		}
	}
	return strings.TrimSpace(strings.Join(keep, "\n"))
}

// failedCheck says whether one of the drill's Then steps failed.
func (d Drill) failedCheck() bool {
	return slices.ContainsFunc(d.Checks, func(c Check) bool { return c.Status == CheckFailed })
}

// Scored is the drill's verdict when it has one: the drill ran (passed or
// failed). Errored and aborted drills have none.
func (d Drill) Scored() (scorer.Verdict, bool) {
	if d.Verdict == nil || !d.Status.Scored() {
		return scorer.Verdict{}, false
	}
	return *d.Verdict, true
}

// Verdicts are the verdicts of the drills that ran (status passed or
// failed), for scorer.Summarize. Errored and aborted drills are left out:
// they did not run as written or to the end.
func (r Result) Verdicts() []scorer.Verdict {
	var out []scorer.Verdict
	for _, d := range r.Drills {
		if v, ok := d.Scored(); ok {
			out = append(out, v)
		}
	}
	return out
}

// Counts are how many drills ended in each status.
type Counts struct{ Passed, Failed, Errored, Aborted int }

// Counts counts the run's drills by status.
func (r Result) Counts() Counts {
	var c Counts
	for _, d := range r.Drills {
		switch d.Status {
		case Passed:
			c.Passed++
		case Errored:
			c.Errored++
		case Aborted:
			c.Aborted++
		default:
			c.Failed++
		}
	}
	return c
}

// Text is "4 drills: 1 passed, 1 failed, 1 error, 1 aborted" (aborted only
// when there is one).
func (c Counts) Text() string {
	n := c.Passed + c.Failed + c.Errored + c.Aborted
	s := fmt.Sprintf("%s: %d passed, %d failed, %s", plural(n, "drill"), c.Passed, c.Failed, plural(c.Errored, "error"))
	if c.Aborted > 0 {
		s += fmt.Sprintf(", %d aborted", c.Aborted)
	}
	return s
}

type envJSON struct {
	Provider string        `json:"provider"`
	Clock    incident.Mode `json:"clock"`
	Tick     jsonDuration  `json:"tick"`
}

// MarshalJSON writes the tick as {"seconds", "text"}.
func (e Environment) MarshalJSON() ([]byte, error) {
	return json.Marshal(envJSON{e.Provider, e.Clock, jsonDuration(e.Tick)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (e *Environment) UnmarshalJSON(b []byte) error {
	var w envJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("decode environment: %w", err)
	}
	*e = Environment{w.Provider, w.Clock, time.Duration(w.Tick)}
	return nil
}

type stepAlias Step

type stepJSON struct {
	stepAlias
	Start jsonDuration `json:"start"`
	End   jsonDuration `json:"end"`
}

// MarshalJSON writes start and end as {"seconds", "text"}.
func (s Step) MarshalJSON() ([]byte, error) {
	return json.Marshal(stepJSON{stepAlias(s), jsonDuration(s.Start), jsonDuration(s.End)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *Step) UnmarshalJSON(b []byte) error {
	var w stepJSON
	if err := json.Unmarshal(b, &w); err != nil {
		return fmt.Errorf("decode step: %w", err)
	}
	*s = Step(w.stepAlias)
	s.Start, s.End = time.Duration(w.Start), time.Duration(w.End)
	return nil
}

// jsonDuration is a duration stored as {"seconds": 15, "text": "15s"}, the
// same form scorer uses, so one reader handles every duration in the file.
type jsonDuration time.Duration

type durationObject struct {
	Seconds float64 `json:"seconds"`
	Text    string  `json:"text"`
}

func (d jsonDuration) MarshalJSON() ([]byte, error) {
	return json.Marshal(durationObject{time.Duration(d).Seconds(), time.Duration(d).String()})
}

func (d *jsonDuration) UnmarshalJSON(b []byte) error {
	var o durationObject
	if err := json.Unmarshal(b, &o); err != nil {
		return fmt.Errorf("decode duration: %w", err)
	}
	if math.Abs(o.Seconds) > incident.MaxDuration.Seconds() {
		return fmt.Errorf("decode duration: %g seconds is beyond a year", o.Seconds)
	}
	*d = jsonDuration(time.Duration(math.Round(o.Seconds * float64(time.Second))))
	return nil
}
