package reports

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sync"
)

// Renderer writes one run in one format.
type Renderer interface {
	Render(w io.Writer, r Result) error
}

// RendererFunc lets a plain function be a Renderer.
type RendererFunc func(w io.Writer, r Result) error

// Render calls f.
func (f RendererFunc) Render(w io.Writer, r Result) error { return f(w, r) }

// FileNamer is the optional ability of a Renderer to name the file WriteAll
// writes it to (report.html, junit.xml, …). Renderers without it get
// "report.<format>".
type FileNamer interface {
	FileName() string
}

// WithFileName gives r the file name WriteAll uses for it.
func WithFileName(file string, r Renderer) Renderer { return named{file: file, Renderer: r} }

type named struct {
	Renderer
	file string
}

func (n named) FileName() string { return n.file }

// ErrUnknownFormat is wrapped when a format name is not registered.
var ErrUnknownFormat = errors.New("unknown report format")

var registry = struct {
	sync.RWMutex
	m map[string]Renderer
}{m: map[string]Renderer{}}

// Register makes a format available by name. It panics on an empty name, a
// nil renderer or a name already taken: formats register from init, and a
// clash there is a programming error to find at start-up.
func Register(name string, r Renderer) {
	if name == "" || r == nil {
		panic("reports: Register needs a name and a renderer")
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.m[name]; dup {
		panic(fmt.Sprintf("reports: format %q registered twice", name))
	}
	registry.m[name] = r
}

// Lookup is the renderer registered as name.
func Lookup(name string) (Renderer, bool) {
	registry.RLock()
	defer registry.RUnlock()
	r, ok := registry.m[name]
	return r, ok
}

// Names are the registered formats, sorted: what `firedrill list` prints,
// what --report and --format accept, and what WriteAll writes by default.
func Names() []string {
	registry.RLock()
	defer registry.RUnlock()
	names := make([]string, 0, len(registry.m))
	for n := range registry.m {
		names = append(names, n)
	}
	slices.Sort(names)
	return names
}

// FileName is the file WriteAll writes format to.
func FileName(format string) (string, error) {
	r, ok := Lookup(format)
	if !ok {
		return "", fmt.Errorf("look up format %q (have %v): %w", format, Names(), ErrUnknownFormat)
	}
	if n, ok := r.(FileNamer); ok {
		return n.FileName(), nil
	}
	return "report." + format, nil
}
