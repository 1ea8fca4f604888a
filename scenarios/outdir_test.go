package scenarios

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/cucumber/godog"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/config"
)

// Each drill gets a directory of its own under the run's output, named by
// its feature and scenario, and a repeated name a new one.
func TestDrillOutDirIsOnePerScenarioUnderTheRunsOutput(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	s := NewSuite(Options{Config: config.Default(), OutDir: out})
	sc := &godog.Scenario{Uri: "features/auth_attack.feature", Name: "The on-call isolates the source, and rotates!"}
	first, err := s.drillOutDir(sc)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(out, "drills", "auth-attack", "the-on-call-isolates-the-source-and-rotates"), first)
	again, err := s.drillOutDir(sc)
	require.NoError(t, err)
	assert.Equal(t, first+"-2", again)
	require.NoError(t, s.Close(t.Context()))
	_, err = os.Stat(out)
	assert.NoError(t, err, "the run's own output directory stays")
}

// Without an output directory (go test), drills write under a temporary
// one of the run, which Close removes.
func TestDrillOutDirWithoutOutputIsRemovedAtClose(t *testing.T) {
	t.Parallel()
	s := NewSuite(Options{Config: config.Default()})
	dir, err := s.drillOutDir(&godog.Scenario{Uri: "x.feature", Name: "drill"})
	require.NoError(t, err)
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, s.Close(t.Context()))
	_, err = os.Stat(dir)
	assert.ErrorIs(t, err, os.ErrNotExist)
}

func TestSlug(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Credential stuffing: 2/s": "credential-stuffing-2-s",
		"  ":                       "drill",
		"Ünïcode Über":             "ünïcode-über",
	} {
		assert.Equal(t, want, slug(in), in)
	}
}
