package injectors

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/firedrill/firedrill/stack"
)

func init() {
	Register("db-down", func() Injector { return new(DBDown) })
}

// DBDown is the playbook's Database Connection Failure at its plainest:
// Postgres itself goes away. Mode says how:
//
//   - stop: an orderly (fast) shutdown, as `docker stop` sends it;
//   - kill: SIGKILL to the server, no shutdown: the restart replays the
//     write-ahead log (crash recovery), and committed rows must survive;
//   - pause: frozen: connections are accepted by the kernel but nothing
//     answers, so clients wait out their timeouts.
//
// The app stays up and answers 503 (its requests and /health fail fast on
// a refused connection, or after its 2 s acquire timeout on a frozen
// server). Recover starts (or unpauses) Postgres and waits until it
// accepts connections; the app's pool reconnects by itself.
type DBDown struct {
	Mode string `param:"mode" default:"stop" enum:"stop,kill,pause" help:"how Postgres goes down: stop (orderly), kill (SIGKILL, crash recovery on restart), pause (frozen)"`

	mu       sync.Mutex
	injected bool
}

// Description is for `firedrill list`.
func (*DBDown) Description() string {
	return "takes Postgres down: stopped, killed (crash recovery on restart) or frozen"
}

// Inject takes Postgres down.
func (d *DBDown) Inject(ctx context.Context, t Target) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.injected {
		return errors.New("inject db-down: already injected; recover first")
	}
	d.injected = true
	if err := downService(ctx, t.Env, stack.Postgres, d.Mode); err != nil {
		return fmt.Errorf("inject db-down: %w", err)
	}
	return nil
}

// Recover brings Postgres back from whatever state it is in; starting a
// running server does nothing, so twice is harmless.
func (d *DBDown) Recover(ctx context.Context, t Target) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := upService(ctx, t.Env, stack.Postgres); err != nil {
		return fmt.Errorf("recover db-down: %w", err)
	}
	d.injected = false
	return nil
}
