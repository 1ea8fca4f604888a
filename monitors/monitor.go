package monitors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/timestamp"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/rules"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/stack"
)

// AlertSink receives each tick's alert transitions. It is called once per
// tick, also with none, so a pager can act on drill time (escalations, a
// responder's think time) without a clock of its own. It must not block
// for long: the next tick waits for it.
type AlertSink interface {
	Alerts(ctx context.Context, at time.Time, transitions []incident.Alert)
}

// Actor is how the monitor signs its milestones.
const Actor = "monitor"

// Config is one drill's monitoring. Zero values take the defaults.
type Config struct {
	// Traffic is sent at Traffic.Rate, spread over Traffic.Requests by
	// weight. Traffic.Mix is not read here: the mix weighs an app's profile
	// (the demo app's) where the drill is wired, which folds it into
	// Requests (see config.Traffic.Weigh). No requests, no traffic.
	Traffic   config.Traffic
	RuleFiles []string
	// Severities map alerts' severity labels to P1..P4 (nil: the
	// defaults, incident.DefaultSeverityLabels).
	Severities incident.SeverityLabels
	// Sink receives alert transitions; nil means only the timeline does.
	Sink AlertSink
	// Workers is how many traffic requests are in flight at first (12);
	// while the app is slow the pool grows up to MaxWorkers (512, above a
	// tick's 300 requests at the default 20 rps), so a stalled app gets
	// the tick's full load in one round of its timeouts.
	Workers    int
	MaxWorkers int
	// RequestTimeout bounds one traffic request (2.5s): an app that hangs
	// must cost a tick seconds, not minutes. It is a little above the demo
	// app's 2s pool acquire timeout, so the app's own 503 is what counts.
	RequestTimeout time.Duration
	// ProbeTimeout bounds one probe (2s), as a blackbox module's timeout.
	ProbeTimeout time.Duration
	// ScrapeTimeout bounds one scrape (5s).
	ScrapeTimeout time.Duration
	Logger        *slog.Logger
}

func (c *Config) defaults() {
	if c.Workers <= 0 {
		c.Workers = 12
	}
	if c.MaxWorkers <= 0 {
		c.MaxWorkers = 512
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 2500 * time.Millisecond
	}
	if c.ProbeTimeout <= 0 {
		c.ProbeTimeout = 2 * time.Second
	}
	if c.ScrapeTimeout <= 0 {
		c.ScrapeTimeout = 5 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// TickTiming is where one tick's wall time went, for the benchmark and for
// reports that show how compressed a drill ran.
type TickTiming struct {
	Drill    time.Duration // the tick's drill time
	Traffic  time.Duration
	Scrape   time.Duration // probes and scrapes (they run together) and the append
	Evaluate time.Duration
	Total    time.Duration
	// Floor is the least wall time the tick's real components allowed:
	// the traffic's (the scrape must see the tick's traffic, so it
	// follows it), then the scrapes' and probes' (they run together).
	// Each part's is its slowest answer, or the CPU the rest of the
	// machine spent on it spread over the cores when that is more: a
	// burst the stack's throughput bounds (see Phase). FloorBy names the
	// larger part, e.g. "scrape postgres-exporter" or "traffic (the
	// stack's CPU)". The rest of Total, but the responder's own steps, is
	// the harness's overhead.
	Floor   time.Duration
	FloorBy string
}

// Monitor is one drill's detection. See the package documentation for its
// contract.
type Monitor struct {
	env      *stack.Env
	clock    *incident.Clock
	timeline *incident.Timeline
	cfg      Config

	dir     string
	db      *tsdb.DB
	engine  *promql.Engine
	query   rules.QueryFunc
	eval    *evaluator
	traffic *generator
	probes  []probe
	scrapes *http.Client
	load    *http.Client

	tickMu  sync.Mutex // ticks run one at a time
	lastTS  time.Time
	ticked  bool
	series  map[[2]string]map[uint64]labels.Labels // per target: series of its last scrape
	timings []TickTiming
	timeMu  sync.Mutex

	closeOnce sync.Once
	closeErr  error
}

// New loads the rule files and opens the drill's TSDB. Nothing is sent
// before the first Tick.
func New(env *stack.Env, clock *incident.Clock, timeline *incident.Timeline, cfg Config) (*Monitor, error) {
	if env == nil || clock == nil || timeline == nil {
		return nil, errors.New("new monitor: env, clock and timeline are required")
	}
	cfg.defaults()
	if cfg.Traffic.Rate > 0 && !slices.ContainsFunc(cfg.Traffic.Requests, func(r config.Request) bool { return r.Weight > 0 }) {
		// Traffic.Mix alone sends nothing here: see Config.Traffic.
		return nil, fmt.Errorf("new monitor: traffic rate %g but no request with a positive weight to send", cfg.Traffic.Rate)
	}
	// As Prometheus requires of scrape_timeout: no longer than the interval.
	cfg.ScrapeTimeout = min(cfg.ScrapeTimeout, clock.Tick())
	cfg.ProbeTimeout = min(cfg.ProbeTimeout, clock.Tick())
	groups, err := LoadRuleFiles(cfg.RuleFiles...)
	if err != nil {
		return nil, err
	}
	m := &Monitor{env: env, clock: clock, timeline: timeline, cfg: cfg, series: map[[2]string]map[uint64]labels.Labels{}}
	if err := m.openStorage(); err != nil {
		return nil, err
	}
	m.eval = newEvaluator(groups, m.query, m.db, cfg.Logger)
	if cfg.Severities != nil {
		m.eval.severities = cfg.Severities
	}
	// Scrapes ask for uncompressed pages, as Prometheus' scrape config
	// enable_compression: false does: over loopback, gzip is only CPU taken
	// from the stack (the exporter's) and the harness (ours).
	m.scrapes = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4, IdleConnTimeout: time.Minute, DisableCompression: true}}
	m.load = &http.Client{Transport: newLoadTransport(env.AppURL, cfg.MaxWorkers, time.Minute)}
	m.traffic = newTraffic(m.load, env.AppURL, cfg.Traffic, cfg.Workers, cfg.MaxWorkers, cfg.RequestTimeout)
	m.probes = newProbes(env, m.scrapes)
	return m, nil
}

// openStorage opens a real Prometheus TSDB in a temporary directory that
// Close removes. The WAL is off: a drill's samples live as long as the
// drill.
func (m *Monitor) openStorage() error {
	// Named after the run, so that `firedrill cleanup --run ID` finds it
	// when the run was killed before Close.
	dir, err := os.MkdirTemp("", "firedrill-"+m.env.RunID+"-tsdb-")
	if err != nil {
		return fmt.Errorf("open tsdb: %w", err)
	}
	db, engine, err := openTSDB(dir, m.cfg.Logger)
	if err != nil {
		_ = os.RemoveAll(dir)
		return err
	}
	m.dir, m.db, m.engine = dir, db, engine
	m.query = rules.EngineQueryFunc(engine, db)
	return nil
}

func openTSDB(dir string, log *slog.Logger) (*tsdb.DB, *promql.Engine, error) {
	opts := tsdb.DefaultOptions()
	opts.WALSegmentSize = -1
	db, err := tsdb.Open(dir, log, nil, opts, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("open tsdb: %w", err)
	}
	engine := promql.NewEngine(promql.EngineOpts{
		Logger: log, MaxSamples: 50_000_000, Timeout: 2 * time.Minute,
		EnableAtModifier: true, EnableNegativeOffset: true, Parser: promParser,
	})
	return db, engine, nil
}

// Close releases the storage and removes its directory. It is safe to call
// more than once.
func (m *Monitor) Close() error {
	m.closeOnce.Do(func() {
		m.tickMu.Lock()
		defer m.tickMu.Unlock()
		m.load.CloseIdleConnections()
		m.scrapes.CloseIdleConnections()
		var errs []error
		if err := m.engine.Close(); err != nil {
			errs = append(errs, err)
		}
		if err := m.db.Close(); err != nil {
			errs = append(errs, err)
		}
		if err := os.RemoveAll(m.dir); err != nil {
			errs = append(errs, err)
		}
		if err := errors.Join(errs...); err != nil {
			m.closeErr = fmt.Errorf("close monitor: %w", err)
		}
	})
	return m.closeErr
}

// ErrTicked means Tick was called twice at the same drill time: the clock
// must Advance between ticks.
var ErrTicked = errors.New("drill time already ticked")

// Tick runs one tick at the clock's current tick time: the tick's traffic,
// then probes and scrapes (together), the append, rule evaluation, and the
// transitions recorded and delivered. It returns ctx's error when cancelled;
// a failing target or probe is data (up, probe_success), not an error.
func (m *Monitor) Tick(ctx context.Context) error {
	m.tickMu.Lock()
	defer m.tickMu.Unlock()
	drill := m.clock.TickTime()
	ts := m.clock.At(drill)
	if m.ticked && !ts.After(m.lastTS) {
		return fmt.Errorf("tick at %s: %w", drill, ErrTicked)
	}
	m.ticked, m.lastTS = true, ts
	timing := TickTiming{Drill: drill}
	start := time.Now()

	phase := StartPhase()
	if err := m.traffic.Send(ctx, m.clock.Tick(), ts); err != nil {
		return fmt.Errorf("tick at %s: traffic: %w", drill, err)
	}
	timing.Traffic = time.Since(start)
	sent := trafficFloor(phase.Floor(m.traffic.slowest()))

	mark := time.Now()
	phase = StartPhase()
	var probes []probeResult
	var scrapes []scrapeResult
	var wg sync.WaitGroup
	wg.Go(func() { probes = runProbes(ctx, m.probes, m.cfg.ProbeTimeout) })
	wg.Go(func() { scrapes = scrapeAll(ctx, m.scrapes, m.env.Targets, m.cfg.ScrapeTimeout) })
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("tick at %s: scrape: %w", drill, err)
	}
	answered := answerFloor(phase, probes, scrapes)
	if err := m.store(ctx, ts, probes, scrapes); err != nil {
		return fmt.Errorf("tick at %s: %w", drill, err)
	}
	timing.Scrape = time.Since(mark)
	timing.Floor, timing.FloorBy = sent.d+answered.d, sent.by
	if answered.d >= sent.d {
		timing.FloorBy = answered.by
	}

	mark = time.Now()
	transitions, err := m.eval.eval(ctx, ts)
	if err != nil {
		return fmt.Errorf("tick at %s: evaluate rules: %w", drill, err)
	}
	timing.Evaluate = time.Since(mark)

	for _, a := range transitions {
		m.timeline.Record(milestone(a, drill, ts))
	}
	if m.cfg.Sink != nil {
		m.cfg.Sink.Alerts(ctx, ts, transitions)
	}
	timing.Total = time.Since(start)
	m.timeMu.Lock()
	m.timings = append(m.timings, timing)
	m.timeMu.Unlock()
	return nil
}

func milestone(a incident.Alert, drill time.Duration, ts time.Time) incident.Milestone {
	kind := incident.AlertPending
	switch a.State {
	case incident.StateFiring:
		kind = incident.AlertFiring
	case incident.StateResolved:
		kind = incident.AlertResolved
	}
	m := incident.Milestone{Kind: kind, Drill: drill, At: ts, Actor: Actor, Subject: a.Name,
		Severity: a.Severity, Labels: a.Labels, Detail: a.Annotations["summary"]}
	if kind == incident.AlertFiring {
		m.Expr = a.Expr
	}
	return m
}

// store appends the tick's probe and scrape samples at ts, with stale
// markers for the series a target stopped exposing (all of them when its
// scrape failed), as Prometheus' scrape loop writes them.
func (m *Monitor) store(ctx context.Context, ts time.Time, probes []probeResult, scrapes []scrapeResult) error {
	t := timestamp.FromTime(ts)
	app := m.db.Appender(ctx)
	var firstErr error
	put := func(s sample) {
		if _, err := app.Append(0, s.l, t, s.v); err != nil && !tolerable(err) && firstErr == nil {
			firstErr = err
		}
	}
	for _, p := range probes {
		for _, s := range probeSamples(p) {
			put(s)
		}
	}
	stale := math.Float64frombits(value.StaleNaN)
	for _, r := range scrapes {
		key := [2]string{r.target.Job, r.target.Instance}
		now := make(map[uint64]labels.Labels, len(r.samples))
		for _, s := range r.samples {
			now[s.l.Hash()] = s.l
			put(s)
		}
		for h, l := range m.series[key] {
			if _, ok := now[h]; !ok {
				put(sample{l: l, v: stale})
			}
		}
		m.series[key] = now
		for _, s := range reportSamples(r) {
			put(s)
		}
		if r.err != nil {
			m.cfg.Logger.Debug("scrape failed", "target", r.target.Instance, "err", r.err)
		}
	}
	if firstErr != nil {
		_ = app.Rollback()
		return fmt.Errorf("store samples: %w", firstErr)
	}
	if err := app.Commit(); err != nil {
		return fmt.Errorf("store samples: %w", err)
	}
	return nil
}

// Run ticks until until reports true or ctx ends: the current tick first if
// this monitor has not ticked it, then Advance and Tick, checking until
// after each tick. A nil until runs until ctx ends. It returns nil when
// until stopped it and ctx's error otherwise.
func (m *Monitor) Run(ctx context.Context, until func() bool) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		m.tickMu.Lock()
		due := !m.ticked || m.clock.At(m.clock.TickTime()).After(m.lastTS)
		m.tickMu.Unlock()
		if due {
			if err := m.Tick(ctx); err != nil {
				return err
			}
		}
		if until != nil && until() {
			return nil
		}
		if _, err := m.clock.Advance(ctx); err != nil {
			return err
		}
	}
}

// Query evaluates a PromQL expression at a drill timestamp against the
// drill's samples, as a playbook's wait step asks "is it healthy yet". A
// scalar answer comes back as a one-sample vector without labels.
func (m *Monitor) Query(ctx context.Context, expr string, at time.Time) (promql.Vector, error) {
	v, err := m.query(ctx, expr, at)
	if err != nil {
		return nil, fmt.Errorf("query %q: %w", expr, err)
	}
	return v, nil
}

// LongestFor is the longest `for:` among the loaded alerting rules.
func (m *Monitor) LongestFor() time.Duration { return LongestFor(m.eval.groups) }

// ActiveAlerts are the alerts pending or firing after the last tick.
// It is safe to call from an AlertSink.
func (m *Monitor) ActiveAlerts() []incident.Alert { return m.eval.active() }

// RuleErrors counts rule evaluations that failed so far.
func (m *Monitor) RuleErrors() int { return int(m.eval.errors.Load()) }

// Timings are the wall times of the ticks so far.
func (m *Monitor) Timings() []TickTiming {
	m.timeMu.Lock()
	defer m.timeMu.Unlock()
	return append([]TickTiming(nil), m.timings...)
}

// TrafficOutcomes are the traffic's client-side outcomes so far.
func (m *Monitor) TrafficOutcomes() []Outcome { return m.traffic.Outcomes() }

// Storage is the drill's TSDB, for readers that need more than Query.
func (m *Monitor) Storage() storage.Queryable { return m.db }
