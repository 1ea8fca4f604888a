package responders

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/firedrill/firedrill/internal/defaults"
	"github.com/firedrill/firedrill/internal/yamlerr"
)

// ErrInvalid is wrapped by every error about a playbook's content, so the
// CLI can tell bad input (exit code 2) from a failing drill.
var ErrInvalid = errors.New("invalid playbook")

// Error is a problem at a line of a playbook file. It reads
// "file.yaml:12: message", as `firedrill validate` prints it.
type Error struct {
	File string
	Line int
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err) }

// Unwrap gives both the cause and ErrInvalid.
func (e *Error) Unwrap() []error { return []error{e.Err, ErrInvalid} }

// Playbook is a runbook: named steps, each in a phase. Load it with Load or
// LoadDir; every problem is found then, before a drill starts.
type Playbook struct {
	Name        string
	Description string
	// File is the file it was loaded from; Dir is that file's directory (a
	// shell step's working directory).
	File, Dir string
	// Embedded: firedrill ships this playbook and no file of the playbook
	// directory replaced it (File reads "embedded:playbooks/NAME.yaml").
	Embedded bool
	Steps    []*StepSpec
}

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

// Load reads and validates one playbook file.
func Load(path string) (*Playbook, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load playbook: %w", err)
	}
	pb, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	if err := pb.checkFiles(os.DirFS(pb.Dir)); err != nil {
		return nil, err
	}
	return pb, nil
}

// shippedFiles are the shipped playbooks' directory: where their scripts
// are.
func shippedFiles() fs.FS {
	sub, err := fs.Sub(defaults.FS, "playbooks")
	if err != nil {
		panic(err) // "playbooks" is a valid path
	}
	return sub
}

// fileStep is a step that runs files of the playbook's directory (a shell
// step's file).
type fileStep interface{ Files() []string }

// checkFiles reports each file a step names that dir lacks, at the step's
// line.
func (pb *Playbook) checkFiles(dir fs.FS) error {
	var errs []error
	for _, s := range pb.Steps {
		for _, f := range s.files {
			if _, err := fs.Stat(dir, filepath.ToSlash(filepath.Clean(f))); err != nil {
				errs = append(errs, &Error{File: pb.File, Line: s.Line, Err: fmt.Errorf("step %q: file %s: not found beside the playbook", s.Name, f)})
			}
		}
	}
	return errors.Join(errs...)
}

// LoadDir loads every *.yaml and *.yml file of dir, by playbook name, over
// the playbooks firedrill ships: a playbook of dir replaces the shipped one of
// the same name, and a shipped one dir does not define is still there (so a
// team's repository need not copy db-recovery to drill with it; a missing
// dir means the shipped playbooks alone). All files' problems are reported
// together.
func LoadDir(dir string) (map[string]*Playbook, error) {
	out, err := loadDir(dir)
	shipped, serr := loadShipped()
	for name, pb := range shipped {
		if _, mine := out[name]; !mine {
			out[name] = pb
		}
	}
	return out, errors.Join(err, serr)
}

// loadShipped parses the playbooks embedded in the binary.
func loadShipped() (map[string]*Playbook, error) {
	out := map[string]*Playbook{}
	var errs []error
	for _, f := range defaults.Files("playbooks", ".yaml", ".yml") {
		data, err := fs.ReadFile(defaults.FS, f)
		if err != nil {
			errs = append(errs, fmt.Errorf("load shipped playbook: %w", err))
			continue
		}
		pb, err := Parse(defaults.Embedded+":"+f, data)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		pb.Embedded, pb.Dir = true, "."
		if err := pb.checkFiles(shippedFiles()); err != nil {
			errs = append(errs, err)
			continue
		}
		out[pb.Name] = pb
	}
	return out, errors.Join(errs...)
}

func loadDir(dir string) (map[string]*Playbook, error) {
	var files []string
	for _, pat := range []string{"*.yaml", "*.yml"} {
		m, err := filepath.Glob(filepath.Join(dir, pat))
		if err != nil {
			return nil, fmt.Errorf("load playbooks: %w", err)
		}
		files = append(files, m...)
	}
	slices.Sort(files)
	out := map[string]*Playbook{}
	var errs []error
	for _, f := range files {
		pb, err := Load(f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if prev, dup := out[pb.Name]; dup {
			errs = append(errs, &Error{File: f, Line: 1, Err: fmt.Errorf("playbook %q is also defined in %s", pb.Name, prev.File)})
			continue
		}
		out[pb.Name] = pb
	}
	return out, errors.Join(errs...)
}

// Parse validates a playbook's text; file names it in errors and sets its
// directory. Every problem of the file is reported, each with its line.
func Parse(file string, data []byte) (*Playbook, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, syntaxError(file, err)
	}
	if len(doc.Content) == 0 {
		return nil, &Error{File: file, Line: 1, Err: errors.New("empty playbook: want name, description and steps")}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, &Error{File: file, Line: root.Line, Err: errors.New("a playbook is a mapping with name, description and steps")}
	}
	pb := &Playbook{File: file, Dir: filepath.Dir(file)}
	var errs []error
	fail := func(line int, format string, args ...any) {
		errs = append(errs, &Error{File: file, Line: line, Err: fmt.Errorf(format, args...)})
	}
	var steps *yaml.Node
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		seen[k.Value] = true
		switch k.Value {
		case "name":
			pb.Name = scalar(v, fail)
		case "description":
			pb.Description = scalar(v, fail)
		case "steps":
			steps = v
		default:
			fail(k.Line, "unknown field %q (a playbook has name, description and steps)", k.Value)
		}
	}
	if !seen["name"] || (pb.Name == "" && len(errs) == 0) {
		fail(root.Line, "missing field \"name\"")
	}
	switch {
	case steps == nil:
		fail(root.Line, "missing field \"steps\"")
	case steps.Kind != yaml.SequenceNode || len(steps.Content) == 0:
		fail(steps.Line, "steps: want a list of steps")
	default:
		for i, s := range steps.Content {
			spec, err := parseStep(file, i+1, s)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			pb.Steps = append(pb.Steps, spec)
		}
	}
	if len(errs) == 0 && !slices.ContainsFunc(pb.Steps, func(s *StepSpec) bool { return s.Phase == Verify }) {
		fail(root.Line, "no step in phase verify: the incident could never be resolved")
	}
	if len(errs) > 0 {
		return nil, errors.Join(byLine(errs)...)
	}
	return pb, nil
}

// byLine flattens joined errors and sorts them by line, so a file's
// problems read top to bottom.
func byLine(errs []error) []error {
	var flat []error
	var walk func(error)
	walk = func(err error) {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			if _, isErr := err.(*Error); !isErr {
				for _, e := range j.Unwrap() {
					walk(e)
				}
				return
			}
		}
		flat = append(flat, err)
	}
	for _, e := range errs {
		walk(e)
	}
	lineOf := func(err error) int {
		var e *Error
		if errors.As(err, &e) {
			return e.Line
		}
		return 0
	}
	slices.SortStableFunc(flat, func(a, b error) int { return cmp.Compare(lineOf(a), lineOf(b)) })
	return flat
}

var yamlLine = regexp.MustCompile(`line (\d+): `)

// syntaxError turns yaml's "yaml: line 3: ..." into file:3.
func syntaxError(file string, err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if m := yamlLine.FindStringSubmatchIndex(msg); m != nil {
		line, _ = strconv.Atoi(msg[m[2]:m[3]])
		msg = msg[:m[0]] + msg[m[1]:]
	}
	return &Error{File: file, Line: line, Err: errors.New(msg)}
}

func scalar(n *yaml.Node, fail func(int, string, ...any)) string {
	if n.Kind != yaml.ScalarNode {
		fail(n.Line, "want text")
		return ""
	}
	return n.Value
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
