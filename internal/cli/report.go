package cli

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/stack"
)

func newReportCmd(st *State) *cobra.Command {
	var formats []string
	var trend string
	cmd := &cobra.Command{
		Use:   "report RESULT_DIR_OR_JSON...",
		Short: "Re-render reports from stored results, and print the trend across them",
		Long: "report reads result.json files (or the run directories holding them), renders\n" +
			"each run's reports again beside its result.json, and prints p50/p90 of MTTD,\n" +
			"MTTA and MTTR across the runs, oldest first. It also writes trend.html (beside\n" +
			"the newest run's result.json, or --trend FILE): per drill, a chart of MTTD, MTTA\n" +
			"and MTTR over the runs with their targets as lines, its score, and a table.",
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			for _, name := range formats {
				if _, ok := reports.Lookup(name); !ok {
					return fmt.Errorf("%w: --report: unknown format %q (have %s)", ErrUsage, name, strings.Join(reports.Names(), ", "))
				}
			}
			files := resultFiles(args)
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
			path := trend
			if path == "" {
				path = filepath.Join(dirOf(files[newest(results)]), "trend.html")
			}
			if err := reports.WriteTrendHTMLFile(path, results); err != nil {
				return err
			}
			fmt.Fprintf(st.Stderr, "firedrill: trend: %s\n", path)
			return reports.WriteTrend(st.Stdout, results)
		},
	}
	// --report names report formats here as in `run`; --format was its
	// older name here (in `run`, --format is godog's formatters).
	cmd.Flags().StringSliceVar(&formats, "report", rerenderFormats(), "report formats to re-render (json, the file report reads, is not re-written unless named)")
	cmd.Flags().StringSliceVar(&formats, "format", rerenderFormats(), "the older name of --report")
	cmd.Flags().StringVar(&trend, "trend", "", "where to write the trend chart page (default: trend.html beside the newest run's result.json)")
	_ = cmd.Flags().MarkDeprecated("format", "use --report, as `firedrill run` does")
	cmd.AddCommand(newMergeCmd(st))
	return cmd
}

func newMergeCmd(st *State) *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "merge --out DIR SHARD_DIR_OR_JSON...",
		Short: "Merge the results of shards (run --shard K/N on several runners) into one run and its reports",
		Long: "merge reads each shard's result.json and writes one run to --out: result.json and\n" +
			"every other format, with p50/p90 across all drills and one JUnit file. Shards\n" +
			"scored against different targets or clocks are refused (exit 2).",
		Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("%w: merge needs --out DIR", ErrUsage)
			}
			files := resultFiles(args)
			shards, err := reports.ReadResultFiles(files)
			if err != nil {
				return fmt.Errorf("%w: %w", ErrUsage, err)
			}
			merged, err := reports.Merge(stack.NewRunID(), shards)
			if err != nil {
				return fmt.Errorf("%w: %w", ErrUsage, err)
			}
			written, err := reports.WriteAll(out, merged, nil)
			if err != nil {
				return err
			}
			fmt.Fprintf(st.Stderr, "firedrill: merged %d shard(s), %d drill(s): wrote %s\n", len(shards), len(merged.Drills), strings.Join(written, ", "))
			if r, ok := reports.Lookup("summary"); ok {
				return r.Render(st.Stdout, merged)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "directory for the merged run's reports")
	return cmd
}

// rerenderFormats are what report writes by default: every registered
// format except json, since result.json is the file it reads.
func rerenderFormats() []string {
	return slices.DeleteFunc(reports.Names(), func(f string) bool { return f == "json" })
}

// resultFiles are the result.json files args name: a file ending in .json,
// or a run directory holding one.
func resultFiles(args []string) []string {
	files := make([]string, len(args))
	for i, a := range args {
		files[i] = a
		if !strings.HasSuffix(a, ".json") {
			files[i] = filepath.Join(a, "result.json")
		}
	}
	return files
}

// newest is the index of the run that started last (the last given of
// equals): the trend page goes beside it.
func newest(results []reports.Result) int {
	n := 0
	for i, r := range results {
		if !r.Started.Before(results[n].Started) {
			n = i
		}
	}
	return n
}

func dirOf(path string) string {
	i := strings.LastIndexByte(path, '/')
	if i < 0 {
		return "."
	}
	return path[:i]
}
