package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/firedrill/firedrill/stack"
)

func newUpCmd(st *State, g *globalFlags) *cobra.Command {
	var hold bool
	cmd := &cobra.Command{
		Use:   "up",
		Short: "Start the drill stack, print its URLs, health and a sample of metrics, then stop it",
		Long: "up starts the stack of firedrill.yaml (Postgres, Redis, the app and the exporters),\n" +
			"prints where everything listens, the app's health and a sample of each metrics\n" +
			"endpoint, and stops it again; with --hold it keeps running until interrupted.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cfg, err := g.loadConfig(st)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			runID := stack.NewRunID()
			p, err := st.SelectStack(ctx, cfg.Stack.Provider, runID, st.progress)
			if err != nil {
				return err
			}
			st.progress("starting the %s stack (run %s)", p.Name(), runID)
			start := time.Now()
			env, err := p.Start(ctx, cfg.Stack)
			defer func() {
				st.progress("stopping the stack")
				cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
				defer cancel()
				if cerr := env.Close(cctx); cerr != nil {
					st.progress("cleanup: %v (run `firedrill cleanup`)", cerr)
				}
			}()
			if err != nil {
				return err
			}
			printEnv(ctx, st.Stdout, env, time.Since(start))
			if hold {
				st.progress("holding; press Ctrl-C to stop")
				<-ctx.Done()
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&hold, "hold", false, "keep the stack running until interrupted")
	return cmd
}

// printEnv shows a running stack to a person: URLs, health, metrics.
func printEnv(ctx context.Context, w io.Writer, env *stack.Env, took time.Duration) {
	fmt.Fprintf(w, "stack %s (%s provider) up in %s\n\n", env.RunID, env.Provider, took.Round(100*time.Millisecond))
	fmt.Fprintf(w, "  postgres  %s\n", stack.Redact(env.PostgresURL))
	if env.AppDatabaseURL != env.PostgresURL {
		fmt.Fprintf(w, "  app login %s\n", stack.Redact(env.AppDatabaseURL))
	}
	fmt.Fprintf(w, "  redis     %s\n", env.RedisURL)
	fmt.Fprintf(w, "  app       %s\n", env.AppURL)
	for _, t := range env.Targets {
		fmt.Fprintf(w, "  metrics   %-24s %s\n", t.Job+"/"+t.Instance, t.URL)
	}
	code, body := fetch(ctx, env.AppURL+env.Config.App.HealthPath)
	fmt.Fprintf(w, "\nhealth: %d %s\n", code, strings.TrimSpace(body))
	for _, t := range env.Targets {
		_, page := fetch(ctx, t.URL)
		fmt.Fprintf(w, "\n%s metrics (sample):\n", t.Job)
		for _, line := range sample(page, 6) {
			fmt.Fprintf(w, "  %s\n", line)
		}
	}
}

func fetch(ctx context.Context, u string) (int, string) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err.Error()
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	return resp.StatusCode, string(b)
}

// sample picks the first n series lines that are not the Go runtime's.
func sample(page string, n int) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(page))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() && len(out) < n {
		l := sc.Text()
		if l == "" || strings.HasPrefix(l, "#") || strings.HasPrefix(l, "go_") || strings.HasPrefix(l, "process_") || strings.HasPrefix(l, "promhttp_") {
			continue
		}
		out = append(out, l)
	}
	return out
}
