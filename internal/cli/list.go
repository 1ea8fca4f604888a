package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/prometheus/prometheus/rules"
	"github.com/spf13/cobra"

	"github.com/firedrill/firedrill/injectors"
	"github.com/firedrill/firedrill/internal/defaults"
	"github.com/firedrill/firedrill/monitors"
	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/scenarios"
)

func newListCmd(st *State, g *globalFlags) *cobra.Command {
	var playbooks string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List faults with their parameters, playbooks, alert rules and the step vocabulary",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig(st)
			if err != nil {
				return err
			}
			w := st.Stdout
			fmt.Fprintln(w, "Faults (When the fault \"NAME\" is injected with: | parameter | value |):")
			for _, f := range injectors.List() {
				fmt.Fprintf(w, "  %-20s %s\n", f.Name, f.Description)
				for _, p := range f.Params {
					def := p.Default
					if def == "" {
						def = "-"
					}
					fmt.Fprintf(w, "      %-12s %-9s default %-8s %s (%s)\n", p.Name, p.Type, def, p.Help, p.Allowed())
				}
			}
			fmt.Fprintf(w, "\nPlaybooks (Given the on-call responder runs playbook \"NAME\"; %s/*.yaml replace the embedded ones by name):\n", playbooks)
			pbs, err := responders.LoadDir(playbooks)
			for _, n := range sortedNames(pbs) {
				pb := pbs[n]
				fmt.Fprintf(w, "  %-20s %-28s %2d steps  %s\n", n, playbookOrigin(pb), len(pb.Steps), oneLine(pb.Description))
			}
			if err != nil {
				fmt.Fprintf(w, "  (problems: %v)\n", err)
			}
			fmt.Fprintf(w, "\nAlert rules (%s):\n", ruleSources(cfg.Monitoring.RuleFiles))
			listRules(w, cfg.Monitoring.RuleFiles)
			listDrills(w)
			fmt.Fprintln(w, "\nSteps (durations read \"2 minutes\", \"90 seconds\", \"1 hour\", \"2m\", \"90s\"):")
			for _, s := range scenarios.Steps() {
				fmt.Fprintf(w, "  %s\n", s.Example)
				if s.Table != "" {
					fmt.Fprintf(w, "      %s\n", s.Table)
				}
			}
			fmt.Fprintf(w, "\nReport formats: %s\n", strings.Join(reports.Names(), ", "))
			return nil
		},
	}
	cmd.Flags().StringVar(&playbooks, "playbooks", "playbooks", "directory of playbook YAML files")
	return cmd
}

// listDrills names the drills `firedrill run` runs without paths, and
// where they come from.
func listDrills(w io.Writer) {
	const dir = "features"
	if defaults.Source(dir) == defaults.Embedded {
		fmt.Fprintf(w, "\nDrills (firedrill run with no paths; no %s/ here, so the embedded ones):\n", dir)
		for _, f := range defaults.Files(dir, ".feature") {
			fmt.Fprintf(w, "  %s (embedded)\n", f)
		}
		return
	}
	fmt.Fprintf(w, "\nDrills (firedrill run with no paths; from %s):\n", dir)
	files, err := scenarios.FeatureFiles([]string{dir})
	for _, f := range files {
		fmt.Fprintf(w, "  %s\n", f)
	}
	if err != nil {
		fmt.Fprintf(w, "  (problems: %v)\n", err)
	}
}

func listRules(w io.Writer, files []string) {
	groups, err := monitors.LoadRuleFiles(files...)
	for _, g := range groups {
		for _, r := range g.Rules {
			ar, ok := r.(*rules.AlertingRule)
			if !ok {
				continue
			}
			sev := ar.Labels().Get("severity")
			fmt.Fprintf(w, "  %-28s %-3s %s\n", ar.Name(), sev, oneLine(ar.Annotations().Get("summary")))
		}
	}
	if err != nil {
		fmt.Fprintf(w, "  (problems: %v)\n", err)
	}
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 90 {
		s = s[:87] + "..."
	}
	return s
}

func newReportCmd(st *State) *cobra.Command {
	var formats []string
	cmd := &cobra.Command{
		Use:   "report RESULT_DIR_OR_JSON...",
		Short: "Re-render reports from stored results, and print the trend across them",
		Long: "report reads result.json files (or the run directories holding them), renders\n" +
			"each run's reports again beside its result.json, and prints p50/p90 of MTTD,\n" +
			"MTTA and MTTR across the runs, oldest first.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var files []string
			for _, a := range args {
				if strings.HasSuffix(a, ".json") {
					files = append(files, a)
				} else {
					files = append(files, a+"/result.json")
				}
			}
			results, err := reports.ReadResultFiles(files)
			if err != nil {
				return fmt.Errorf("%w: %w", ErrUsage, err)
			}
			for i, r := range results {
				written, err := reports.WriteAll(dirOf(files[i]), r, formats)
				if err != nil {
					return err
				}
				fmt.Fprintf(st.Stderr, "firedrill: %s: wrote %s\n", r.RunID, strings.Join(written, ", "))
			}
			return reports.WriteTrend(st.Stdout, results)
		},
	}
	cmd.Flags().StringSliceVar(&formats, "format", []string{"html", "junit", "postmortem", "summary"}, "formats to re-render")
	return cmd
}

func dirOf(path string) string {
	i := strings.LastIndexByte(path, '/')
	if i < 0 {
		return "."
	}
	return path[:i]
}
