package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/firedrill/firedrill/stack"
)

func newCleanupCmd(st *State) *cobra.Command {
	var runID string
	cmd := &cobra.Command{
		Use:   "cleanup",
		Short: "Remove the containers, networks and processes a killed run left behind",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			removed, err := stack.Cleanup(cmd.Context(), runID)
			fmt.Fprintf(st.Stdout, "removed %d container(s), %d network(s), %d process(es)\n",
				len(removed.Containers), len(removed.Networks), len(removed.Processes))
			if len(removed.Live) > 0 {
				fmt.Fprintf(st.Stdout, "left alone %d run(s) still going on this host: %s (remove one anyway with --run ID)\n",
					len(removed.Live), strings.Join(removed.Live, ", "))
			}
			return err
		},
	}
	cmd.Flags().StringVar(&runID, "run", "", "only this run id, even while it runs (default: every firedrill run but those still going on this host)")
	return cmd
}
