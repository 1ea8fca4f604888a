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

	"gopkg.in/yaml.v3"

	"github.com/firedrill/firedrill/internal/defaults"
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
