package responders

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/prometheus/promql"
	"gopkg.in/yaml.v3"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/stack"
)

// Step is one playbook step kind's action. Run is called on the step's
// first tick and, while it asks to retry, once on each later tick until its
// timeout (drill time) passes. The answer has alertmanager's notifier shape:
//
//   - retry false, err nil: the step is done and succeeded;
//   - retry false, err set: the step failed for good;
//   - retry true: not done yet (a condition that does not hold yet, a
//     transient failure, a drill-time wait); err, if set, says why, and is
//     reported should the timeout pass.
//
// output is what the step saw (rows, a body, a script's output); it goes to
// the timeline, redacted and truncated. A step value is made fresh for each
// execution, so it may keep state between its calls (a wait's start).
type Step interface {
	Run(ctx context.Context, rt *Runtime) (retry bool, output string, err error)
}

// Validator is an optional ability of a step kind: checks across its
// fields, run when the playbook loads (on the fields as written, templates
// not yet executed) so that bad input is found before a drill starts.
type Validator interface {
	Validate() error
}

// TimeoutDefaulter is an optional ability: a step kind whose natural length
// differs from DefaultTimeout (a long wait) says what its timeout is when the
// playbook sets none.
type TimeoutDefaulter interface {
	DefaultTimeout() time.Duration
}

// DefaultTimeout bounds a step (in drill time) when neither the playbook nor
// the kind says otherwise.
const DefaultTimeout = 5 * time.Minute

// Querier evaluates PromQL at a drill timestamp against the drill's samples.
// The drill runtime wires the monitor (monitors.Monitor satisfies it) to the
// wait steps. An instant query "holds" when its answer has any sample, the
// way an alerting rule's expression fires.
type Querier interface {
	Query(ctx context.Context, expr string, at time.Time) (promql.Vector, error)
}

// Runtime is what steps act on: the drill's stack, clock and monitoring.
// Make it with NewRuntime at drill start, so that the drill-duration
// template helper can measure how compressed the drill runs.
type Runtime struct {
	Env   *stack.Env
	Clock *incident.Clock
	// Querier answers wait steps' PromQL; nil makes such steps fail.
	Querier Querier
	// PrometheusURL and AlertmanagerURL are where the drill serves
	// Prometheus' and Alertmanager's HTTP APIs (on 127.0.0.1), for the
	// scripts that call them; "" when nothing serves them.
	PrometheusURL, AlertmanagerURL string
	// OutDir is the drill's own directory in the run's output (`firedrill
	// run --out`: <out>/drills/<feature>/<scenario>; under go test, a
	// directory removed when the run ends), where steps keep what they
	// collect: a shell step gets it as FIREDRILL_OUT_DIR, made before the
	// step runs. "" when nothing keeps files.
	OutDir string
	// Dir is the running playbook's directory (set by Run on its copy).
	Dir string
	// Files are the running playbook's files when they are the binary's (a
	// shipped playbook: a file step's script is read from here); nil when
	// they are on disk in Dir.
	Files fs.FS
	// HTTP is the client of http and flag steps; nil means one with a 10 s
	// timeout.
	HTTP *http.Client

	// wall0 and drill0 are the wall and drill times the scale is measured
	// from.
	wall0  time.Time
	drill0 time.Duration
	// wallNow is the wall clock Scale reads (time.Now; tests fix it).
	wallNow func() time.Time
}

// NewRuntime returns the runtime of one drill, measuring drill compression
// from now on.
func NewRuntime(env *stack.Env, clock *incident.Clock, q Querier) *Runtime {
	rt := &Runtime{Env: env, Clock: clock, Querier: q, wall0: time.Now()}
	if clock != nil {
		rt.drill0 = clock.Now()
	}
	return rt
}

// Factory makes a zero value of a step kind: a pointer to a struct whose
// fields, tagged `yaml:"name"`, are the kind's fields in a playbook. A field
// tagged `required:"true"` must be present.
type Factory func() Step

type registry struct {
	mu    sync.RWMutex
	kinds map[string]Factory
}

var kinds = &registry{kinds: map[string]Factory{}}

// Register adds a step kind. It panics on a duplicate or empty kind, a nil
// factory, or a factory whose value is not a pointer to a struct: those are
// programming errors, found when the binary starts.
func Register(kind string, f Factory) {
	if kind == "" || f == nil {
		panic("responders: Register needs a kind and a factory")
	}
	if _, err := fieldsOf(f()); err != nil {
		panic(fmt.Sprintf("responders: register step kind %q: %v", kind, err))
	}
	kinds.mu.Lock()
	defer kinds.mu.Unlock()
	if _, dup := kinds.kinds[kind]; dup {
		panic(fmt.Sprintf("responders: step kind %q registered twice", kind))
	}
	kinds.kinds[kind] = f
}

// Kinds lists the registered step kinds, sorted.
func Kinds() []string {
	kinds.mu.RLock()
	defer kinds.mu.RUnlock()
	return slices.Sorted(maps.Keys(kinds.kinds))
}

func lookupKind(kind string) (Factory, bool) {
	kinds.mu.RLock()
	defer kinds.mu.RUnlock()
	f, ok := kinds.kinds[kind]
	return f, ok
}

// field is one playbook field of a step kind.
type field struct {
	name     string
	required bool
}

// fieldsOf reads a step value's yaml-tagged fields (yaml.v3 Node.Decode
// has no KnownFields, so the loader checks names itself, against these).
func fieldsOf(s Step) ([]field, error) {
	v := reflect.ValueOf(s)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("factory returns %T, want a pointer to a struct", s)
	}
	t := v.Elem().Type()
	var out []field
	for i := range t.NumField() {
		f := t.Field(i)
		tag, ok := f.Tag.Lookup("yaml")
		if !ok || !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		if headerFields[name] {
			return nil, fmt.Errorf("field %s: %q is a field every step has", f.Name, name)
		}
		out = append(out, field{name: name, required: f.Tag.Get("required") == "true"})
	}
	return out, nil
}

// headerFields are the fields every step has, whatever its kind.
var headerFields = map[string]bool{"name": true, "phase": true, "kind": true, "timeout": true, "continue_on_error": true}

// Phase is where a step belongs in the response; the last step of each
// phase, finishing OK, becomes a milestone.
type Phase string

// The phases, in the order a response usually goes through them.
const (
	Diagnose Phase = "diagnose"
	Mitigate Phase = "mitigate"
	Verify   Phase = "verify"
)

// Duration is a duration as playbooks write it: "10m", "90 seconds".
type Duration time.Duration

// UnmarshalYAML reads the duration, failing with the value's line. The
// error is a yaml.TypeError, so decoding goes on to the step's other fields
// and every problem is reported.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	bad := func(format string, args ...any) error {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: ", n.Line) + fmt.Sprintf(format, args...)}}
	}
	if n.Kind != yaml.ScalarNode {
		return bad("want a duration (e.g. 10m or 90 seconds), not %s", map[yaml.Kind]string{yaml.MappingNode: "a mapping", yaml.SequenceNode: "a list"}[n.Kind])
	}
	v, err := incident.ParseDuration(n.Value)
	if err != nil {
		why := strings.TrimPrefix(err.Error(), fmt.Sprintf("parse duration %q: ", n.Value))
		if strings.HasPrefix(why, "want a number and a unit") {
			return bad("%q is not a duration (e.g. 10m or 90 seconds)", n.Value)
		}
		return bad("%q is not a duration: %s", n.Value, why)
	}
	*d = Duration(v)
	return nil
}

// lineError is an error at a line of the file being loaded.
type lineError struct {
	line int
	err  error
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %v", e.line, e.err) }
func (e *lineError) Unwrap() error { return e.err }
