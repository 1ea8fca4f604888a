// Package alerting holds firedrill's default Alertmanager configuration,
// embedded so the binary drills anywhere: alertmanager.yml beside this file
// is the file itself (checked by amtool in CI), not a copy of it.
package alerting

import _ "embed"

// DefaultConfig is alertmanager.yml: one route grouping by alertname to
// the on-call receiver, with Alertmanager's default timers.
//
//go:embed alertmanager.yml
var DefaultConfig string

// DefaultConfigName names DefaultConfig in messages and reports.
const DefaultConfigName = "firedrill's default alertmanager.yml"
