package config

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
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
	assert.Equal(t, 1.0, c.Clock.Pace)
}

func TestPacedClock(t *testing.T) {
	t.Parallel()
	c, err := Parse("firedrill.yaml", []byte("clock:\n  mode: paced\n  pace: 20\n"))
	require.NoError(t, err)
	assert.Equal(t, "paced", c.Clock.Mode)
	assert.Equal(t, 20.0, c.Clock.Pace)
	clock := incident.NewClock(incident.Mode(c.Clock.Mode), time.Second, time.Time{}, c.Clock.Options()...)
	assert.Equal(t, 20.0, clock.Pace())
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
		"pace below one":   {"clock:\n  mode: paced\n  pace: 0.5\n", []string{"firedrill.yaml:3:", "clock.pace", "at least 1", "0.5"}},
		"pace not number":  {"clock:\n  mode: paced\n  pace: fast\n", []string{"firedrill.yaml:3:", "fast"}},
		"pace not paced":   {"clock:\n  mode: realtime\n  pace: 20\n", []string{"firedrill.yaml:3:", "clock.pace", "paced only"}},
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
		"traffic:\n  requests:\n    - {path: /x, weight: 1}\n":                               "entry 1 needs a name",
		"traffic:\n  requests:\n    - {name: health, path: /x, weight: 1}\n":                 `the name "health" is taken`,
		"traffic:\n  requests:\n    - {name: a, path: x, weight: 1}\n":                       "path must start with /",
		"traffic:\n  requests:\n    - {name: a, method: FETCH, path: /x, weight: 1}\n":       `not "FETCH"`,
		"traffic:\n  requests:\n    - {name: a, path: /x, weight: 1, headerz: {}}\n":         `unknown key "headerz"`,
		"traffic:\n  mix: {health: 0}\n  requests:\n    - {name: a, path: /x, weight: 0}\n":  "positive weight",
		"traffic:\n  requests:\n    - {name: a, path: /x, weight: 1, headers: {'X A': b}}\n": `header "X A"`,
	} {
		_, err := Parse("firedrill.yaml", []byte(doc))
		require.Error(t, err, doc)
		assert.True(t, errors.Is(err, ErrInvalid))
		assert.Contains(t, err.Error(), want, doc)
		assert.Contains(t, err.Error(), "firedrill.yaml:", doc)
	}
}

func TestRequestPrepare(t *testing.T) {
	t.Parallel()
	c, err := Parse("firedrill.yaml", []byte(`
traffic:
  requests:
    - {name: checkout, method: POST, path: /api/checkout, body: '{"sku":"x"}', headers: {X-Tenant: t1}, weight: 1}
    - {name: form, method: PUT, path: /f, body: 'a=1', content_type: application/x-www-form-urlencoded, weight: 1}
    - {name: catalog, path: /api/products, weight: 1}
`))
	require.NoError(t, err)
	s := c.Traffic.Requests[0].Prepare(3)
	assert.Equal(t, "POST", s.Method)
	assert.Equal(t, "/api/checkout", s.Path)
	assert.Equal(t, `{"sku":"x"}`, string(s.Body))
	assert.Equal(t, "t1", s.Header.Get("X-Tenant"))
	assert.Equal(t, "application/json", s.Header.Get("Content-Type"), "a body defaults to JSON")
	assert.Equal(t, "application/x-www-form-urlencoded", c.Traffic.Requests[1].Prepare(0).Header.Get("Content-Type"))
	get := c.Traffic.Requests[2].Prepare(0)
	assert.Equal(t, "GET", get.Method)
	assert.Nil(t, get.Body)
	assert.Empty(t, get.Header.Get("Content-Type"), "no body, no content type")

	// A profile written in Go varies each send; its body still gets a type.
	r := Request{Name: "page", Path: "/p", Vary: func(seq int, s *Send) {
		s.Path += "?page=" + string(rune('0'+seq))
		s.Body = []byte("{}")
		s.Header.Set("X-Sig", "sig")
	}}
	v := r.Prepare(2)
	assert.Equal(t, "/p?page=2", v.Path)
	assert.Equal(t, "sig", v.Header.Get("X-Sig"))
	assert.Equal(t, "application/json", v.Header.Get("Content-Type"))
}

func TestTrafficWeighsAProfileByTheMix(t *testing.T) {
	t.Parallel()
	profile := []Request{{Name: "content", Weight: 60}, {Name: "login", Weight: 10}, {Name: "health", Weight: 10}}
	own := Request{Name: "catalog", Path: "/c", Weight: 5}
	weights := func(rs []Request) map[string]float64 {
		m := map[string]float64{}
		for _, r := range rs {
			m[r.Name] = r.Weight
		}
		return m
	}
	assert.Equal(t, map[string]float64{"content": 60, "login": 10, "health": 10, "catalog": 5},
		weights(Traffic{Requests: []Request{own}}.Weigh(profile)), "no mix: the profile's own weights")
	assert.Equal(t, map[string]float64{"health": 1, "catalog": 5},
		weights(Traffic{Mix: Mix{"health": 1}, Requests: []Request{own}}.Weigh(profile)), "a mix replaces the weights whole")
}
