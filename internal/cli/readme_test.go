package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/monitors"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/stack/mocks"
)

var fence = regexp.MustCompile("(?ms)^```(gherkin|yaml)\n(.*?)^```")

// Every Gherkin and YAML example of the README is what firedrill accepts:
// a feature validates, a step is a sentence of the vocabulary, a
// firedrill.yaml loads, a playbook loads, a rule file or an
// alertmanager.yml loads. A README that drifts from the code fails here.
func TestReadmeExamplesAreValid(t *testing.T) {
	chdirRoot(t)
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	blocks := fence.FindAllStringSubmatch(string(readme), -1)
	require.NotEmpty(t, blocks)
	dir := t.TempDir()
	// Playbook examples name the shipped scripts relative to their file.
	scripts, err := filepath.Abs("playbooks/scripts")
	require.NoError(t, err)
	require.NoError(t, os.Symlink(scripts, filepath.Join(dir, "scripts")))
	kinds := map[string]int{}
	for i, b := range blocks {
		lang, body := b[1], b[2]
		name := filepath.Join(dir, "example"+strings.Repeat("x", i))
		switch {
		case lang == "gherkin":
			kinds["gherkin"]++
			if !strings.HasPrefix(strings.TrimSpace(body), "Feature:") {
				body = "Feature: a README example\n  Scenario: the example's steps\n" + body
			}
			file := name + ".feature"
			require.NoError(t, os.WriteFile(file, []byte(body), 0o644))
			code, _, errOut := runCLI(t, mocks.NewStack(t), nil, "validate", file)
			assert.Equal(t, ExitOK, code, "README example %d:\n%s\n%s", i+1, body, errOut)
		case strings.HasPrefix(strings.TrimSpace(body), "- name:"):
			// A step of a playbook, shown alone: a playbook of that step.
			body = "name: readme-example\nsteps:\n" + body
			fallthrough
		case strings.Contains(body, "\nsteps:") || strings.HasPrefix(body, "name:"):
			kinds["playbook"]++
			file := name + ".yaml"
			require.NoError(t, os.WriteFile(file, []byte(body), 0o644))
			_, err := responders.Load(file)
			assert.NoError(t, err, "README playbook example %d:\n%s", i+1, body)
		case strings.HasPrefix(body, "groups:"):
			kinds["rules"]++
			file := name + ".yml"
			require.NoError(t, os.WriteFile(file, []byte(body), 0o644))
			_, err := monitors.LoadRuleFiles(file)
			assert.NoError(t, err, "README rules example %d:\n%s", i+1, body)
		case strings.HasPrefix(body, "route:"):
			kinds["alertmanager"]++
			_, err := responders.ParseRouting("README example", body)
			assert.NoError(t, err, "README alertmanager example %d:\n%s", i+1, body)
		default:
			kinds["firedrill.yaml"]++
			file := name + ".yaml"
			require.NoError(t, os.WriteFile(file, []byte(body), 0o644))
			_, err := config.Load(file, func(string) string { return "" })
			assert.NoError(t, err, "README firedrill.yaml example %d:\n%s", i+1, body)
		}
	}
	t.Logf("README examples checked: %v", kinds)
	assert.Positive(t, kinds["gherkin"])
	assert.Positive(t, kinds["firedrill.yaml"])
	assert.Positive(t, kinds["playbook"])
}
