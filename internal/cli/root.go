package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/responders"
)

// Run executes the command line args and returns the process exit code.
func Run(ctx context.Context, st *State, args []string) int {
	root := newRoot(st)
	root.SetArgs(args)
	root.SetOut(st.Stdout)
	root.SetErr(st.Stderr)
	err := root.ExecuteContext(ctx)
	if err != nil {
		fmt.Fprintln(st.Stderr, "firedrill:", err)
	}
	return exitCode(err)
}

type globalFlags struct {
	configPath string
	provider   string
}

func newRoot(st *State) *cobra.Command {
	g := &globalFlags{}
	root := &cobra.Command{
		Use:   "firedrill",
		Short: "Prove your incident-response playbook: drills on a real stack, scored against your targets",
		// Errors are printed once, by Run, with their exit code.
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return fmt.Errorf("%w: %w", ErrUsage, err) })
	root.PersistentFlags().StringVar(&g.configPath, "config", "", "firedrill.yaml to use (default: ./firedrill.yaml when present)")
	root.PersistentFlags().StringVar(&g.provider, "provider", "", "stack provider: auto, docker or local (overrides the configuration)")
	root.AddCommand(newUpCmd(st, g), newRunCmd(st, g), newWatchCmd(st, g), newValidateCmd(st, g), newLintCmd(st, g), newListCmd(st, g), newInitCmd(st), newReportCmd(st), newCleanupCmd(st),
		newAnswerCmd(st, "ack", responders.Ack, "Game day: acknowledge the running drill's incident (you are the incident commander)"),
		newAnswerCmd(st, "resolve", responders.Resolve, "Game day: declare the service verified; the incident resolves once its alerts have"),
		newMarkCmd(st))
	return root
}

// loadConfig reads the configuration the flags name, with FIREDRILL_*
// overrides and the --provider flag applied last.
func (g *globalFlags) loadConfig(st *State) (config.Config, error) {
	path := g.configPath
	if path == "" {
		if _, err := os.Stat("firedrill.yaml"); err == nil {
			path = "firedrill.yaml"
		}
	}
	c, err := config.Load(path, st.Getenv)
	if err != nil {
		return c, err
	}
	if g.provider != "" {
		switch g.provider {
		case "auto", "docker", "local":
			c.Stack.Provider = g.provider
		default:
			return c, fmt.Errorf("%w: --provider must be auto, docker or local, not %q", ErrUsage, g.provider)
		}
	}
	return c, nil
}
