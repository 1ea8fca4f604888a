package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/firedrill/firedrill/engine"
	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/monitors"
	"github.com/firedrill/firedrill/scenarios"
	"github.com/firedrill/firedrill/scorer"
)

// errNoisyRules: a P1/P2 rule fires on a healthy stack (exit 1).
var errNoisyRules = errors.New("rules page on a healthy stack")

// lintSteady is the steady state lint watches after the warm-up.
const lintSteady = 5 * time.Minute

func newLintCmd(st *State, g *globalFlags) *cobra.Command {
	var forDur string
	cmd := &cobra.Command{
		Use:   "lint [RULE_FILE...]",
		Short: "Run alert rules over a healthy stack: list the rules that fire with no fault, and those that cannot fire here",
		Long: "lint starts the stack with steady traffic and no fault, evaluates the rule files\n" +
			"(default: the configuration's) on the compressed drill clock, and lists every rule\n" +
			"that fired — with its expression and the series that made it fire — and every\n" +
			"rule whose metrics no scrape ever produced (it cannot fire on this stack).\n" +
			"Exit 1 when a rule of severity P1 or P2 fires on the healthy stack, 0 otherwise.",
		RunE: func(cmd *cobra.Command, files []string) error {
			cfg, err := g.loadConfig(st)
			if err != nil {
				return err
			}
			if len(files) == 0 {
				files = cfg.Monitoring.RuleFiles
			}
			groups, err := monitors.LoadRuleFiles(files...)
			if err != nil {
				return fmt.Errorf("%w: %w", scenarios.ErrInvalid, err)
			}
			span := max(lintSteady, monitors.LongestFor(groups)+2*cfg.Monitoring.Interval.D()+lintSteady)
			if forDur != "" {
				if span, err = incident.ParseDuration(forDur); err != nil {
					return fmt.Errorf("%w: --for: %w", ErrUsage, err)
				}
			}
			return lint(cmd.Context(), st, g, files, span)
		},
	}
	cmd.Flags().StringVar(&forDur, "for", "", "drill time to watch (default: the longest for: of the rules, two ticks and 5 minutes)")
	return cmd
}

func lint(ctx context.Context, st *State, g *globalFlags, files []string, span time.Duration) error {
	cfg, err := g.loadConfig(st)
	if err != nil {
		return err
	}
	cfg.Monitoring.RuleFiles = files
	env, stop, err := startStack(ctx, st, cfg)
	defer stop()
	if err != nil {
		return err
	}
	st.progress("lint: %s over %s of a healthy %s stack at %g requests per second", strings.Join(files, ", "), span, env.Provider, cfg.Traffic.Rate)
	e, err := engine.Start(ctx, env, engine.Spec{Config: cfg, Clock: incident.Compressed, RuleFiles: files, Rate: cfg.Traffic.Rate})
	defer e.Close()
	if err != nil {
		return err
	}
	if err := e.Watch(ctx, span, nil); err != nil {
		return err
	}
	v := scorer.Score(e.Timeline().Entries(), scorer.DefaultTargets())
	unscraped, err := e.Monitor().Unscraped(ctx)
	if err != nil {
		return err
	}
	return printHygiene(st.Stdout, v.Noise, unscraped)
}

// printHygiene lists the noisy and the unscraped rules; it returns
// errNoisyRules when a P1 or P2 rule is noisy.
func printHygiene(w io.Writer, noise []scorer.Noise, unscraped []monitors.Unscraped) error {
	paging := 0
	fmt.Fprintf(w, "fires on a healthy stack (%d):\n", len(noise))
	for _, n := range noise {
		if n.Severity == "P1" || n.Severity == "P2" {
			paging++
		}
		fmt.Fprintf(w, "  %s  %s  first at drill time %s\n", n.Alert, n.Severity, engine.FmtDrill(n.First.Value))
		fmt.Fprintf(w, "    expr:   %s\n", strings.Join(strings.Fields(n.Expr), " "))
		for _, s := range n.Series {
			fmt.Fprintf(w, "    series: %s\n", labelsText(s))
		}
	}
	fmt.Fprintf(w, "cannot fire here, metrics never scraped (%d):\n", len(unscraped))
	for _, u := range unscraped {
		fmt.Fprintf(w, "  %s  (%s): %s\n", u.Rule, u.File, strings.Join(u.Missing, ", "))
	}
	if paging > 0 {
		return fmt.Errorf("%w: %d rule(s) of severity P1/P2 fire with no fault", errNoisyRules, paging)
	}
	fmt.Fprintln(w, "ok: no P1/P2 rule fires on a healthy stack")
	return nil
}

func labelsText(m map[string]string) string {
	parts := make([]string, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s=%q", k, m[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
