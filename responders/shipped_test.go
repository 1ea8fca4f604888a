package responders_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/responders"
)

// A repository without playbooks/ still has the shipped ones; a playbook of
// its own replaces the shipped one of the same name and no other.
func TestLoadDirLayersTheDirectoryOverTheShippedPlaybooks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pbs, err := responders.LoadDir(filepath.Join(dir, "playbooks"))
	require.NoError(t, err, "a missing directory is the shipped playbooks alone")
	for _, name := range []string{"db-recovery", "disable-feature", "data-restore"} {
		require.Contains(t, pbs, name)
		assert.True(t, pbs[name].Embedded, name)
		assert.Equal(t, "embedded:playbooks/"+name+".yaml", pbs[name].File)
	}

	own := filepath.Join(dir, "recovery.yaml")
	require.NoError(t, os.WriteFile(own, []byte(strings.TrimSpace(`
name: db-recovery
description: our own
steps:
  - {name: look, phase: diagnose, kind: wait, for: 1m}
  - {name: check, phase: verify, kind: wait, for: 1m}
`)), 0o644))
	pbs, err = responders.LoadDir(dir)
	require.NoError(t, err)
	assert.Equal(t, own, pbs["db-recovery"].File, "the team's file replaces the shipped playbook by name")
	assert.False(t, pbs["db-recovery"].Embedded)
	assert.Equal(t, "our own", pbs["db-recovery"].Description)
	assert.True(t, pbs["data-restore"].Embedded, "the others stay")
}
