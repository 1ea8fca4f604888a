package cli

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"

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
		// Runnable, so an unknown command is an argument error (exit 2),
		// not help and exit 0.
		RunE: func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return fmt.Errorf("%w: %w", ErrUsage, err) })
	root.AddCommand(g.stackFlags(newUpCmd(st, g)), g.stackFlags(newRunCmd(st, g)), g.stackFlags(newWatchCmd(st, g)),
		g.configFlag(newValidateCmd(st, g)), g.stackFlags(newLintCmd(st, g)), g.configFlag(newListCmd(st, g)), newInitCmd(st), newReportCmd(st), newCleanupCmd(st),
		newAckCmd(st),
		newAnswerCmd(st, "resolve", responders.Resolve, "Game day: declare the service verified; the incident resolves once its alerts have"),
		newMarkCmd(st), newUpdateCmd(st), newNoticeCmd(st), newSeverityCmd(st), newRoleCmd(st), newPostmortemCmd(st), newPlaybookCmd(st), newStatusCmd(st),
		newVersionCmd(st))
	root.Version = version()
	root.SetVersionTemplate("firedrill {{.Version}}\n")
	usageArgs(root)
	registerCompletions(root)
	return root
}

// usageArgs makes every argument-count mistake (and an unknown command,
// which cobra reports as an argument of the root) a usage error: exit 2.
func usageArgs(c *cobra.Command) {
	args := c.Args
	if args == nil && c.HasSubCommands() {
		args = cobra.NoArgs
	}
	if args != nil {
		c.Args = func(cmd *cobra.Command, a []string) error {
			if err := args(cmd, a); err != nil {
				return fmt.Errorf("%w: %w (see `%s --help`)", ErrUsage, err, cmd.CommandPath())
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		usageArgs(sub)
	}
}

// version is the module version and commit firedrill was built from.
func version() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			if s.Value == "true" {
				dirty = "+dirty"
			}
		}
	}
	if rev != "" {
		v += " commit " + rev[:min(len(rev), 12)] + dirty
	}
	return v + " " + info.GoVersion
}

func newVersionCmd(st *State) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print firedrill's version and the commit it was built from",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(st.Stdout, "firedrill", version())
			return err
		},
	}
}

// configFlag offers --config on a command that reads firedrill.yaml. It
// is not a persistent flag: a flag a command ignores is not offered there.
func (g *globalFlags) configFlag(cmd *cobra.Command) *cobra.Command {
	cmd.Flags().StringVar(&g.configPath, "config", "", "firedrill.yaml to use (default: ./firedrill.yaml when present)")
	return cmd
}

// stackFlags offers --config and --provider on a command that starts the
// stack.
func (g *globalFlags) stackFlags(cmd *cobra.Command) *cobra.Command {
	g.configFlag(cmd)
	cmd.Flags().StringVar(&g.provider, "provider", "", "stack provider: auto, docker or local (overrides the configuration)")
	return cmd
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
	if g.configPath != "" {
		if _, err := os.Stat(g.configPath); err != nil {
			return config.Config{}, fmt.Errorf("%w: --config: %w", ErrUsage, err)
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
