package incident

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseDuration(t *testing.T) {
	t.Parallel()
	good := map[string]time.Duration{
		"2 minutes":            2 * time.Minute,
		"90 seconds":           90 * time.Second,
		"1 hour":               time.Hour,
		"2m":                   2 * time.Minute,
		"90s":                  90 * time.Second,
		"1h30m":                90 * time.Minute,
		"1.5 hours":            90 * time.Minute,
		"1 minute":             time.Minute,
		"2 minutes 30 seconds": 150 * time.Second,
		" 45 Minutes ":         45 * time.Minute,
		"0s":                   0,
	}
	for in, want := range good {
		got, err := ParseDuration(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "minutes", "2", "two minutes", "2 fortnights", "-2m", "1 hour and 2 minutes"} {
		_, err := ParseDuration(bad)
		assert.Error(t, err, bad)
	}
}
