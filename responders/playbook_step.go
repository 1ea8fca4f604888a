// A playbook's steps: how each is parsed and checked, and decoded when it starts.

package responders

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/firedrill/firedrill/internal/yamlerr"
)

// StepSpec is one step as the playbook declares it. Its kind's fields stay
// as YAML until the step starts, when their templates are filled in with
// the running stack's values and decoded into the kind's value.
type StepSpec struct {
	Name  string
	Phase Phase
	Kind  string
	// Timeout bounds the step in drill time (the playbook's, the kind's
	// default, or DefaultTimeout).
	Timeout         time.Duration
	ContinueOnError bool
	// Line is where the step begins in File.
	Line int

	file   string
	fields *yaml.Node // mapping of the kind's own fields
	// files are the playbook-relative files the step runs (fileStep).
	files []string
}

// parseStep validates one step: its header, its kind's fields and their
// templates, by decoding it as it would be decoded at run time with a
// sample stack. Every problem of the step is reported, each at its line.
func parseStep(file string, n int, s *yaml.Node) (*StepSpec, error) {
	var errs []error
	at := func(line int, err error) {
		errs = append(errs, &Error{File: file, Line: line, Err: fmt.Errorf("step %d: %w", n, err)})
	}
	if s.Kind != yaml.MappingNode {
		at(s.Line, errors.New("want a mapping with name, phase, kind and the kind's fields"))
		return nil, errors.Join(errs...)
	}
	spec := &StepSpec{Line: s.Line, file: file, fields: &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: s.Line, Column: s.Column}}
	var timeout *Duration
	var kindNode, phaseNode *yaml.Node
	bad := map[string]bool{}
	for i := 0; i+1 < len(s.Content); i += 2 {
		k, v := s.Content[i], s.Content[i+1]
		var err error
		switch k.Value {
		case "name":
			err = v.Decode(&spec.Name)
		case "phase":
			phaseNode = v
			err = v.Decode(&spec.Phase)
		case "kind":
			kindNode = v
			err = v.Decode(&spec.Kind)
		case "timeout":
			timeout = new(Duration)
			if err = v.Decode(timeout); err != nil {
				timeout = nil
			}
		case "continue_on_error":
			err = v.Decode(&spec.ContinueOnError)
		default:
			spec.fields.Content = append(spec.fields.Content, k, v)
			continue
		}
		if err != nil {
			bad[k.Value] = true
			errs = append(errs, decodeErrors(file, n, v.Line, k.Value, err)...)
		}
	}
	for _, req := range []struct{ name, val string }{{"name", spec.Name}, {"phase", string(spec.Phase)}, {"kind", spec.Kind}} {
		if req.val == "" && !bad[req.name] {
			at(s.Line, fmt.Errorf("missing field %q", req.name))
		}
	}
	spec.Name = strings.TrimSpace(spec.Name)
	switch spec.Phase {
	case Diagnose, Mitigate, Verify, "":
	default:
		at(phaseNode.Line, fmt.Errorf("%q: unknown phase %q (diagnose, mitigate or verify)", spec.Name, spec.Phase))
	}
	if spec.Kind == "" {
		return nil, errors.Join(errs...)
	}
	factory, ok := lookupKind(spec.Kind)
	if !ok {
		at(kindNode.Line, fmt.Errorf("%q: unknown step kind %q (known: %s)", spec.Name, spec.Kind, strings.Join(Kinds(), ", ")))
		return nil, errors.Join(errs...)
	}
	fields, _ := fieldsOf(factory())
	known := make([]string, len(fields))
	for i, f := range fields {
		known[i] = f.name
	}
	have := map[string]bool{}
	for i := 0; i+1 < len(spec.fields.Content); i += 2 {
		k := spec.fields.Content[i]
		if !slices.Contains(known, k.Value) {
			at(k.Line, fmt.Errorf("%q: unknown field %q for kind %s (its fields: %s; every step: name, phase, kind, timeout, continue_on_error)",
				spec.Name, k.Value, spec.Kind, strings.Join(known, ", ")))
		}
		have[k.Value] = true
	}
	complete := true
	for _, f := range fields {
		if f.required && !have[f.name] {
			at(s.Line, fmt.Errorf("%q: missing field %q (required by kind %s)", spec.Name, f.name, spec.Kind))
			complete = false
		}
	}
	if timeout != nil && *timeout <= 0 {
		at(s.Line, fmt.Errorf("%q: timeout must be positive", spec.Name))
	}
	// Without a required field its kind's own check would only say so
	// again.
	var step Step
	if complete {
		var err error
		if step, err = spec.decode(sampleData, nil); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if fsStep, ok := step.(fileStep); ok {
		spec.files = fsStep.Files()
	}
	spec.Timeout = DefaultTimeout
	if d, ok := step.(TimeoutDefaulter); ok {
		spec.Timeout = d.DefaultTimeout()
	}
	if timeout != nil {
		spec.Timeout = time.Duration(*timeout)
	}
	return spec, nil
}

// located are the problems of an error of decoding, each at its line: a
// lineError's, each entry of a yaml.TypeError (said as a sentence, not as
// "cannot unmarshal !!str"), or else line.
func located(line int, err error) []lineError { return locatedIn(nil, line, err) }

// locatedIn is located with each TypeError entry naming its key, found by
// its line in ix (nil: none).
func locatedIn(ix *yamlerr.Index, line int, err error) []lineError {
	var le *lineError
	if errors.As(err, &le) {
		line, err = le.line, le.err
	}
	var te *yaml.TypeError
	if !errors.As(err, &te) || len(te.Errors) == 0 {
		return []lineError{{line: line, err: err}}
	}
	out := make([]lineError, 0, len(te.Errors))
	for _, msg := range te.Errors {
		if ix != nil {
			if p := ix.Problem(msg, nil); p.Line > 0 {
				out = append(out, lineError{line: p.Line, err: errors.New(p.String())})
				continue
			}
		}
		l := line
		if m := yamlLine.FindStringSubmatchIndex(msg); m != nil {
			l, _ = strconv.Atoi(msg[m[2]:m[3]])
			msg = msg[:m[0]] + msg[m[1]:]
		}
		out = append(out, lineError{line: l, err: errors.New(yamlerr.Sentence(msg))})
	}
	return out
}

// decodeErrors place the errors of decoding a header field at their lines.
func decodeErrors(file string, step, line int, fieldName string, err error) []error {
	var out []error
	for _, le := range located(line, err) {
		out = append(out, &Error{File: file, Line: le.line, Err: fmt.Errorf("step %d: %s: %w", step, fieldName, le.err)})
	}
	return out
}

// decode fills the templates of the step's fields with data and decodes
// them into a fresh value of its kind, then runs its Validator. rt is nil
// when validating (the drill helper then checks its argument only).
func (s *StepSpec) decode(data TemplateData, rt *Runtime) (Step, error) {
	fail := func(err error) error {
		var errs []error
		for _, le := range locatedIn(yamlerr.NewIndex(s.fields), s.Line, err) {
			errs = append(errs, &Error{File: s.file, Line: le.line, Err: fmt.Errorf("step %q: %w", s.Name, le.err)})
		}
		return errors.Join(errs...)
	}
	factory, ok := lookupKind(s.Kind)
	if !ok {
		return nil, fail(fmt.Errorf("unknown step kind %q", s.Kind))
	}
	n, err := render(s.fields, data, rt)
	if err != nil {
		return nil, fail(err)
	}
	step := factory()
	if err := n.Decode(step); err != nil {
		return nil, fail(err)
	}
	if v, ok := step.(Validator); ok {
		if err := v.Validate(); err != nil {
			return nil, fail(&lineError{line: s.fieldLine(err), err: err})
		}
	}
	return step, nil
}

// fieldLine is the line of the field a Validator's error begins with
// ("action: ..."), or the step's.
func (s *StepSpec) fieldLine(err error) int {
	name, _, ok := strings.Cut(err.Error(), ":")
	for i := 0; ok && i+1 < len(s.fields.Content); i += 2 {
		if s.fields.Content[i].Value == name {
			return s.fields.Content[i+1].Line
		}
	}
	return s.Line
}

var templateLine = regexp.MustCompile(`template: step:(\d+):(\d+:)? ?`)

// templateError places a template's error at its line in the file: a
// block scalar's text begins on the line after its indicator.
func templateError(n *yaml.Node, err error) error {
	line, msg := n.Line, err.Error()
	if m := templateLine.FindStringSubmatchIndex(msg); m != nil {
		l, _ := strconv.Atoi(msg[m[2]:m[3]])
		line += l - 1
		if n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
			line++
		}
		msg = msg[:m[0]] + msg[m[1]:]
	}
	return &lineError{line: line, err: fmt.Errorf("bad template: %s", msg)}
}

// render copies n with every text value's template executed.
func render(n *yaml.Node, data TemplateData, rt *Runtime) (*yaml.Node, error) {
	c := *n
	if n.Kind == yaml.ScalarNode {
		if !strings.Contains(n.Value, "{{") {
			return &c, nil
		}
		v, err := renderText(n.Value, data, rt)
		if err != nil {
			return nil, templateError(n, err)
		}
		c.Value = v
		if c.Style == 0 || c.Style == yaml.TaggedStyle {
			c.Tag = "" // resolved again from the filled-in text
		}
		return &c, nil
	}
	c.Content = make([]*yaml.Node, len(n.Content))
	for i, k := range n.Content {
		// Keys are names, never templates.
		if n.Kind == yaml.MappingNode && i%2 == 0 {
			c.Content[i] = k
			continue
		}
		r, err := render(k, data, rt)
		if err != nil {
			return nil, err
		}
		c.Content[i] = r
	}
	return &c, nil
}
