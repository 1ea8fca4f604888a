package injectors

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeFault has one parameter of every supported type.
type fakeFault struct {
	Percent int           `param:"percent" default:"50" min:"0" max:"100" help:"share"`
	Mode    string        `param:"mode" default:"soft" enum:"soft,hard" help:"how"`
	Ratio   float64       `param:"ratio" min:"0" max:"1" help:"a fraction"`
	On      bool          `param:"on" default:"true" help:"switch"`
	Wait    time.Duration `param:"wait" default:"2 minutes" help:"how long"`
	Paths   []string      `param:"paths" help:"where"`
	// Untagged fields are the fault's own state, not parameters.
	state int
}

func (*fakeFault) Inject(context.Context, Target) error  { return nil }
func (*fakeFault) Recover(context.Context, Target) error { return nil }
func (*fakeFault) Description() string                   { return "a fake fault" }

// checkedFault has a Validator that refuses odd counts.
type checkedFault struct {
	Count int `param:"count" default:"2"`
}

func (*checkedFault) Inject(context.Context, Target) error  { return nil }
func (*checkedFault) Recover(context.Context, Target) error { return nil }
func (c *checkedFault) Validate() error {
	if c.Count%2 != 0 {
		return errors.New("count: must be even")
	}
	return nil
}

func newTestRegistry(t *testing.T) *registry {
	t.Helper()
	r := &registry{}
	r.register("fake", func() Injector { return new(fakeFault) })
	r.register("checked", func() Injector { return new(checkedFault) })
	return r
}

func TestRegistryDefaults(t *testing.T) {
	r := newTestRegistry(t)
	inj, err := r.new("fake", nil)
	require.NoError(t, err)
	assert.Equal(t, &fakeFault{Percent: 50, Mode: "soft", On: true, Wait: 2 * time.Minute}, inj)

	// Each New is a fresh value: state never leaks between drills.
	inj.(*fakeFault).state = 7
	again, err := r.new("fake", nil)
	require.NoError(t, err)
	assert.Zero(t, again.(*fakeFault).state)
}

func TestRegistryDecodesParams(t *testing.T) {
	r := newTestRegistry(t)
	inj, err := r.new("fake", map[string]string{
		"percent": " 30 ", "mode": "hard", "ratio": "0.25", "on": "false", "wait": "90s", "paths": "/a, /b,,",
	})
	require.NoError(t, err)
	assert.Equal(t, &fakeFault{Percent: 30, Mode: "hard", Ratio: 0.25, On: false, Wait: 90 * time.Second, Paths: []string{"/a", "/b"}}, inj)
}

func TestRegistryRejectsBadInput(t *testing.T) {
	r := newTestRegistry(t)
	for name, tc := range map[string]struct {
		params map[string]string
		want   []string
	}{
		"unknown parameter": {map[string]string{"percnt": "40"}, []string{`unknown parameter "percnt"`, `"40"`, "known: percent, mode, ratio, on, wait, paths"}},
		"not an integer":    {map[string]string{"percent": "lots"}, []string{`percent = "lots"`, "not an integer", "integer from 0 to 100"}},
		"above the range":   {map[string]string{"percent": "150"}, []string{`percent = "150"`, "out of range", "integer from 0 to 100"}},
		"below the range":   {map[string]string{"percent": "-1"}, []string{`percent = "-1"`, "out of range"}},
		"float range":       {map[string]string{"ratio": "1.5"}, []string{`ratio = "1.5"`, "number from 0 to 1"}},
		"not in the enum":   {map[string]string{"mode": "medium"}, []string{`mode = "medium"`, "one of soft, hard"}},
		"not a bool":        {map[string]string{"on": "maybe"}, []string{`on = "maybe"`, "true or false"}},
		"not a duration":    {map[string]string{"wait": "soon"}, []string{`wait = "soon"`, "duration"}},
		"NaN":               {map[string]string{"ratio": "NaN"}, []string{`ratio = "NaN"`, "not a finite number", "number from 0 to 1"}},
		"nan":               {map[string]string{"ratio": "nan"}, []string{`ratio = "nan"`, "not a finite number"}},
		"Inf":               {map[string]string{"ratio": "Inf"}, []string{`ratio = "Inf"`, "not a finite number"}},
		"-infinity":         {map[string]string{"ratio": "-infinity"}, []string{`ratio = "-infinity"`, "not a finite number"}},
		"overflow":          {map[string]string{"ratio": "1e999"}, []string{`ratio = "1e999"`, "not a number"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := r.new("fake", tc.params)
			require.ErrorIs(t, err, ErrBadParam)
			assert.ErrorContains(t, err, `new fault "fake"`)
			for _, w := range tc.want {
				assert.ErrorContains(t, err, w)
			}
		})
	}
}

// A float parameter with no bounds refuses NaN and Inf as well, and so do
// the shipped faults' float parameters.
func TestFloatParamsRefuseNaNAndInf(t *testing.T) {
	r := &registry{}
	r.register("unbounded", func() Injector { return new(unboundedFault) })
	for _, v := range []string{"NaN", "+Inf", "-Inf", "infinity"} {
		_, err := r.new("unbounded", map[string]string{"scale": v})
		require.ErrorIs(t, err, ErrBadParam, v)
		assert.ErrorContains(t, err, "not a finite number", v)
	}
	inj, err := r.new("unbounded", map[string]string{"scale": "-2.5e3"})
	require.NoError(t, err)
	assert.Equal(t, -2500.0, inj.(*unboundedFault).Scale)

	for fault, param := range map[string]string{"traffic-surge": "factor", "auth-attack": "rate"} {
		for _, v := range []string{"NaN", "Inf"} {
			_, err := New(fault, map[string]string{param: v})
			require.ErrorIs(t, err, ErrBadParam, "%s %s=%s", fault, param, v)
			assert.ErrorContains(t, err, "not a finite number")
		}
	}
}

type unboundedFault struct {
	Scale float64 `param:"scale" help:"any number"`
}

func (*unboundedFault) Inject(context.Context, Target) error  { return nil }
func (*unboundedFault) Recover(context.Context, Target) error { return nil }

func TestRegistryRunsValidator(t *testing.T) {
	r := newTestRegistry(t)
	_, err := r.new("checked", map[string]string{"count": "3"})
	require.ErrorIs(t, err, ErrBadParam)
	assert.ErrorContains(t, err, "count: must be even")
	_, err = r.new("checked", map[string]string{"count": "4"})
	require.NoError(t, err)
}

func TestRegistryUnknownFault(t *testing.T) {
	r := newTestRegistry(t)
	_, err := r.new("nope", nil)
	require.ErrorIs(t, err, ErrUnknownFault)
	assert.ErrorContains(t, err, "known: checked, fake")
	_, err = r.lookup("nope")
	require.ErrorIs(t, err, ErrUnknownFault)
}

func TestRegistryLookupDescribes(t *testing.T) {
	r := newTestRegistry(t)
	f, err := r.lookup("fake")
	require.NoError(t, err)
	assert.Equal(t, "a fake fault", f.Description)
	var names []string
	for _, p := range f.Params {
		names = append(names, p.Name)
	}
	assert.Equal(t, []string{"percent", "mode", "ratio", "on", "wait", "paths"}, names)
	assert.Equal(t, "50", f.Params[0].Default)
	assert.Equal(t, "share", f.Params[0].Help)
	assert.Equal(t, "integer from 0 to 100", f.Params[0].Allowed())
	assert.Equal(t, "duration", f.Params[4].Type)
	assert.Equal(t, []string{"checked", "fake"}, r.names())
}

func TestRegisterPanics(t *testing.T) {
	for name, tc := range map[string]struct {
		factory func() Injector
		want    string
	}{
		"duplicate name":       {func() Injector { return new(fakeFault) }, `fault "fake" registered twice`},
		"not a pointer":        {func() Injector { return valueFault{} }, "pointer to a struct"},
		"unsupported type":     {func() Injector { return new(mapFault) }, "unsupported parameter type"},
		"default out of range": {func() Injector { return new(badDefaultFault) }, `n default "7"`},
		"unexported param":     {func() Injector { return new(unexportedFault) }, "exported field"},
	} {
		t.Run(name, func(t *testing.T) {
			r := newTestRegistry(t)
			n := "fake"
			if name != "duplicate name" {
				n = "other"
			}
			defer func() {
				v := recover()
				require.NotNil(t, v, "Register must panic")
				assert.Contains(t, v, tc.want)
			}()
			r.register(n, tc.factory)
		})
	}
}

type valueFault struct{}

func (valueFault) Inject(context.Context, Target) error  { return nil }
func (valueFault) Recover(context.Context, Target) error { return nil }

type mapFault struct {
	M map[string]int `param:"m"`
}

func (*mapFault) Inject(context.Context, Target) error  { return nil }
func (*mapFault) Recover(context.Context, Target) error { return nil }

type badDefaultFault struct {
	N int `param:"n" default:"7" max:"5"`
}

func (*badDefaultFault) Inject(context.Context, Target) error  { return nil }
func (*badDefaultFault) Recover(context.Context, Target) error { return nil }

type unexportedFault struct {
	n int `param:"n"` //nolint:unused // the tag is the point: Register must refuse it
}

func (*unexportedFault) Inject(context.Context, Target) error  { return nil }
func (*unexportedFault) Recover(context.Context, Target) error { return nil }

func TestDefaultText(t *testing.T) {
	for want, p := range map[string]Param{
		"50":                          {Default: "50", kind: kindInt},
		"0 (every slot)":              {Zero: "every slot", kind: kindInt},
		"every API endpoint":          {Zero: "every API endpoint", kind: kindList},
		"0s":                          {kind: kindDuration},
		`""`:                          {kind: kindString},
		"false (the app's own flags)": {Zero: "the app's own flags", kind: kindBool},
	} {
		assert.Equal(t, want, p.DefaultText())
	}
}

// TestShippedFaults checks the public names and defaults of DESIGN.md's
// "Shipped names" table, and that each fault describes itself for
// `firedrill list`.
func TestShippedFaults(t *testing.T) {
	assert.Subset(t, Names(), []string{"db-pool-exhaustion", "error-spike", "data-deletion"})
	for _, f := range List() {
		assert.NotEmpty(t, f.Description, f.Name)
		inj, err := New(f.Name, nil)
		require.NoError(t, err, f.Name)
		for _, p := range f.Params {
			assert.NotEmpty(t, p.Help, "%s: %s", f.Name, p.Name)
			if p.Default == "" {
				// The zero value is what the fault runs with, and list
				// says what it means rather than a placeholder.
				assert.NotEmpty(t, p.Zero, "%s: %s defaults to its zero value: a zero tag says what that means", f.Name, p.Name)
				assert.True(t, reflect.ValueOf(inj).Elem().FieldByIndex(p.index).IsZero(), "%s: %s", f.Name, p.Name)
			}
		}
	}

	inj, err := New("db-pool-exhaustion", nil)
	require.NoError(t, err)
	assert.Zero(t, inj.(*PoolExhaustion).Connections, "0 means every slot")

	inj, err = New("error-spike", nil)
	require.NoError(t, err)
	assert.Equal(t, 50, inj.(*ErrorSpike).Percent)
	assert.Equal(t, "new_feature", inj.(*ErrorSpike).Feature)
	inj, err = New("error-spike", map[string]string{"percent": "20", "endpoints": "/api/auth/status", "feature": ""})
	require.NoError(t, err)
	assert.Equal(t, &ErrorSpike{Percent: 20, Endpoints: []string{"/api/auth/status"}}, inj)
	_, err = New("error-spike", map[string]string{"endpoints": "api/auth/status"})
	assert.ErrorIs(t, err, ErrBadParam)
	assert.ErrorContains(t, err, `"api/auth/status" must be a path`)

	inj, err = New("data-deletion", nil)
	require.NoError(t, err)
	assert.Equal(t, "content", inj.(*DataDeletion).Table)
	assert.Equal(t, 30, inj.(*DataDeletion).Percent)
	_, err = New("data-deletion", map[string]string{"table": "content; DROP TABLE users"})
	assert.ErrorIs(t, err, ErrBadParam)
	assert.ErrorContains(t, err, "not a table name")
	_, err = New("data-deletion", map[string]string{"percent": "0"})
	assert.ErrorIs(t, err, ErrBadParam)
	assert.ErrorContains(t, err, "integer from 1 to 100")
}
