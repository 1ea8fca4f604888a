package monitors

import (
	"cmp"
	"context"
	"net/http"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	grafanaregexp "github.com/grafana/regexp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/route"
	promconfig "github.com/prometheus/prometheus/config"
	"github.com/prometheus/prometheus/rules"
	apiv1 "github.com/prometheus/prometheus/web/api/v1"
)

// apiPaths are the endpoints of Prometheus' HTTP API a drill answers: what
// runbook scripts call (query, query_range, alerts, rules) and what Grafana
// needs to browse metrics (labels, label values, series, buildinfo). The
// rest of Prometheus' API (targets, metadata, TSDB status, admin, remote
// write) needs a scrape manager or a server firedrill does not run, so it
// answers 404 rather than a half-truth.
var apiPaths = regexp.MustCompile(`^/api/v1/(query|query_range|alerts|rules|labels|label/[^/]+/values|series|status/buildinfo|format_query|parse_query)$`)

// PrometheusAPI serves Prometheus' own HTTP API (web/api/v1, the code a
// Prometheus server runs) on the drill's TSDB, PromQL engine and alerting
// rules, so a runbook script's `curl $PROMETHEUS_URL/api/v1/query?…` gets
// what it gets from production, in the same JSON. An instant query without
// `time` is evaluated at the drill clock's current tick, not the wall
// clock: that is when the drill's samples and alerts are.
func (m *Monitor) PrometheusAPI() http.Handler {
	groups := m.ruleGroups()
	var alerting []*rules.AlertingRule
	for _, g := range m.eval.groups {
		for _, r := range g.Rules {
			if ar, ok := r.(*rules.AlertingRule); ok {
				alerting = append(alerting, ar)
			}
		}
	}
	retriever := ruleRetriever{groups: groups, alerting: alerting}
	reg := prometheus.NewRegistry() // per drill: the API registers its own metrics
	api := apiv1.NewAPI(
		m.engine, m.db, nil, nil, // engine, storage; no remote write, no exemplars
		nil, nil, nil, // scrape pools, targets, alertmanagers: not served
		func() promconfig.Config { return promconfig.DefaultConfig },
		nil, apiv1.GlobalURLOptions{},
		func(f http.HandlerFunc) http.HandlerFunc { return f }, // always ready
		nil, "", false, false, 0, // no TSDB admin, no search
		m.cfg.Logger,
		func(context.Context) apiv1.RulesRetriever { return retriever },
		0, 0, 0, false,
		grafanaregexp.MustCompile("^(?:.*)$"), // Prometheus' default --web.cors.origin, so Grafana in a browser can ask
		nil, buildInfo(), nil, nil,
		reg, reg, nil,
		false, nil, false, false, false,
		5*time.Minute, false, false, nil, nil,
		apiv1.OpenAPIOptions{IncludePaths: []string{"/query", "/alerts", "/rules"}},
		promParser, false, 2*time.Minute,
	)
	router := route.New()
	api.Register(router.WithPrefix("/api/v1"))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !apiPaths.MatchString(r.URL.Path) {
			http.NotFound(w, r)
			return
		}
		if r.URL.Path == "/api/v1/query" {
			if err := r.ParseForm(); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if r.Form.Get("time") == "" {
				r.Form.Set("time", formatTime(m.clock.At(m.clock.TickTime())))
			}
		}
		router.ServeHTTP(w, r)
	})
}

// formatTime writes a timestamp as the API's time parameter reads it: Unix
// seconds, to the millisecond.
func formatTime(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64)
}

// ruleGroups are the loaded groups as Prometheus' rules package holds them
// (what /api/v1/rules lists), around the very rules the evaluator runs, so
// their health, last evaluation and active alerts are the drill's. A group
// without its own interval is evaluated every tick.
func (m *Monitor) ruleGroups() []*rules.Group {
	out := make([]*rules.Group, 0, len(m.eval.groups))
	for _, g := range m.eval.groups {
		offset := g.QueryOffset
		out = append(out, rules.NewGroup(rules.GroupOptions{
			Name: g.Name, File: g.File, Interval: cmp.Or(g.Interval, m.clock.Tick()), Limit: g.Limit,
			Rules: g.Rules, QueryOffset: &offset,
		}))
	}
	return out
}

type ruleRetriever struct {
	groups   []*rules.Group
	alerting []*rules.AlertingRule
}

func (r ruleRetriever) RuleGroups() []*rules.Group           { return r.groups }
func (r ruleRetriever) AlertingRules() []*rules.AlertingRule { return r.alerting }

// buildInfo answers /api/v1/status/buildinfo with the Prometheus release
// whose code evaluates the drill (module v0.316.0 is Prometheus 3.16.0), so
// Grafana picks the query features that engine has.
func buildInfo() *apiv1.PrometheusVersion {
	v := &apiv1.PrometheusVersion{Version: "3.0.0", Branch: "firedrill", Revision: "firedrill"}
	if bi, ok := debug.ReadBuildInfo(); ok {
		v.GoVersion = bi.GoVersion
		for _, d := range bi.Deps {
			if d.Path == "github.com/prometheus/prometheus" {
				v.Version = releaseOf(d.Version)
			}
		}
	}
	return v
}

// releaseOf maps a Prometheus Go module version (v0.316.0) to the release
// it was cut from (3.16.0); other versions are returned without their v.
func releaseOf(mod string) string {
	m := regexp.MustCompile(`^v0\.(\d)(\d\d)\.(\d+)$`).FindStringSubmatch(mod)
	if m == nil {
		return strings.TrimPrefix(mod, "v")
	}
	minor, _ := strconv.Atoi(m[2])
	return m[1] + "." + strconv.Itoa(minor) + "." + m[3]
}
