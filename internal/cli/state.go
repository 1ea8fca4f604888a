package cli

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/firedrill/firedrill/stack"
)

// State is what a command may touch of the outside world.
type State struct {
	Stdout io.Writer
	Stderr io.Writer
	Getenv func(string) string
	// SelectStack picks the stack provider (stack.Select unless a test
	// swaps in a mock).
	SelectStack func(ctx context.Context, provider, runID string, progress stack.Progress) (stack.Stack, error)
}

// OSState is the State of a real process.
func OSState() *State {
	return &State{Stdout: os.Stdout, Stderr: os.Stderr, Getenv: os.Getenv, SelectStack: stack.Select}
}

// progress prints a step of long work to stderr.
func (s *State) progress(format string, args ...any) {
	fmt.Fprintf(s.Stderr, "firedrill: "+format+"\n", args...)
}
