package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/injectors"
	"github.com/firedrill/firedrill/stack/mocks"
)

// complete asks cobra's hidden __complete command, as the shell scripts of
// `firedrill completion` do, and returns the candidates (descriptions cut)
// and the directive line.
func complete(t *testing.T, args ...string) ([]string, string) {
	t.Helper()
	code, out, errOut := runCLI(t, mocks.NewStack(t), nil, append([]string{"__complete"}, args...)...)
	require.Equal(t, ExitOK, code, errOut)
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	var names []string
	for _, l := range lines[:len(lines)-1] {
		name, _, _ := strings.Cut(l, "\t")
		names = append(names, name)
	}
	return names, lines[len(lines)-1]
}

func TestCompletion(t *testing.T) {
	dir := outsideRepo(t)
	write := func(name, text string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	write("features/a.feature", "@monthly @database\nFeature: a\n  @slow\n  Scenario: s\n    Given the stack is running\n")
	write("features/b.feature", "Feature: b\n  # @notatag\n  @payments\n  Scenario: s\n    Given the stack is running\n")
	write("mine/team-restore.yaml", "name: team-restore\ndescription: ours\nsteps:\n  - {name: v, phase: verify, kind: wait, for: 1m}\n")

	tags, directive := complete(t, "run", "--tags", "")
	assert.Equal(t, []string{"@database", "@monthly", "@payments", "@slow"}, tags, "the tags of features/, and no comment")
	assert.Equal(t, ":4", directive, "no file completion")
	tags, _ = complete(t, "run", "--tags", "@monthly && ~@s")
	assert.Equal(t, []string{"@monthly && ~@slow"}, tags, "the last term completes, what came before stays")

	files, _ := complete(t, "validate", "features/")
	assert.Equal(t, []string{"features/a.feature", "features/b.feature"}, files)
	files, _ = complete(t, "run", "features/b")
	assert.Equal(t, []string{"features/b.feature"}, files)

	pbs, _ := complete(t, "playbook", "")
	assert.Contains(t, pbs, "db-recovery", "the shipped playbooks")
	_, _ = complete(t, "playbook", "db-recovery", "") // a second argument has nothing to complete

	// A playbook of the user's --playbooks directory (run's flag).
	_, err := os.Stat("playbooks")
	require.ErrorIs(t, err, os.ErrNotExist)
	require.NoError(t, os.Rename("mine", "playbooks"))
	pbs, _ = complete(t, "playbook", "team")
	assert.Equal(t, []string{"team-restore"}, pbs)

	provs, _ := complete(t, "up", "--provider", "")
	assert.Equal(t, []string{"auto", "docker", "local"}, provs)
	formats, _ := complete(t, "run", "--report", "html,j")
	assert.Equal(t, []string{"html,json", "html,junit"}, formats)
	sev, _ := complete(t, "severity", "")
	assert.Equal(t, []string{"P1", "P2", "P3", "P4"}, sev)
}

// Fault names complete from the registry drills inject them from, and
// playbook names from --playbooks and the shipped ones; a name given is
// not offered again.
func TestCompletionOfFaultAndPlaybookNames(t *testing.T) {
	dir := outsideRepo(t)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "mine"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "mine", "team-restore.yaml"),
		[]byte("name: team-restore\ndescription: ours\nsteps:\n  - {name: v, phase: verify, kind: wait, for: 1m}\n"), 0o644))

	faults, directive := complete(t, "list", "faults", "")
	assert.Equal(t, injectors.Names(), faults)
	assert.Equal(t, ":4", directive, "no file completion")
	faults, _ = complete(t, "list", "faults", "db-")
	assert.Equal(t, []string{"db-down", "db-pool-exhaustion"}, faults)
	faults, _ = complete(t, "list", "fault", "db-down", "db-")
	assert.Equal(t, []string{"db-pool-exhaustion"}, faults)

	pbs, _ := complete(t, "list", "playbooks", "db-re")
	assert.Equal(t, []string{"db-recovery", "db-restart"}, pbs)
	pbs, _ = complete(t, "list", "playbooks", "db-recovery", "db-re")
	assert.Equal(t, []string{"db-restart"}, pbs)
	pbs, _ = complete(t, "list", "playbooks", "--playbooks", "mine", "team")
	assert.Equal(t, []string{"team-restore"}, pbs)
	_, directive = complete(t, "list", "playbooks", "--playbooks", "")
	assert.Equal(t, ":16", directive, "directories")

	subs, _ := complete(t, "list", "")
	assert.Equal(t, []string{"faults", "playbooks"}, subs)
}
