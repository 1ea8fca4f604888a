package stack

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// demoappBinary finds the demo app: AppBinary, FIREDRILL_DEMOAPP_BINARY,
// "demoapp" beside the running executable or on PATH, or else a build of
// ./cmd/demoapp when this module's source and a Go toolchain are here.
func (l *Local) demoappBinary(ctx context.Context, dir string) (string, error) {
	for _, p := range []string{l.AppBinary, os.Getenv("FIREDRILL_DEMOAPP_BINARY")} {
		if p != "" {
			return p, nil
		}
	}
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), "demoapp")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	if p, err := exec.LookPath("demoapp"); err == nil {
		return p, nil
	}
	src := moduleRoot()
	goBin, err := exec.LookPath("go")
	if src == "" || err != nil {
		return "", fmt.Errorf("%w: local: no demoapp binary (build one with `make build`, or set stack.app.command)", ErrUnavailable)
	}
	out := filepath.Join(dir, "demoapp")
	l.progress.say("building the demo app")
	b := exec.CommandContext(ctx, goBin, "build", "-o", out, "./cmd/demoapp")
	b.Dir = src
	if o, err := b.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build demoapp: %w: %s", err, tail(o))
	}
	return out, nil
}

// moduleRoot finds this module's source from the working directory up.
func moduleRoot() string {
	d, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && bytes.Contains(b, []byte("module github.com/firedrill/firedrill\n")) {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}
