// Package monitors is a drill's detection: it loads the app with steady
// traffic, probes and scrapes the stack, stores the samples in a real
// Prometheus TSDB, and evaluates standard Prometheus alerting rules on them
// with the real PromQL engine and rules package.
//
// The traffic is generic: Config.Traffic.Requests, each a method, path,
// body, headers and weight, optionally varied per send by a func. This
// package knows no app; the demo app owns its own profile
// (demoapp.TrafficProfile) and internal/wiring chooses it. On the wire it
// is the client net/http is (keep-alive, gzip asked for, redirects
// followed, an idempotent request sent again when the server closed its
// idle connection), with the exchange on the sending goroutine: the
// harness's CPU is the stack's loss on a small machine (transport.go).
//
// Contract:
//   - One Monitor serves one drill. Everything happens in Tick, at the drill
//     clock's current tick: traffic, probes, scrape, rule evaluation, and the
//     delivery of the tick's alert transitions. Nothing runs between ticks, so
//     a rule's `for:` and `keep_firing_for` cost ticks, not wall time.
//   - Samples are stamped with the tick's drill timestamp
//     (clock.At(clock.TickTime())), never the wall clock; scraped timestamps
//     are ignored for that reason.
//   - Series carry the names and labels Prometheus would give them: job and
//     instance from the target (a scraped label of the same name is kept as
//     exported_<name>), up per target, stale markers when a series or a
//     target disappears, and blackbox_exporter's probe_success,
//     probe_duration_seconds and probe_http_status_code for the probes. A
//     rule file a team deploys therefore evaluates unchanged.
//   - Every alert transition (pending, firing, resolved) is recorded on the
//     incident.Timeline by the actor "monitor", then handed to the AlertSink
//     once per tick. A pending alert that clears before it fires is not a
//     transition: Prometheus never tells Alertmanager about it either.
//   - A faulty rule file is an error at New naming the file, the line, the
//     group and the rule; a rule that fails at evaluation is logged and
//     counted (RuleErrors), and the drill goes on, as in Prometheus.
//   - PrometheusAPI serves Prometheus' own HTTP API (web/api/v1) on the
//     drill's TSDB, engine and rules: query (at the drill's current tick when
//     no time is given), query_range, alerts, rules, labels, series. It reads
//     what ticks wrote and never ticks itself.
//   - Cancelling the context stops Tick and Run promptly; when they return,
//     no request, probe or scrape of theirs is still running. Close releases
//     the storage and its temporary directory.
package monitors
