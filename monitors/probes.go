package monitors

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/redis/go-redis/v9"

	"github.com/firedrill/firedrill/stack"
)

// Probe names: the probe label of the probe_* series, which rules select on.
const (
	ProbeAppHealth = "app-health"
	ProbePostgres  = "postgres"
	ProbeRedis     = "redis"
)

// probeJob is the job label of probe series, as a blackbox_exporter scrape
// job is usually named.
const probeJob = "blackbox"

// probe is one synthetic check. It answers the HTTP status for HTTP probes
// (0 otherwise) and an error when the check failed.
type probe struct {
	name     string
	instance string
	http     bool
	check    func(ctx context.Context) (int, error)
}

// probeResult is one probe's outcome at one tick.
type probeResult struct {
	probe probe
	code  int
	dur   time.Duration
	err   error
}

// newProbes builds the stack's probes. Each makes its own fresh connection,
// as blackbox_exporter does: the harness's pools would hide a server that
// refuses new connections (max_connections exhausted) or restarted.
func newProbes(env *stack.Env, client *http.Client) []probe {
	var ps []probe
	if env.AppURL != "" {
		u := env.AppURL + env.Config.App.HealthPath
		ps = append(ps, probe{name: ProbeAppHealth, instance: u, http: true, check: func(ctx context.Context) (int, error) {
			return httpProbe(ctx, client, u)
		}})
	}
	if env.PostgresURL != "" {
		pgURL := env.PostgresURL
		ps = append(ps, probe{name: ProbePostgres, instance: hostPort(pgURL), check: func(ctx context.Context) (int, error) {
			return 0, postgresProbe(ctx, pgURL)
		}})
	}
	if env.RedisURL != "" {
		rURL := env.RedisURL
		ps = append(ps, probe{name: ProbeRedis, instance: hostPort(rURL), check: func(ctx context.Context) (int, error) {
			return 0, redisProbe(ctx, rURL)
		}})
	}
	return ps
}

// hostPort is a URL's host:port, without credentials: the probe's instance.
func hostPort(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "unknown"
	}
	return u.Host
}

// httpProbe succeeds on a 2xx answer, blackbox_exporter's default.
func httpProbe(ctx context.Context, client *http.Client, u string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, fmt.Errorf("probe %s: status %s", u, resp.Status)
	}
	return resp.StatusCode, nil
}

func postgresProbe(ctx context.Context, pgURL string) error {
	cfg, err := pgx.ParseConfig(pgURL)
	if err != nil {
		return err
	}
	if d, ok := ctx.Deadline(); ok {
		cfg.ConnectTimeout = time.Until(d)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var one int
	return conn.QueryRow(ctx, "SELECT 1").Scan(&one)
}

func redisProbe(ctx context.Context, rURL string) error {
	opt, err := redis.ParseURL(rURL)
	if err != nil {
		return err
	}
	// One try, as blackbox_exporter makes: retries would hide a flapping
	// server.
	opt.PoolSize = 1
	opt.MaxRetries = -1
	opt.DialerRetries = 1
	opt.DialTimeout = 2 * time.Second
	if d, ok := ctx.Deadline(); ok {
		opt.DialTimeout = time.Until(d)
		opt.ReadTimeout = time.Until(d)
		opt.WriteTimeout = time.Until(d)
	}
	c := redis.NewClient(opt)
	defer c.Close()
	return c.Ping(ctx).Err()
}

// runProbes runs every probe at once, each bounded by timeout, and returns
// when all have ended.
func runProbes(ctx context.Context, ps []probe, timeout time.Duration) []probeResult {
	out := make([]probeResult, len(ps))
	var wg sync.WaitGroup
	for i, p := range ps {
		wg.Go(func() {
			pctx, cancel := context.WithTimeout(ctx, timeout)
			defer cancel()
			start := time.Now()
			code, err := p.check(pctx)
			out[i] = probeResult{probe: p, code: code, dur: time.Since(start), err: err}
		})
	}
	wg.Wait()
	return out
}

// probeSamples are blackbox_exporter's series for one probe.
func probeSamples(r probeResult) []sample {
	base := labels.FromStrings(model.JobLabel, probeJob, model.InstanceLabel, r.probe.instance, "probe", r.probe.name)
	mk := func(name string, v float64) sample {
		b := labels.NewBuilder(base)
		b.Set(model.MetricNameLabel, name)
		return sample{l: b.Labels(), v: v}
	}
	ok := 1.0
	if r.err != nil {
		ok = 0
	}
	out := []sample{mk("probe_success", ok), mk("probe_duration_seconds", r.dur.Seconds())}
	if r.probe.http {
		out = append(out, mk("probe_http_status_code", float64(r.code)))
	}
	return out
}
