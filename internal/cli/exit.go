package cli

import (
	"context"
	"errors"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/scenarios"
	"github.com/firedrill/firedrill/stack"
)

// Exit codes, as DESIGN.md documents them.
const (
	// ExitOK: every drill met its targets (or the command succeeded).
	ExitOK = 0
	// ExitFailed: a drill failed or missed a target, or the command failed.
	ExitFailed = 1
	// ExitBadInput: bad flags, configuration, feature, playbook or rule file.
	ExitBadInput = 2
	// ExitEnvironment: the host cannot run the stack (no Docker and no local
	// binaries, images missing, ...), the stack disappeared mid-run (a
	// container removed by someone else, the Docker daemon stopped), or an
	// address firedrill listens on is taken.
	ExitEnvironment = 3
	// ExitInterrupted: the run was interrupted (SIGINT, SIGTERM), as shells
	// report it (128 + SIGINT). Unfinished drills are marked aborted, every
	// fault is recovered and the reports are written first.
	ExitInterrupted = 130
)

// ErrUsage marks a command-line mistake.
var ErrUsage = errors.New("usage")

// ErrInterrupted marks a run stopped by a signal before it finished.
var ErrInterrupted = errors.New("interrupted")

// exitCode maps an error to its exit code.
func exitCode(err error) int {
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, ErrInterrupted), errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.Is(err, ErrUsage), errors.Is(err, config.ErrInvalid), errors.Is(err, scenarios.ErrInvalid),
		errors.Is(err, responders.ErrInvalid):
		return ExitBadInput
	case errors.Is(err, stack.ErrUnavailable), errors.Is(err, stack.ErrGone), errors.Is(err, scenarios.ErrAddrTaken):
		return ExitEnvironment
	default:
		return ExitFailed
	}
}
