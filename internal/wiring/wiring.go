package wiring

import (
	"cmp"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/internal/demoapp"
	"github.com/firedrill/firedrill/monitors"
)

// MonitorConfig is the monitoring firedrill.yaml asks for: its rule files
// and its traffic (see Traffic).
func MonitorConfig(c config.Config) monitors.Config {
	return monitors.Config{Traffic: Traffic(c), RuleFiles: c.Monitoring.RuleFiles, Severities: c.Monitoring.Severities()}
}

// Traffic is what the traffic generator sends for c: the demo app's
// profile weighed by traffic.mix (its health request on the app's
// health_path, its webhooks signed with the app's WEBHOOK_SECRET, else the
// demo app's default), then traffic.requests. The mix is folded into the
// requests, so the result's Mix is nil.
func Traffic(c config.Config) config.Traffic {
	app := c.Stack.App
	secret := cmp.Or(app.Env["WEBHOOK_SECRET"], demoapp.DefaultWebhookSecret)
	t := c.Traffic
	t.Requests = t.Weigh(demoapp.TrafficProfile(secret, app.HealthPath))
	t.Mix = nil
	return t
}
