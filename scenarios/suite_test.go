package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/firedrill/firedrill/alerting"
	"github.com/firedrill/firedrill/config"
)

// The result records how the run read severity labels and which
// Alertmanager configuration paged, so the report can show them.
func TestResultRecordsSeverityLabelsAndRouting(t *testing.T) {
	t.Parallel()
	r := NewSuite(Options{Config: config.Default()}).Result()
	assert.Equal(t, alerting.DefaultConfigName, r.Routing)
	assert.Equal(t, "P1", r.SeverityLabels["critical"])
	assert.Equal(t, "P3", r.SeverityLabels["warning"])

	cfg := config.Default()
	cfg.Monitoring.AlertmanagerConfig = "team/alertmanager.yml"
	cfg.Monitoring.SeverityLabels = map[string]string{"Sev1": "P1", "warning": "P2"}
	r = NewSuite(Options{Config: cfg}).Result()
	assert.Equal(t, "team/alertmanager.yml", r.Routing)
	assert.Equal(t, "P1", r.SeverityLabels["sev1"])
	assert.Equal(t, "P2", r.SeverityLabels["warning"], "the config wins over the defaults")
	assert.Equal(t, "P4", r.SeverityLabels["info"])
}
