package defaults_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/internal/defaults"
)

// The binary carries the repository's data files byte for byte.
func TestShippedFilesAreTheRepositorys(t *testing.T) {
	for _, dir := range []string{"rules", "playbooks", "playbooks/scripts", "features"} {
		onDisk, err := filepath.Glob(filepath.Join("../..", dir, "*.*"))
		require.NoError(t, err)
		var want []string
		for _, f := range onDisk {
			if filepath.Ext(f) != ".go" {
				want = append(want, dir+"/"+filepath.Base(f))
			}
		}
		assert.Equal(t, want, defaults.Files(dir, ".yml", ".yaml", ".feature", ".sh"), dir)
		for _, f := range want {
			disk, err := os.ReadFile(filepath.Join("../..", f))
			require.NoError(t, err)
			shipped, err := fs.ReadFile(defaults.FS, f)
			require.NoError(t, err)
			assert.Equal(t, string(disk), string(shipped), f)
		}
	}
}

func TestTheWorkingDirectoryWinsByPath(t *testing.T) {
	t.Chdir(t.TempDir())
	const rules = "rules/default.rules.yml"
	shipped, err := fs.ReadFile(defaults.FS, rules)
	require.NoError(t, err)

	got, err := defaults.ReadFile(rules)
	require.NoError(t, err)
	assert.Equal(t, shipped, got, "nothing on disk: the shipped file")
	assert.Equal(t, defaults.Embedded, defaults.Source(rules))
	got, err = defaults.ReadFile("./rules/../rules/default.rules.yml")
	require.NoError(t, err, "any spelling of the same relative path")
	assert.Equal(t, shipped, got)

	require.NoError(t, os.MkdirAll("rules", 0o755))
	require.NoError(t, os.WriteFile(rules, []byte("groups: []\n"), 0o644))
	got, err = defaults.ReadFile(rules)
	require.NoError(t, err)
	assert.Equal(t, "groups: []\n", string(got), "the team's file replaces the shipped one")
	assert.Equal(t, rules, defaults.Source(rules))
}

func TestOnlyShippedRelativePathsFallBack(t *testing.T) {
	t.Chdir(t.TempDir())
	for _, p := range []string{"rules/other.yml", "/rules/default.rules.yml", "../rules/default.rules.yml", ""} {
		_, err := defaults.ReadFile(p)
		assert.ErrorIs(t, err, fs.ErrNotExist, "%q", p)
		assert.Empty(t, defaults.Source(p), "%q", p)
	}
	abs, err := filepath.Abs("rules/default.rules.yml")
	require.NoError(t, err)
	_, err = defaults.ReadFile(abs)
	assert.ErrorIs(t, err, fs.ErrNotExist, "an absolute path means that file")
}

func TestExtractKeepsRelativePaths(t *testing.T) {
	dir := t.TempDir()
	out, err := defaults.Extract(dir, "features", "rules/default.rules.yml")
	require.NoError(t, err)
	assert.Equal(t, []string{filepath.Join(dir, "features"), filepath.Join(dir, "rules", "default.rules.yml")}, out)
	assert.FileExists(t, filepath.Join(dir, "features", "db_pool_exhaustion.feature"))
	assert.FileExists(t, filepath.Join(dir, "rules", "default.rules.yml"))

	_, err = defaults.Extract(dir, "features/nope.feature")
	assert.Error(t, err)
}
