package cli

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/cucumber/godog"
	"github.com/spf13/cobra"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/scenarios"
	"github.com/firedrill/firedrill/stack"
)

// errDrillsFailed: a drill failed or missed a target (exit 1).
var errDrillsFailed = errors.New("drills failed or missed their targets")

type runFlags struct {
	tags, clock, out, format, playbooks, consoleAddr string
	shard, shardBy                                   string
	reportFormats                                    []string
	seed                                             int64
	pace                                             float64
	noEarlyStop                                      bool
}

func newRunCmd(st *State, g *globalFlags) *cobra.Command {
	f := &runFlags{}
	cmd := &cobra.Command{
		Use:   "run [paths...]",
		Short: "Run drills (features/ by default), score them and write the reports",
		Long: "run validates the drills, starts the stack, runs every scenario (the stack\n" +
			"starts once per run and is reset before each drill), scores each against\n" +
			"the targets and writes the reports to --out. Exit 0 when every drill met its\n" +
			"targets, 1 when one failed or missed, 2 on bad input, 3 when the host cannot\n" +
			"run the stack, 130 when interrupted (unfinished drills are marked aborted).",
		RunE: func(cmd *cobra.Command, args []string) error {
			return runDrills(cmd, st, g, f, args)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.tags, "tags", "", "only scenarios matching this tag expression (godog syntax: @monthly && ~@slow)")
	fl.StringVar(&f.clock, "clock", "", "compressed (CI default), paced (drill time = --pace × wall time) or realtime (game days)")
	fl.Float64Var(&f.pace, "pace", 0, "with --clock paced (or clock.mode: paced): drill seconds per wall second, at least 1")
	fl.StringVar(&f.out, "out", "", "report directory (default drill-results/<run id>)")
	fl.Int64Var(&f.seed, "seed", 0, "randomize scenario order with this seed (0: file order)")
	fl.StringVar(&f.shard, "shard", "", "run shard K of N (K/N) of the scenarios: each runs in exactly one shard, the same on every runner; merge with firedrill report merge")
	fl.StringVar(&f.shardBy, "shard-by", "", "a previous result.json (or its run directory): balance the shards by the drill time each scenario ran there (default: by count)")
	fl.StringVar(&f.format, "format", "", "godog formatters to stdout, comma-separated, each optionally :path (pretty, progress, junit:out.xml, cucumber:out.json); default: firedrill's own progress only")
	fl.StringSliceVar(&f.reportFormats, "report", nil, "report formats to write (default: all of "+strings.Join(reports.Names(), ",")+")")
	fl.StringVar(&f.playbooks, "playbooks", "playbooks", "directory of playbook YAML files")
	fl.BoolVar(&f.noEarlyStop, "no-early-stop", false, "run every drill to its resolution or time limit, even when its outcome is decided earlier (one scenario: tag it "+scenarios.RunToLimitTag+")")
	fl.StringVar(&f.consoleAddr, "console-addr", "", "where the game-day console listens (its views, firedrill ack and the other answers); default $FIREDRILL_CONSOLE_ADDR or "+scenarios.DefaultConsoleAddr)
	// The console's address had an older name; scripts that use it keep working.
	fl.StringVar(&f.consoleAddr, "ack-addr", "", "the older name of --console-addr")
	_ = fl.MarkDeprecated("ack-addr", "use --console-addr")
	return cmd
}

func runDrills(cmd *cobra.Command, st *State, g *globalFlags, f *runFlags, paths []string) error {
	cfg, err := g.loadConfig(st)
	if err != nil {
		return err
	}
	if f.clock != "" {
		m, err := incident.ParseMode(f.clock)
		if err != nil {
			return fmt.Errorf("%w: --clock: %w", ErrUsage, err)
		}
		cfg.Clock.Mode = string(m)
		if m != incident.Paced {
			cfg.Clock.Pace = 1
		}
	}
	if cmd.Flags().Changed("pace") {
		if err := incident.ValidPace(f.pace); err != nil {
			return fmt.Errorf("%w: --pace: %w", ErrUsage, err)
		}
		if cfg.Clock.Mode != string(incident.Paced) {
			return fmt.Errorf("%w: --pace applies to the paced clock only (--clock paced), not %s", ErrUsage, cfg.Clock.Mode)
		}
		cfg.Clock.Pace = f.pace
	}
	if err := checkTags(f.tags); err != nil {
		return err
	}
	for _, name := range f.reportFormats {
		if _, ok := reports.Lookup(name); !ok {
			return fmt.Errorf("%w: --report: unknown format %q (have %s)", ErrUsage, name, strings.Join(reports.Names(), ", "))
		}
	}
	if err := checkPlaybookDir(cmd, f.playbooks); err != nil {
		return err
	}
	ds, err := resolveDrills(paths)
	if err != nil {
		return err
	}
	defer ds.Close()
	paths = ds.Paths
	// Bad input is found before anything starts.
	if _, err := scenarios.Validate(paths, cfg, f.playbooks); err != nil {
		return err
	}
	if f.shard != "" {
		if paths, err = shardPaths(st, paths, f.shard, f.shardBy); err != nil {
			return err
		}
		if len(paths) == 0 {
			fmt.Fprintf(st.Stdout, "shard %s: no scenario falls to this shard\n", f.shard)
			return nil
		}
	}

	// The report directory is the run's output: drills keep their evidence
	// in it too (FIREDRILL_OUT_DIR).
	runID := stack.NewRunID()
	dir := f.out
	if dir == "" {
		dir = filepath.Join("drill-results", runID)
	}
	suite := scenarios.NewSuite(scenarios.Options{
		RunID: runID, OutDir: dir,
		Config: cfg, Progress: st.progress, SelectStack: st.SelectStack, PlaybookDir: f.playbooks,
		ConsoleAddr:    consoleAddr(st, f.consoleAddr),
		ResponderToken: st.Getenv("FIREDRILL_TOKEN"), FacilitatorToken: st.Getenv("FIREDRILL_FACILITATOR_TOKEN"),
		NoEarlyStop: f.noEarlyStop,
	})
	clock := cfg.Clock.Mode
	if clock == string(incident.Paced) {
		clock = fmt.Sprintf("paced ×%g", cfg.Clock.Pace)
	}
	st.progress("run %s: %s, %s clock", suite.RunID(), ds, clock)
	format, output := f.format, io.Writer(st.Stdout)
	if format == "" {
		format, output = "progress", io.Discard
	}
	ts := godog.TestSuite{
		Name:                 "firedrill",
		TestSuiteInitializer: suite.InitializeTestSuite,
		ScenarioInitializer:  suite.InitializeScenario,
		Options: &godog.Options{
			Paths: paths, Tags: f.tags, Format: format, Output: output,
			Strict: true, Randomize: f.seed, DefaultContext: cmd.Context(), NoColors: true,
		},
	}
	status := ts.Run()

	result := suite.Result()
	written, werr := reports.WriteAll(dir, result, f.reportFormats)
	if len(result.Drills) > 0 {
		fmt.Fprintln(st.Stdout)
		if r, ok := reports.Lookup("summary"); ok {
			_ = r.Render(st.Stdout, result)
		}
	}
	if werr != nil {
		return fmt.Errorf("write reports: %w", werr)
	}
	for _, p := range written {
		if strings.HasSuffix(p, ".html") {
			fmt.Fprintf(st.Stdout, "\nreport: %s\n", p)
		}
	}
	fmt.Fprintf(st.Stderr, "firedrill: wrote %s\n", strings.Join(written, ", "))
	if cmd.Context().Err() != nil {
		return fmt.Errorf("%w: %d drill(s) aborted, not scored; every injected fault was recovered", ErrInterrupted, result.Counts().Aborted)
	}
	if err := suite.EnvironmentError(); err != nil {
		return err
	}
	if status != 0 || len(result.Drills) == 0 {
		if len(result.Drills) == 0 {
			return fmt.Errorf("%w: no scenario ran (check the paths and --tags)", ErrUsage)
		}
		return errDrillsFailed
	}
	for _, d := range result.Drills {
		if d.Status != reports.Passed {
			return errDrillsFailed
		}
	}
	return nil
}

var tagTerm = regexp.MustCompile(`^~?@?[\p{L}\p{N}_.:/-]+$`)

// checkTags checks a --tags expression in godog's grammar (terms joined by
// && for and, by , for or; ~ negates) before godog reads it: a malformed
// one panicked there, or silently matched nothing.
func checkTags(expr string) error {
	if expr == "" {
		return nil
	}
	for _, or := range strings.Split(expr, ",") {
		for _, term := range strings.Split(or, "&&") {
			if t := strings.TrimSpace(term); !tagTerm.MatchString(t) {
				return fmt.Errorf("%w: --tags %q: %q is not a tag; write tags joined by && (and) or , (or), ~ to negate: @monthly && ~@slow, @database", ErrUsage, expr, t)
			}
		}
	}
	return nil
}

// shardPaths are the "file:line" paths of the scenarios that fall to shard
// spec ("K/N"), balanced by the drill times of a previous result when
// shardBy names one.
func shardPaths(st *State, paths []string, spec, shardBy string) ([]string, error) {
	k, n, err := scenarios.ParseShard(spec)
	if err != nil {
		return nil, fmt.Errorf("%w: --shard: %w", ErrUsage, err)
	}
	all, err := scenarios.Locate(paths)
	if err != nil {
		return nil, err
	}
	weights := map[string]float64{}
	if shardBy != "" {
		file := shardBy
		if !strings.HasSuffix(file, ".json") {
			file = filepath.Join(file, "result.json")
		}
		prev, err := reports.ReadResultFile(file)
		if err != nil {
			return nil, fmt.Errorf("%w: --shard-by: %w", ErrUsage, err)
		}
		for _, d := range prev.Drills {
			weights[scenarios.WeightKey(d.Feature, d.Scenario)] = drillSpan(d).Seconds()
		}
	}
	mine := scenarios.Shard(all, k, n, weights)
	st.progress("shard %d/%d: %d of %d scenario(s)", k, n, len(mine), len(all))
	out := make([]string, len(mine))
	for i, l := range mine {
		out[i] = l.Path()
	}
	return out, nil
}

// drillSpan is the drill time a drill covered: its last milestone's.
func drillSpan(d reports.Drill) time.Duration {
	var end time.Duration
	for _, m := range d.Timeline {
		end = max(end, m.Drill)
	}
	return end
}

func newValidateCmd(st *State, g *globalFlags) *cobra.Command {
	var playbooks string
	cmd := &cobra.Command{
		Use:   "validate [paths...]",
		Short: "Check every feature step, fault, playbook, rule file and the config without starting anything",
		RunE: func(cmd *cobra.Command, paths []string) error {
			cfg, err := g.loadConfig(st)
			if err != nil {
				return err
			}
			if err := checkPlaybookDir(cmd, playbooks); err != nil {
				return err
			}
			ds, err := resolveDrills(paths)
			if err != nil {
				return err
			}
			defer ds.Close()
			files, err := scenarios.FeatureFiles(ds.Paths)
			if err != nil {
				return err
			}
			if _, err := scenarios.Validate(ds.Paths, cfg, playbooks); err != nil {
				return err
			}
			pbs, _ := responders.LoadDir(playbooks) // Validate has read them without error
			fmt.Fprintf(st.Stdout, "ok: %d feature file(s) from %s; playbooks: %s; rule files: %s\n",
				len(files), ds, playbookSources(playbooks, pbs), ruleSources(cfg.Monitoring.RuleFiles))
			return nil
		},
	}
	cmd.Flags().StringVar(&playbooks, "playbooks", "playbooks", "directory of playbook YAML files")
	return cmd
}
