package cli

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	firedrill "github.com/firedrill/firedrill"
)

// shipped counts the files the binary carries that match pattern
// ("features/*.feature", "playbooks/*.yaml"), so the tests follow the
// shipped set as faults and drills are added.
func shipped(t *testing.T, pattern string) int {
	t.Helper()
	m, err := fs.Glob(firedrill.Shipped, pattern)
	require.NoError(t, err)
	return len(m)
}

// onDisk counts the files under dir (recursively) whose names end in ext.
func onDisk(t *testing.T, dir, ext string) int {
	t.Helper()
	n := 0
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ext) {
			n++
		}
		return err
	}))
	return n
}
