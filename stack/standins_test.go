package stack

import (
	"os"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The exit-3 advice names the variables the Makefile sets, to the same
// images.
func TestStandInsAreTheMakefiles(t *testing.T) {
	t.Parallel()
	mk, err := os.ReadFile("../Makefile")
	require.NoError(t, err)
	var fromMakefile []StandIn
	for _, m := range regexp.MustCompile(`(?m)^export (FIREDRILL_\w+_IMAGE) +\?= *(\S+)$`).FindAllStringSubmatch(string(mk), -1) {
		fromMakefile = append(fromMakefile, StandIn{m[1], m[2]})
	}
	assert.ElementsMatch(t, fromMakefile, StandIns)
}

func TestStandInAdviceNamesTheVariablesToSet(t *testing.T) {
	t.Parallel()
	assert.Contains(t, standInAdvice(nil), "run `make images`")
	got := standInAdvice(StandIns[:2])
	assert.Contains(t, got, "this host has the stand-ins `make images` builds")
	assert.Contains(t, got, "export FIREDRILL_POSTGRES_IMAGE=firedrill/postgres:15 FIREDRILL_REDIS_IMAGE=firedrill/redis:7")
	assert.NotContains(t, got, "FIREDRILL_APP_IMAGE", "only the stand-ins the host has")
}
