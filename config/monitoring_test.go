package config

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMonitoringDefaults(t *testing.T) {
	t.Parallel()
	c, err := Parse("firedrill.yaml", []byte("stack:\n  provider: docker\n"))
	require.NoError(t, err)
	assert.Equal(t, 20.0, c.Traffic.Rate)
	assert.Equal(t, DefaultMix(), c.Traffic.Mix)
	assert.Equal(t, 15*time.Second, c.Monitoring.Interval.D())
	assert.Equal(t, []string{"rules/default.rules.yml"}, c.Monitoring.RuleFiles)
	assert.Equal(t, "compressed", c.Clock.Mode)
}

func TestMonitoringSectionsParse(t *testing.T) {
	t.Parallel()
	c, err := Parse("firedrill.yaml", []byte(`
traffic:
  rate: 50
  mix:
    content: 3
    login: 1
monitoring:
  interval: 30 seconds
  rule_files: [rules/ours.yml, /etc/prometheus/alerts.yml]
clock:
  mode: realtime
`))
	require.NoError(t, err)
	assert.Equal(t, 50.0, c.Traffic.Rate)
	assert.Equal(t, Mix{"content": 3, "login": 1}, c.Traffic.Mix, "a written mix replaces the default whole")
	assert.Equal(t, 30*time.Second, c.Monitoring.Interval.D())
	assert.Equal(t, []string{"rules/ours.yml", "/etc/prometheus/alerts.yml"}, c.Monitoring.RuleFiles)
	assert.Equal(t, "realtime", c.Clock.Mode)
}

func TestMonitoringBadInputNamesFileLineAndKey(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		doc  string
		want []string
	}{
		"negative rate":    {"traffic:\n  rate: -1\n", []string{"firedrill.yaml:2:", "traffic.rate"}},
		"rate not number":  {"traffic:\n  rate: lots\n", []string{"firedrill.yaml:2:", "lots"}},
		"unknown endpoint": {"traffic:\n  mix:\n    content: 1\n    checkout: 2\n", []string{"firedrill.yaml:4:", `"checkout"`}},
		"bad weight":       {"traffic:\n  mix:\n    content: heavy\n", []string{"firedrill.yaml:3:", "heavy"}},
		"negative weight":  {"traffic:\n  mix:\n    content: -2\n", []string{"firedrill.yaml:2:", "traffic.mix", "content"}},
		"all zero weights": {"traffic:\n  rate: 5\n  mix:\n    content: 0\n", []string{"firedrill.yaml:3:", "traffic.mix", "positive"}},
		"interval short":   {"monitoring:\n  interval: 10ms\n", []string{"firedrill.yaml:2:", "monitoring.interval"}},
		"bad interval":     {"monitoring:\n  interval: often\n", []string{"firedrill.yaml:2:", "often"}},
		"no rule files":    {"monitoring:\n  rule_files: []\n", []string{"firedrill.yaml:2:", "monitoring.rule_files"}},
		"empty rule file":  {"monitoring:\n  rule_files: [a.yml, \"\"]\n", []string{"firedrill.yaml:2:", "entry 2"}},
		"bad clock mode":   {"clock:\n  mode: warp\n", []string{"firedrill.yaml:2:", "clock.mode", `"warp"`}},
		"unknown key":      {"monitoring:\n  intervall: 15s\n", []string{"firedrill.yaml:2:", `unknown key "intervall"`}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("firedrill.yaml", []byte(tc.doc))
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrInvalid), "errors.Is(err, ErrInvalid): %v", err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestTrafficRequestsOfYourOwnApp(t *testing.T) {
	t.Parallel()
	c, err := Parse("firedrill.yaml", []byte(`
traffic:
  mix: {health: 1}
  requests:
    - {name: catalog, path: /api/products, weight: 5}
    - {name: checkout, method: POST, path: /api/checkout, body: '{"sku":"x"}', weight: 1}
`))
	require.NoError(t, err)
	require.Len(t, c.Traffic.Requests, 2)
	assert.Equal(t, "POST", c.Traffic.Requests[1].Method)
	assert.Equal(t, 7.0, c.Traffic.Weight())

	for doc, want := range map[string]string{
		"traffic:\n  requests:\n    - {path: /x, weight: 1}\n":                              "entry 1 needs a name",
		"traffic:\n  requests:\n    - {name: health, path: /x, weight: 1}\n":                `the name "health" is taken`,
		"traffic:\n  requests:\n    - {name: a, path: x, weight: 1}\n":                      "path must start with /",
		"traffic:\n  requests:\n    - {name: a, method: FETCH, path: /x, weight: 1}\n":      `not "FETCH"`,
		"traffic:\n  requests:\n    - {name: a, path: /x, weight: 1, headerz: {}}\n":        `unknown key "headerz"`,
		"traffic:\n  mix: {health: 0}\n  requests:\n    - {name: a, path: /x, weight: 0}\n": "positive weight",
	} {
		_, err := Parse("firedrill.yaml", []byte(doc))
		require.Error(t, err, doc)
		assert.True(t, errors.Is(err, ErrInvalid))
		assert.Contains(t, err.Error(), want, doc)
		assert.Contains(t, err.Error(), "firedrill.yaml:", doc)
	}
}
