package demoapp

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the series the shipped alert rules read. Names follow the
// Prometheus conventions the playbook's queries already use
// (http_requests_total, http_request_duration_seconds).
type metrics struct {
	registry     *prometheus.Registry
	requests     *prometheus.CounterVec
	duration     *prometheus.HistogramVec
	cacheHits    prometheus.Counter
	cacheMisses  prometheus.Counter
	authFailures *prometheus.CounterVec
	// denied counts API requests refused because their source is on the
	// deny list, by source.
	denied        *prometheus.CounterVec
	webhookErrors *prometheus.CounterVec
	payments      prometheus.Counter
	// buildInfo is 1 for the version the app runs (the app_build_info
	// convention), so a deploy and a rollback show on a dashboard.
	buildInfo *prometheus.GaugeVec
	// webhookReplays counts failed deliveries processed again, by outcome
	// (recorded, failed, dropped).
	webhookReplays *prometheus.CounterVec
}

func newMetrics(pool *pgxpool.Pool) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total", Help: "HTTP requests served, by route, method and status code.",
		}, []string{"endpoint", "method", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "http_request_duration_seconds", Help: "HTTP request latency, by route and method.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"endpoint", "method"}),
		cacheHits:   prometheus.NewCounter(prometheus.CounterOpts{Name: "cache_hits_total", Help: "Content cache hits in Redis."}),
		cacheMisses: prometheus.NewCounter(prometheus.CounterOpts{Name: "cache_misses_total", Help: "Content cache misses (read from Postgres)."}),
		authFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "auth_failures_total", Help: "Failed logins and rejected tokens, by client source address.",
		}, []string{"source"}),
		denied: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "denied_requests_total", Help: "API requests refused because their source is on the deny list, by source.",
		}, []string{"source"}),
		webhookErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "webhook_errors_total", Help: "Payment webhooks that failed, by reason.",
		}, []string{"reason"}),
		webhookReplays: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "webhook_replays_total", Help: "Failed payment webhooks processed again, by outcome.",
		}, []string{"outcome"}),
		buildInfo: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "app_build_info", Help: "The version the app runs (always 1).",
		}, []string{"version"}),
		payments: prometheus.NewCounter(prometheus.CounterOpts{Name: "payments_recorded_total", Help: "Payment webhooks recorded."}),
	}
	m.registry.MustRegister(m.requests, m.duration, m.cacheHits, m.cacheMisses, m.authFailures, m.denied, m.webhookErrors, m.webhookReplays, m.payments, m.buildInfo,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&poolCollector{pool: pool})
	// Pre-create the error series so rate() has a zero to start from.
	for _, r := range []string{"signature", "payload", "database", "read_only"} {
		m.webhookErrors.WithLabelValues(r)
	}
	m.buildInfo.WithLabelValues(Version).Set(1)
	for _, o := range []string{"recorded", "failed", "dropped"} {
		m.webhookReplays.WithLabelValues(o)
	}
	return m
}

// poolCollector exports pgxpool's statistics at scrape time.
type poolCollector struct{ pool *pgxpool.Pool }

var (
	poolAcquired  = prometheus.NewDesc("db_pool_acquired_connections", "Connections currently checked out of the app's pool.", nil, nil)
	poolIdle      = prometheus.NewDesc("db_pool_idle_connections", "Idle connections in the app's pool.", nil, nil)
	poolTotal     = prometheus.NewDesc("db_pool_total_connections", "Connections the app's pool holds.", nil, nil)
	poolMax       = prometheus.NewDesc("db_pool_max_connections", "The app's pool size.", nil, nil)
	poolAcquires  = prometheus.NewDesc("db_pool_acquires_total", "Successful acquires from the app's pool.", nil, nil)
	poolEmpty     = prometheus.NewDesc("db_pool_empty_acquires_total", "Acquires that had to wait because the pool was empty.", nil, nil)
	poolCanceled  = prometheus.NewDesc("db_pool_canceled_acquires_total", "Acquires given up before a connection came.", nil, nil)
	poolWaitTotal = prometheus.NewDesc("db_pool_acquire_wait_seconds_total", "Time spent waiting for a pooled connection.", nil, nil)
)

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{poolAcquired, poolIdle, poolTotal, poolMax, poolAcquires, poolEmpty, poolCanceled, poolWaitTotal} {
		ch <- d
	}
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	s := c.pool.Stat()
	ch <- prometheus.MustNewConstMetric(poolAcquired, prometheus.GaugeValue, float64(s.AcquiredConns()))
	ch <- prometheus.MustNewConstMetric(poolIdle, prometheus.GaugeValue, float64(s.IdleConns()))
	ch <- prometheus.MustNewConstMetric(poolTotal, prometheus.GaugeValue, float64(s.TotalConns()))
	ch <- prometheus.MustNewConstMetric(poolMax, prometheus.GaugeValue, float64(s.MaxConns()))
	ch <- prometheus.MustNewConstMetric(poolAcquires, prometheus.CounterValue, float64(s.AcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolEmpty, prometheus.CounterValue, float64(s.EmptyAcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolCanceled, prometheus.CounterValue, float64(s.CanceledAcquireCount()))
	ch <- prometheus.MustNewConstMetric(poolWaitTotal, prometheus.CounterValue, s.AcquireDuration().Seconds())
}
