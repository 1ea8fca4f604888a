package stack

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With TMPDIR set, a local run's backup lands under it, and Cleanup finds
// it there: the path's one owner is also the one that removes it.
func TestBackupPathFollowsTMPDIRAndCleanupRemovesIt(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	runID := NewRunID()
	env := &Env{RunID: runID, Provider: "local"}
	path := env.BackupPath()
	assert.Equal(t, tmp, filepath.Dir(path), "under TMPDIR, not a hard-coded /tmp")
	require.NoError(t, os.WriteFile(path, []byte("PGDMP"), 0o600))
	other := (&Env{RunID: "20990101-000000-abcdef"}).BackupPath()
	require.NoError(t, os.WriteFile(other, []byte("PGDMP"), 0o600))

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	_, err := Cleanup(ctx, runID)
	require.NoError(t, err)
	assert.NoFileExists(t, path, "cleanup removes the run's backup")
	assert.FileExists(t, other, "another run's backup is not this run's to remove")

	// Containers have their own /tmp, whatever this host's TMPDIR says.
	docker := &Env{RunID: runID, serviceTempDir: containerTempDir}
	assert.Equal(t, "/tmp/firedrill-backup-"+runID+".dump", docker.BackupPath())
}
