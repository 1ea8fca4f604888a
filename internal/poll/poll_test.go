package poll

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var errNotYet = errors.New("not yet")

func TestUntil(t *testing.T) {
	t.Parallel()
	t.Run("passes once the check does", func(t *testing.T) {
		t.Parallel()
		n := 0
		err := Until(context.Background(), time.Minute, time.Millisecond, func(context.Context) error {
			if n++; n < 3 {
				return errNotYet
			}
			return nil
		})
		require.NoError(t, err)
		assert.Equal(t, 3, n)
	})
	t.Run("a permanent error stops at once", func(t *testing.T) {
		t.Parallel()
		n := 0
		err := Until(context.Background(), time.Minute, time.Millisecond, func(context.Context) error {
			n++
			return Permanent(errNotYet)
		})
		require.ErrorIs(t, err, errNotYet)
		assert.Equal(t, 1, n)
		assert.Equal(t, "not yet", err.Error())
	})
	t.Run("a timeout names the last failure", func(t *testing.T) {
		t.Parallel()
		err := Until(context.Background(), 20*time.Millisecond, time.Millisecond, func(context.Context) error { return errNotYet })
		require.ErrorIs(t, err, errNotYet)
		assert.EqualError(t, err, "gave up after 20ms: not yet")
		assert.NotErrorIs(t, err, context.DeadlineExceeded, "the caller's context did not end")
	})
	t.Run("the caller's cancellation ends it promptly", func(t *testing.T) {
		t.Parallel()
		ctx, cancel := context.WithCancel(context.Background())
		start := time.Now()
		err := Until(ctx, time.Hour, time.Hour, func(context.Context) error { cancel(); return errNotYet })
		assert.Less(t, time.Since(start), 10*time.Second)
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, err, errNotYet)
	})
}
