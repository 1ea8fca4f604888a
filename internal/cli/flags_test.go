package cli

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"

	"github.com/firedrill/firedrill/stack/mocks"
)

// commands is every command of the tree by its path without "firedrill".
func commands(c *cobra.Command) map[string]*cobra.Command {
	out := map[string]*cobra.Command{}
	for _, sub := range c.Commands() {
		out[strings.TrimPrefix(sub.CommandPath(), "firedrill ")] = sub
		for k, v := range commands(sub) {
			out[k] = v
		}
	}
	return out
}

// A flag is offered only where it acts: --provider where a stack starts,
// --config where firedrill.yaml is read, --by and --note where an action
// is signed.
func TestFlagsAreOfferedOnlyWhereTheyAct(t *testing.T) {
	root := newRoot(&State{})
	root.InitDefaultCompletionCmd()
	where := map[string][]string{
		"provider": {"up", "run", "watch", "lint"},
		"config":   {"up", "run", "watch", "lint", "validate", "list"},
		"by":       {"ack", "resolve", "mark", "update", "notice", "severity", "role", "postmortem", "playbook"},
		"note":     {"ack", "resolve", "mark", "update", "notice", "severity", "role", "postmortem", "playbook"},
	}
	all := commands(root)
	assert.Contains(t, all, "completion bash")
	for flag, want := range where {
		var have []string
		for path, c := range all {
			if c.Flags().Lookup(flag) != nil || c.InheritedFlags().Lookup(flag) != nil {
				have = append(have, path)
			}
		}
		assert.ElementsMatch(t, want, have, "--%s", flag)
	}
	// A back-quoted word in a usage is read by pflag as the value's type
	// name: `--shard firedrill report merge`.
	for path, c := range all {
		c.Flags().VisitAll(func(f *pflag.Flag) {
			name, _ := pflag.UnquoteUsage(f)
			assert.NotContains(t, name, " ", "%s --%s shows %q as its value's name", path, f.Name, name)
		})
	}
}

func TestAFlagWhereItDoesNothingIsAUsageError(t *testing.T) {
	for _, args := range [][]string{
		{"report", "--provider", "docker", "drill-results/x"},
		{"version", "--provider", "docker"},
		{"init", "--config", "x.yaml"},
		{"status", "--by", "alice"},
	} {
		code, _, errOut := runCLI(t, mocks.NewStack(t), nil, args...)
		assert.Equal(t, ExitBadInput, code, "%v", args)
		assert.Contains(t, errOut, "unknown flag", "%v", args)
	}
}
