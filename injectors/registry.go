package injectors

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/firedrill/firedrill/incident"
)

// Sentinel errors, so the CLI can map bad input to its exit code.
var (
	// ErrUnknownFault means no fault is registered under the name.
	ErrUnknownFault = errors.New("unknown fault")
	// ErrBadParam means a parameter is unknown or its value is not allowed.
	ErrBadParam = errors.New("bad parameter")
)

// Fault is a registered fault as `firedrill list` shows it.
type Fault struct {
	Name string
	// Description is the Describer's sentence, or empty.
	Description string
	// Params are the fault's parameters in field order.
	Params []Param

	factory func() Injector
}

// Param is one parameter of a fault, read from its field's tags.
type Param struct {
	Name string
	// Type is how the value is written: integer, number, text, true/false,
	// duration or list (comma-separated).
	Type string
	// Default is the tag's default, as written; empty means the zero value.
	Default string
	// Zero is what the zero value means to the fault (tag zero: "every
	// connection slot"), so a listing shows what a drill gets by default.
	Zero string
	Help string
	// Min and Max bound an integer or a number when the tags set them.
	Min, Max *float64
	// Enum lists the allowed values of a text parameter when the tag sets it.
	Enum []string

	index []int
	kind  paramKind
}

// Allowed says what values the parameter takes, for errors and listings.
func (p Param) Allowed() string {
	switch {
	case len(p.Enum) > 0:
		return "one of " + strings.Join(p.Enum, ", ")
	case p.Min != nil && p.Max != nil:
		return fmt.Sprintf("%s from %s to %s", p.Type, num(*p.Min), num(*p.Max))
	case p.Min != nil:
		return fmt.Sprintf("%s of at least %s", p.Type, num(*p.Min))
	case p.Max != nil:
		return fmt.Sprintf("%s of at most %s", p.Type, num(*p.Max))
	}
	return p.Type
}

// DefaultText is the value the fault runs with when a drill's table leaves
// the parameter out, as `firedrill list` shows it: the tag's default, or
// the zero value with its meaning ("0 (every connection slot)"; an empty
// text or list is its meaning alone).
func (p Param) DefaultText() string {
	if p.Default != "" {
		return p.Default
	}
	zero := map[paramKind]string{kindInt: "0", kindFloat: "0", kindBool: "false", kindDuration: "0s"}[p.kind]
	switch {
	case p.Zero == "" && zero == "":
		return `""`
	case p.Zero == "":
		return zero
	case zero == "":
		return p.Zero
	}
	return zero + " (" + p.Zero + ")"
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

type paramKind int

const (
	kindString paramKind = iota
	kindInt
	kindFloat
	kindBool
	kindDuration
	kindList
)

var kindNames = map[paramKind]string{
	kindString: "text", kindInt: "integer", kindFloat: "number", kindBool: "true/false",
	kindDuration: "duration", kindList: "list",
}

type registry struct {
	mu     sync.RWMutex
	faults map[string]*Fault
}

var faults = &registry{}

// Register adds a fault under name. It panics on a duplicate name, an empty
// one, or a factory whose value is not a pointer to a struct with valid
// parameter tags: those are programming errors, found when the binary
// starts (as grafana/k6's ext.Register does).
func Register(name string, factory func() Injector) { faults.register(name, factory) }

// Lookup returns the fault registered under name; the error wraps
// ErrUnknownFault and lists the known names.
func Lookup(name string) (Fault, error) { return faults.lookup(name) }

// Names lists the registered faults, sorted.
func Names() []string { return faults.names() }

// List returns every registered fault, sorted by name.
func List() []Fault {
	var out []Fault
	for _, n := range faults.names() {
		f, _ := faults.lookup(n)
		out = append(out, f)
	}
	return out
}

// New makes the named fault with its parameters decoded from a feature's
// table, so bad input is found before anything starts.
func New(name string, params map[string]string) (Injector, error) { return faults.new(name, params) }

func (r *registry) register(name string, factory func() Injector) {
	if name == "" || factory == nil {
		panic("injectors: Register needs a name and a factory")
	}
	params, err := paramsOf(factory())
	if err != nil {
		panic(fmt.Sprintf("injectors: register %q: %v", name, err))
	}
	f := &Fault{Name: name, Params: params, factory: factory}
	if d, ok := factory().(Describer); ok {
		f.Description = d.Description()
	}
	// Every default must decode, or New would fail for everyone.
	if _, err := decode(f, nil); err != nil {
		panic(fmt.Sprintf("injectors: register %q: defaults: %v", name, err))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.faults == nil {
		r.faults = map[string]*Fault{}
	}
	if _, dup := r.faults[name]; dup {
		panic(fmt.Sprintf("injectors: fault %q registered twice", name))
	}
	r.faults[name] = f
}

func (r *registry) lookup(name string) (Fault, error) {
	r.mu.RLock()
	f, ok := r.faults[name]
	r.mu.RUnlock()
	if !ok {
		return Fault{}, fmt.Errorf("look up fault %q: %w (known: %s)", name, ErrUnknownFault, strings.Join(r.names(), ", "))
	}
	c := *f
	c.Params = slices.Clone(f.Params)
	return c, nil
}

func (r *registry) names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return slices.Sorted(maps.Keys(r.faults))
}

func (r *registry) new(name string, params map[string]string) (Injector, error) {
	r.mu.RLock()
	f, ok := r.faults[name]
	r.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("new fault %q: %w (known: %s)", name, ErrUnknownFault, strings.Join(r.names(), ", "))
	}
	inj, err := decode(f, params)
	if err != nil {
		return nil, fmt.Errorf("new fault %q: %w", name, err)
	}
	return inj, nil
}

// paramsOf reads the parameter fields of a factory's value.
func paramsOf(inj Injector) ([]Param, error) {
	v := reflect.ValueOf(inj)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("factory must return a pointer to a struct, not %T", inj)
	}
	var out []Param
	seen := map[string]bool{}
	for _, sf := range reflect.VisibleFields(v.Elem().Type()) {
		name, ok := sf.Tag.Lookup("param")
		if !ok {
			continue
		}
		if !sf.IsExported() || name == "" {
			return nil, fmt.Errorf("field %s: a param tag needs an exported field and a name", sf.Name)
		}
		if seen[name] {
			return nil, fmt.Errorf("field %s: parameter %q declared twice", sf.Name, name)
		}
		seen[name] = true
		kind, err := kindOf(sf.Type)
		if err != nil {
			return nil, fmt.Errorf("field %s: %w", sf.Name, err)
		}
		p := Param{Name: name, Type: kindNames[kind], Default: sf.Tag.Get("default"), Zero: sf.Tag.Get("zero"), Help: sf.Tag.Get("help"), index: sf.Index, kind: kind}
		for tag, dst := range map[string]**float64{"min": &p.Min, "max": &p.Max} {
			if s, ok := sf.Tag.Lookup(tag); ok {
				if kind != kindInt && kind != kindFloat {
					return nil, fmt.Errorf("field %s: %s applies to numbers only", sf.Name, tag)
				}
				f, err := strconv.ParseFloat(s, 64)
				if err != nil {
					return nil, fmt.Errorf("field %s: %s=%q is not a number", sf.Name, tag, s)
				}
				*dst = &f
			}
		}
		if s, ok := sf.Tag.Lookup("enum"); ok {
			if kind != kindString {
				return nil, fmt.Errorf("field %s: enum applies to text only", sf.Name)
			}
			p.Enum = strings.Split(s, ",")
		}
		out = append(out, p)
	}
	return out, nil
}

var durationType = reflect.TypeFor[time.Duration]()

func kindOf(t reflect.Type) (paramKind, error) {
	if t == durationType {
		return kindDuration, nil
	}
	switch t.Kind() {
	case reflect.String:
		return kindString, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return kindInt, nil
	case reflect.Float32, reflect.Float64:
		return kindFloat, nil
	case reflect.Bool:
		return kindBool, nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.String {
			return kindList, nil
		}
	}
	return 0, fmt.Errorf("unsupported parameter type %s", t)
}

// decode makes a fresh injector and sets its fields: defaults, then params.
func decode(f *Fault, params map[string]string) (Injector, error) {
	inj := f.factory()
	v := reflect.ValueOf(inj).Elem()
	byName := map[string]Param{}
	for _, p := range f.Params {
		byName[p.Name] = p
		if p.Default != "" {
			if err := set(v.FieldByIndex(p.index), p, p.Default); err != nil {
				return nil, fmt.Errorf("%w: %s default %q: %v (allowed: %s)", ErrBadParam, p.Name, p.Default, err, p.Allowed())
			}
		}
	}
	// Sorted, so the first error reported is the same on every run.
	for _, k := range slices.Sorted(maps.Keys(params)) {
		raw := params[k]
		p, ok := byName[strings.TrimSpace(k)]
		if !ok {
			return nil, fmt.Errorf("%w: unknown parameter %q (value %q); %s", ErrBadParam, k, raw, known(f.Params))
		}
		if err := set(v.FieldByIndex(p.index), p, strings.TrimSpace(raw)); err != nil {
			return nil, fmt.Errorf("%w: %s = %q: %v (allowed: %s)", ErrBadParam, p.Name, raw, err, p.Allowed())
		}
	}
	if val, ok := inj.(Validator); ok {
		if err := val.Validate(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrBadParam, err)
		}
	}
	return inj, nil
}

func known(ps []Param) string {
	if len(ps) == 0 {
		return "this fault takes no parameters"
	}
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Name
	}
	return "known: " + strings.Join(names, ", ")
}

// set parses s as p's type into field, checking p's bounds.
func set(field reflect.Value, p Param, s string) error {
	inRange := func(f float64) error {
		if p.Min != nil && f < *p.Min || p.Max != nil && f > *p.Max {
			return errors.New("out of range")
		}
		return nil
	}
	switch p.kind {
	case kindString:
		if len(p.Enum) > 0 && !slices.Contains(p.Enum, s) {
			return errors.New("not an allowed value")
		}
		field.SetString(s)
	case kindInt:
		n, err := strconv.ParseInt(s, 10, field.Type().Bits())
		if err != nil {
			return errors.New("not an integer")
		}
		if err := inRange(float64(n)); err != nil {
			return err
		}
		field.SetInt(n)
	case kindFloat:
		f, err := strconv.ParseFloat(s, field.Type().Bits())
		if err != nil {
			return errors.New("not a number")
		}
		// ParseFloat reads NaN and Inf, which no bound refuses (NaN
		// compares false with everything): a fault would multiply by them.
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return errors.New("not a finite number")
		}
		if err := inRange(f); err != nil {
			return err
		}
		field.SetFloat(f)
	case kindBool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return errors.New("not true or false")
		}
		field.SetBool(b)
	case kindDuration:
		d, err := incident.ParseDuration(s)
		if err != nil {
			return errors.New("not a duration like 90s or 2 minutes")
		}
		field.SetInt(int64(d))
	case kindList:
		var items []string
		for _, it := range strings.Split(s, ",") {
			if it = strings.TrimSpace(it); it != "" {
				items = append(items, it)
			}
		}
		field.Set(reflect.ValueOf(items).Convert(field.Type()))
	}
	return nil
}
