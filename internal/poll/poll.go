// Package poll waits for a condition, the way testcontainers-go's wait
// strategies do: a check called at an interval until it passes, the timeout
// passes or the context ends, whichever is first. It is the one polling
// loop of the project; nothing polls with sleeps of its own.
package poll

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// permanent wraps an error that Until must not retry.
type permanent struct{ error }

func (p permanent) Unwrap() error { return p.error }

// Permanent marks err as final: Until returns it at once instead of
// checking again.
func Permanent(err error) error { return permanent{err} }

// Until calls check at once and then every interval until it returns nil,
// returns a Permanent error, ctx ends or timeout passes. After a timeout the
// error wraps the last failure; after ctx ended, ctx's error as well.
func Until(ctx context.Context, timeout, interval time.Duration, check func(context.Context) error) error {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		err := check(ctx)
		if err == nil {
			return nil
		}
		var p permanent
		if errors.As(err, &p) {
			return p.error
		}
		select {
		case <-ctx.Done():
			if perr := context.Cause(parent); perr != nil {
				return fmt.Errorf("gave up: %w (last: %w)", perr, err)
			}
			return fmt.Errorf("gave up after %s: %w", timeout, err)
		case <-t.C:
		}
	}
}
