package injectors

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/firedrill/firedrill/stack"
)

func init() {
	Register("cache-loss", func() Injector { return new(CacheLoss) })
}

// CacheLoss takes the app's Redis cache away, so the app serves from the
// database. Mode says how:
//
//   - flush: FLUSHALL, the playbook's quick fix 3 run at the wrong time:
//     every cached page is gone at once and the next requests miss;
//   - stop: Redis stops under load: every cache read and write fails, and
//     the app's /health reports redis failing (503) while its content is
//     still served from Postgres.
//
// Recover starts Redis again when it was stopped (a flush has nothing to
// undo: the cache refills as requests miss, or the playbook warms it).
type CacheLoss struct {
	Mode string `param:"mode" default:"stop" enum:"flush,stop" help:"how the cache is lost: flush (FLUSHALL) or stop (Redis stopped)"`

	mu       sync.Mutex
	injected bool
}

// Description is for `firedrill list`.
func (*CacheLoss) Description() string {
	return "loses the app's Redis cache: flushed (FLUSHALL) or Redis stopped; the app falls back to the database"
}

// Inject flushes or stops Redis.
func (c *CacheLoss) Inject(ctx context.Context, t Target) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.injected {
		return errors.New("inject cache-loss: already injected; recover first")
	}
	if t.Env == nil {
		return errors.New("inject cache-loss: no stack")
	}
	c.injected = true
	var err error
	switch c.Mode {
	case "flush":
		err = t.Env.Redis.FlushAll(ctx).Err()
	default:
		err = downService(ctx, t.Env, stack.Redis, modeStop)
	}
	if err != nil {
		return fmt.Errorf("inject cache-loss: %w", err)
	}
	return nil
}

// Recover starts Redis if it is not running (and waits until it answers);
// on a running Redis it does nothing, so twice is harmless.
func (c *CacheLoss) Recover(ctx context.Context, t Target) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := upService(ctx, t.Env, stack.Redis); err != nil {
		return fmt.Errorf("recover cache-loss: %w", err)
	}
	c.injected = false
	return nil
}
