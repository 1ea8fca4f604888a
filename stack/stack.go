package stack

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/firedrill/firedrill/config"
)

// Service names, as faults, playbooks and the scraper refer to them.
const (
	Postgres         = "postgres"
	Redis            = "redis"
	App              = "app"
	PostgresExporter = "postgres-exporter"
	RedisExporter    = "redis-exporter"
)

// RunLabel is the container label (and, for processes, the environment
// variable FIREDRILL_RUN) that marks everything one run created.
const RunLabel = "firedrill.run"

// ErrUnavailable means the provider cannot run on this host (no Docker
// daemon, no PostgreSQL binaries, ...): an environment problem, not a bug.
var ErrUnavailable = errors.New("stack provider unavailable")

// ErrNotOurs means a service action (stop, kill, pause, exec, ...) was
// refused because its target does not carry this run's label
// (firedrill.run=<id>, or FIREDRILL_RUN=<id> for processes): faults and
// playbooks touch only what their run started.
var ErrNotOurs = errors.New("not started by this run")

// Stack starts the drill stack. Start returns the partial Env along with an
// error, so the caller can still Close what did start.
type Stack interface {
	// Name is the provider's name: docker or local.
	Name() string
	// Available reports ErrUnavailable (wrapped, with what to install) when
	// the provider cannot run here.
	Available(ctx context.Context) error
	Start(ctx context.Context, cfg config.Stack) (*Env, error)
}

// Service is one running service under the harness's control. Every method
// waits until the change took effect (Start and Unpause: until the service
// answers again).
type Service interface {
	Name() string
	Stop(ctx context.Context) error
	Start(ctx context.Context) error
	Restart(ctx context.Context) error
	Pause(ctx context.Context) error
	Unpause(ctx context.Context) error
	// Exec runs cmd where the service runs (inside its container, or on the
	// host with the service's environment) and returns its exit code and
	// combined output.
	Exec(ctx context.Context, cmd ...string) (ExecResult, error)
}

// Killer is an optional ability of a Service: end it at once with SIGKILL,
// with no shutdown, as a crash or the kernel's OOM killer would. Kill
// returns once the service is gone; Start brings it back. Both providers'
// services have it.
type Killer interface {
	Kill(ctx context.Context) error
}

// ExecResult is what an Exec printed and how it ended.
type ExecResult struct {
	ExitCode int
	Output   string
}

// MetricsTarget is one endpoint the scraper reads, with the job and instance
// labels Prometheus would attach.
type MetricsTarget struct {
	Job      string
	Instance string
	URL      string
	// UpMetric is the exporter's own "can I reach my service" gauge (pg_up,
	// redis_up); empty for the app.
	UpMetric string
}

// Progress receives one line per step of a long operation; nil discards.
type Progress func(format string, args ...any)

func (p Progress) say(format string, args ...any) {
	if p != nil {
		p(format, args...)
	}
}

// NewRunID makes a run id: sortable by time, unique across hosts.
func NewRunID() string {
	b := make([]byte, 3)
	_, _ = io.ReadFull(rand.Reader, b)
	return time.Now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b)
}

// Select returns the provider a configuration names; auto picks docker when
// a daemon answers and local otherwise. The error wraps ErrUnavailable when
// neither can run, naming what to install.
func Select(ctx context.Context, name string, runID string, progress Progress) (Stack, error) {
	docker := NewDocker(runID, progress)
	local := NewLocal(runID, progress)
	switch name {
	case "docker":
		return docker, docker.Available(ctx)
	case "local":
		return local, local.Available(ctx)
	case "auto", "":
		derr := docker.Available(ctx)
		if derr == nil {
			return docker, nil
		}
		lerr := local.Available(ctx)
		if lerr == nil {
			progress.say("no Docker daemon (%v); using the local provider", derr)
			return local, nil
		}
		return nil, fmt.Errorf("select provider: %w\n%w", derr, lerr)
	default:
		return nil, fmt.Errorf("select provider: unknown provider %q (auto, docker or local)", name)
	}
}

var (
	_ Killer = (*dockerService)(nil)
	_ Killer = (*procService)(nil)
)
