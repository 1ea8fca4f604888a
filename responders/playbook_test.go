package responders_test

import (
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/responders"
)

// shippedDir is the repository's playbooks/.
const shippedDir = "../playbooks"

func TestBadPlaybooksNameFileAndLine(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		line int
		msg  string
	}{
		"unknown_kind.yaml":       {6, `unknown step kind "sqll"`},
		"unknown_field.yaml":      {8, `unknown field "expect_status" for kind http`},
		"missing_field.yaml":      {9, `missing field "query" (required by kind sql)`},
		"missing_phase.yaml":      {3, `missing field "phase"`},
		"bad_template.yaml":       {9, "bad template"},
		"bad_template_field.yaml": {6, "can't evaluate field AppUrl"},
		"bad_drill_duration.yaml": {6, `error calling drill: parse duration "ten minutes"`},
		"bad_phase.yaml":          {9, `unknown phase "fix"`},
		"bad_duration.yaml":       {6, `step "settle": for: "2 fortnights" is not a duration: unknown unit "fortnights"`},
		"bad_timeout.yaml":        {7, `timeout: "soon" is not a duration (e.g. 10m or 90 seconds)`},
		"bad_type.yaml":           {7, `step "health": expect: "two hun..." is not a whole number`},
		"bad_promql.yaml":         {6, "query: "},
		// Sorted by line: the missing steps (at the playbook's line 1)
		// come before the misspelt key that should have held them.
		"unknown_top_field.yaml": {1, `unknown field "step"`},
		"bad_action.yaml":        {7, `action: "reboot" is not one of`},
		"no_verify.yaml":         {1, "no step in phase verify"},
		"syntax.yaml":            {5, "found unexpected end of stream"},
		"remote_url.yaml":        {6, "is not on this machine"},
	}
	files, err := filepath.Glob("testdata/bad/*.yaml")
	require.NoError(t, err)
	require.Len(t, files, len(cases), "every file of the corpus has a case, and every case a file")
	for _, path := range files {
		c, ok := cases[filepath.Base(path)]
		require.True(t, ok, "no case for %s", path)
		t.Run(filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			pb, err := responders.Load(path)
			require.Error(t, err)
			assert.Nil(t, pb)
			assert.True(t, errors.Is(err, responders.ErrInvalid), "wraps ErrInvalid: %v", err)
			prefix := path + ":" + strconv.Itoa(c.line) + ": "
			assert.True(t, strings.HasPrefix(err.Error(), prefix), "want prefix %q, got %q", prefix, err)
			assert.Contains(t, err.Error(), c.msg)
			var pe *responders.Error
			require.ErrorAs(t, err, &pe)
			assert.Equal(t, path, pe.File)
			assert.Equal(t, c.line, pe.Line)
		})
	}
}

func TestLoadDirReportsEveryBadFile(t *testing.T) {
	t.Parallel()
	_, err := responders.LoadDir("testdata/bad")
	require.Error(t, err)
	files, _ := filepath.Glob("testdata/bad/*.yaml")
	for _, f := range files {
		assert.Contains(t, err.Error(), f+":", "the joined error names %s", f)
	}
}

func TestShippedPlaybooksLoad(t *testing.T) {
	t.Parallel()
	pbs, err := responders.LoadDir(shippedDir)
	require.NoError(t, err)
	for _, name := range []string{"db-recovery", "disable-feature", "data-restore"} {
		t.Run(name, func(t *testing.T) {
			pb, ok := pbs[name]
			require.True(t, ok, "playbooks/%s.yaml defines %q", name, name)
			assert.Equal(t, filepath.Join(shippedDir, name+".yaml"), pb.File)
			assert.NotEmpty(t, pb.Description)
			phases := map[responders.Phase]int{}
			for _, s := range pb.Steps {
				phases[s.Phase]++
				assert.Positive(t, s.Timeout, s.Name)
				assert.NotEmpty(t, s.Name)
			}
			for _, ph := range []responders.Phase{responders.Diagnose, responders.Mitigate, responders.Verify} {
				assert.Positive(t, phases[ph], "%s has a %s step", name, ph)
			}
		})
	}
}

func TestEveryShippedKindIsRegistered(t *testing.T) {
	t.Parallel()
	assert.Subset(t, responders.Kinds(), []string{"sql", "redis", "http", "shell", "container", "flag", "wait", "exec"})
}

func TestRegisterPanicsOnDuplicate(t *testing.T) {
	t.Parallel()
	assert.PanicsWithValue(t, `responders: step kind "sql" registered twice`, func() {
		responders.Register("sql", func() responders.Step { return new(responders.SQLStep) })
	})
	assert.Panics(t, func() { responders.Register("", nil) })
}

// Every problem of a playbook in one pass, in line order, each naming its
// key in a sentence rather than yaml's "cannot unmarshal !!str".
func TestEveryPlaybookProblemInOnePass(t *testing.T) {
	t.Parallel()
	_, err := responders.Parse("x.yaml", []byte(`name: x
description: d
bogus: 1
steps:
  - name: a
    phase: diagnose
    kind: sql
    query: [1, 2]
    continue_on_error: maybe
  - name: b
    phase: verify
    kind: wait
    timeout: soon
    for: abc
`))
	require.ErrorIs(t, err, responders.ErrInvalid)
	assert.Equal(t, `x.yaml:3: unknown field "bogus" (a playbook has name, description and steps)
x.yaml:8: step "a": query: want text, not a list
x.yaml:9: step 1: continue_on_error: "maybe" is not true or false
x.yaml:13: step 2: timeout: "soon" is not a duration (e.g. 10m or 90 seconds)
x.yaml:14: step "b": for: "abc" is not a duration (e.g. 10m or 90 seconds)`, err.Error())
}
