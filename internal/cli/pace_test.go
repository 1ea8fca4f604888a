package cli

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/firedrill/firedrill/stack/mocks"
)

// A bad pace is bad input, found before anything starts (the mock stack
// allows no call), and the message names the flag.
func TestRunRejectsABadPace(t *testing.T) {
	chdirRoot(t)
	cases := map[string]struct {
		args []string
		want string
	}{
		"below one":       {[]string{"--clock", "paced", "--pace", "0.5"}, "--pace: pace 0.5: must be a number of at least 1"},
		"not paced":       {[]string{"--clock", "realtime", "--pace", "20"}, "--pace applies to the paced clock only (--clock paced), not realtime"},
		"default clock":   {[]string{"--pace", "20"}, "--pace applies to the paced clock only (--clock paced), not compressed"},
		"unknown mode":    {[]string{"--clock", "warp"}, "want compressed, paced or realtime"},
		"pace not number": {[]string{"--clock", "paced", "--pace", "fast"}, "fast"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			code, _, errOut := runCLI(t, mocks.NewStack(t), nil, append([]string{"run", "features/db_pool_exhaustion.feature"}, tc.args...)...)
			assert.Equal(t, ExitBadInput, code, errOut)
			assert.Contains(t, errOut, tc.want)
		})
	}
}
