package cli

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/engine"
	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/stack"
)

func newWatchCmd(st *State, g *globalFlags) *cobra.Command {
	var (
		forDur, clock string
		rate          float64
	)
	cmd := &cobra.Command{
		Use:   "watch",
		Short: "Start the stack and its monitoring, and print each tick's firing alerts",
		Long: "watch starts the stack, sends steady traffic and evaluates the alert rules every\n" +
			"tick, printing the alerts that fire. In realtime mode (the default here) you\n" +
			"can break things by hand — `docker stop` the Postgres container — and watch\n" +
			"DatabaseConnectionFailure fire and resolve.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig(st)
			if err != nil {
				return err
			}
			d, err := incident.ParseDuration(forDur)
			if err != nil {
				return fmt.Errorf("%w: --for: %w", ErrUsage, err)
			}
			mode, err := incident.ParseMode(clock)
			if err != nil {
				return fmt.Errorf("%w: --clock: %w", ErrUsage, err)
			}
			if cmd.Flags().Changed("rate") {
				cfg.Traffic.Rate = rate
			}
			ctx := cmd.Context()
			env, stop, err := startStack(ctx, st, cfg)
			defer stop()
			if err != nil {
				return err
			}
			printEnv(ctx, st.Stdout, env, 0)
			fmt.Fprintf(st.Stdout, "\nwatching %s of drill time, %s clock, %s ticks, rules %s\n",
				d, mode, cfg.Monitoring.Interval.D(), strings.Join(cfg.Monitoring.RuleFiles, ", "))
			e, err := engine.Start(ctx, env, engine.Spec{Config: cfg, Clock: mode, Rate: cfg.Traffic.Rate})
			defer e.Close()
			if err == nil {
				// Where to point curl, a runbook script or Grafana meanwhile.
				fmt.Fprintf(st.Stdout, "Prometheus API %s, Alertmanager API %s (drill time)\n", e.PrometheusURL(), e.AlertmanagerURL())
				err = e.Watch(ctx, d, func(at time.Duration) {
					fmt.Fprintf(st.Stdout, "T+%s  %s\n", at, firing(e.Monitor().ActiveAlerts()))
				})
			}
			if ctx.Err() != nil {
				return nil // interrupted: a normal end of watching
			}
			return err
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&forDur, "for", "10m", "how much drill time to watch")
	fl.StringVar(&clock, "clock", string(incident.Realtime), "realtime (a person can act) or compressed")
	fl.Float64Var(&rate, "rate", 0, "traffic in requests per second (default: the configuration's)")
	return cmd
}

// firing lists the firing alerts with their severities, or says none.
func firing(alerts []incident.Alert) string {
	var out []string
	for _, a := range alerts {
		if a.State == incident.StateFiring {
			out = append(out, fmt.Sprintf("%s (%s)", a.Name, a.Severity))
		}
	}
	if len(out) == 0 {
		return "no alert firing"
	}
	sort.Strings(out)
	return "FIRING " + strings.Join(out, ", ")
}

// startStack starts the configuration's stack for a command that drills
// it by hand (watch, lint); stop closes it, also after Ctrl-C, and is safe
// to call when the start failed.
func startStack(ctx context.Context, st *State, cfg config.Config) (*stack.Env, func(), error) {
	p, err := st.SelectStack(ctx, cfg.Stack.Provider, stack.NewRunID(), st.progress)
	if err != nil {
		return nil, func() {}, err
	}
	env, err := p.Start(ctx, cfg.Stack)
	stop := func() {
		if env == nil {
			return
		}
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		_ = env.Close(cctx)
	}
	return env, stop, err
}
