package config

import (
	"cmp"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/firedrill/firedrill/incident"
)

// Traffic is the steady load the traffic generator puts on the app, so that
// rules on request rates and error ratios have something to measure.
type Traffic struct {
	// Rate is requests per second of drill time; 0 sends none.
	Rate float64 `yaml:"rate"`
	// Mix weighs the app's endpoints (TrafficEndpoints); a weight is a share
	// of Rate, not a rate of its own.
	Mix Mix `yaml:"mix"`
	// Requests are your own app's requests, weighed together with Mix.
	Requests []Request `yaml:"requests"`
}

// Request is one kind of request the traffic generator sends, by weight:
// your own app's, from traffic.requests, or one of a profile written in Go
// (the demo app's). The generator knows no app: it sends what these say.
type Request struct {
	// Name labels its outcomes; it must differ from the mix's names.
	Name   string `yaml:"name"`
	Method string `yaml:"method"` // GET when empty
	Path   string `yaml:"path"`   // relative to the app's URL, starting with /
	Body   string `yaml:"body"`
	// ContentType is sent with a body (application/json when empty).
	ContentType string            `yaml:"content_type"`
	Headers     map[string]string `yaml:"headers"`
	Weight      float64           `yaml:"weight"`

	// Vary, when set, changes the seq-th send of the request before it goes
	// out: a page number, a signed body, a session token. Profiles written
	// in Go set it; firedrill.yaml cannot. It may be called concurrently.
	Vary func(seq int, s *Send) `yaml:"-"`
	// Answered, when set, sees every answer the request got (a login keeps
	// its token for later requests). It may be called concurrently.
	Answered func(status int, body []byte) `yaml:"-"`
}

// Send is one request as it goes out.
type Send struct {
	Method string
	Path   string
	Body   []byte
	Header http.Header
}

// Prepare is the seq-th send of r: its fields, then its Vary. A body goes
// with a Content-Type: the header given, else ContentType, else
// application/json.
func (r Request) Prepare(seq int) Send {
	s := Send{Method: cmp.Or(r.Method, http.MethodGet), Path: r.Path, Header: http.Header{}}
	if r.Body != "" {
		s.Body = []byte(r.Body)
	}
	for k, v := range r.Headers {
		s.Header.Set(k, v)
	}
	if r.Vary != nil {
		r.Vary(seq, &s)
	}
	if len(s.Body) > 0 && s.Header.Get("Content-Type") == "" {
		s.Header.Set("Content-Type", cmp.Or(r.ContentType, "application/json"))
	}
	return s
}

// Weigh is what the traffic generator sends for an app whose built-in
// profile (the demo app's) is profile: the profile's requests named in Mix,
// weighed by it, then Requests. A nil Mix keeps the profile's own weights;
// a written mix replaces them whole, so a request it leaves out is not sent.
func (t Traffic) Weigh(profile []Request) []Request {
	out := make([]Request, 0, len(profile)+len(t.Requests))
	for _, r := range profile {
		if t.Mix != nil {
			w, ok := t.Mix[r.Name]
			if !ok {
				continue
			}
			r.Weight = w
		}
		out = append(out, r)
	}
	return append(out, t.Requests...)
}

// Weight is the total weight of the mix and the requests.
func (t Traffic) Weight() float64 {
	w := t.Mix.Total()
	for _, r := range t.Requests {
		w += r.Weight
	}
	return w
}

// TrafficEndpoints are the names a traffic mix may weigh: the demo app's
// public content, token check, login, payment webhook and health check.
var TrafficEndpoints = []string{"content", "auth_status", "login", "webhook", "health"}

// Mix is endpoint name to weight. A mix written in firedrill.yaml replaces
// the default one whole, so leaving an endpoint out means sending it nothing.
type Mix map[string]float64

// UnmarshalYAML replaces the mix and names the line of each unknown
// endpoint and bad weight (a yaml.TypeError, so the decoder goes on).
func (m *Mix) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.MappingNode {
		return typeError(n, "want endpoints mapped to weights (content: 60), not %s", cmp.Or(kindWords[n.Kind], strconv.Quote(n.Value)))
	}
	out := Mix{}
	te := &yaml.TypeError{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !slices.Contains(TrafficEndpoints, k.Value) {
			te.Errors = append(te.Errors, typeError(k, "unknown traffic endpoint %q (want %s)", k.Value, strings.Join(TrafficEndpoints, ", ")).Errors...)
			continue
		}
		var w float64
		if err := v.Decode(&w); err != nil {
			te.Errors = append(te.Errors, typeError(v, "weight %q is not a number", v.Value).Errors...)
			continue
		}
		out[k.Value] = w
	}
	if len(te.Errors) > 0 {
		return te
	}
	*m = out
	return nil
}

// Total is the sum of the weights.
func (m Mix) Total() float64 {
	var t float64
	for _, w := range m {
		t += w
	}
	return t
}

// Monitoring is how often the stack is scraped and rules evaluated, and
// which rule files apply.
type Monitoring struct {
	// Interval is the tick: scrape and evaluation interval, in drill time.
	Interval Duration `yaml:"interval"`
	// RuleFiles are Prometheus alerting rule files, relative to where
	// firedrill runs unless absolute.
	RuleFiles []string `yaml:"rule_files"`
	// AlertmanagerConfig is the team's alertmanager.yml, read unchanged:
	// its routes, group_by, timers and inhibit_rules decide what pages and
	// when. Empty: firedrill's default (one route grouping by alertname).
	AlertmanagerConfig string `yaml:"alertmanager_config"`
	// SeverityLabels add values of the alerts' severity label to the
	// defaults (critical P1, error/high P2, warning/medium P3, info/low
	// P4): value → P1..P4.
	SeverityLabels map[string]string `yaml:"severity_labels"`
}

// Severities is the severity label mapping: the defaults plus
// SeverityLabels (validation has rejected a bad one).
func (m Monitoring) Severities() incident.SeverityLabels {
	s, err := incident.DefaultSeverityLabels().With(m.SeverityLabels)
	if err != nil {
		return incident.DefaultSeverityLabels()
	}
	return s
}

// Clock is how drill time relates to wall time.
type Clock struct {
	// Mode is compressed (ticks back to back, CI), paced (drill time = Pace ×
	// wall time: rehearsals, tests of game days) or realtime (game days).
	Mode string `yaml:"mode"`
	// Pace is drill seconds per wall second in paced mode (at least 1);
	// other modes take none.
	Pace float64 `yaml:"pace"`
}

// Options are the clock's options for incident.NewClock.
func (c Clock) Options() []incident.ClockOption {
	return []incident.ClockOption{incident.WithPace(c.Pace)}
}

// DefaultMix weighs the endpoints roughly as a content site sees them:
// mostly reads, some logins and token checks, a few payments.
func DefaultMix() Mix {
	return Mix{"content": 60, "auth_status": 15, "login": 10, "webhook": 5, "health": 10}
}

func defaultTraffic() Traffic { return Traffic{Rate: 20, Mix: DefaultMix()} }

func defaultMonitoring() Monitoring {
	return Monitoring{Interval: Duration(incident.DefaultTick), RuleFiles: []string{"rules/default.rules.yml"},
		SeverityLabels: map[string]string{}}
}

func defaultClock() Clock { return Clock{Mode: string(incident.Compressed), Pace: 1} }

// MaxTrafficRate bounds the traffic rate, in requests per second of drill
// time, here and in a drill's "steady traffic" step (scenarios uses this
// constant). The traffic generator sends each tick's requests for real, on
// the machine that runs the drill: 1000 per second × a 15 s tick is 15000
// real requests a tick, about what a 2-core host can send and serve before
// the traffic itself becomes the fault.
const MaxTrafficRate = 1000

// MaxWeight bounds a traffic weight: weights are shares of one another, and
// the bound keeps their sum finite.
const MaxWeight = 1_000_000

// validateMonitoring adds the problems of the traffic, monitoring and clock
// sections.
func (c Config) validateMonitoring(add func(path, format string, args ...any)) {
	// Written as "not within", so NaN (YAML's .nan) is refused too.
	if !(c.Traffic.Rate >= 0 && c.Traffic.Rate <= MaxTrafficRate) {
		add("traffic.rate", "must be from 0 to %d requests per second, not %g", MaxTrafficRate, c.Traffic.Rate)
	}
	for _, name := range slices.Sorted(maps.Keys(c.Traffic.Mix)) {
		if w := c.Traffic.Mix[name]; !(w >= 0 && w <= MaxWeight) {
			add("traffic.mix", "weight of %s must be from 0 to %d, not %g", name, MaxWeight, w)
		}
	}
	if c.Traffic.Rate > 0 && c.Traffic.Weight() <= 0 {
		add("traffic.mix", "must give some endpoint a positive weight when traffic.rate is above 0")
	}
	seen := map[string]bool{}
	for i, r := range c.Traffic.Requests {
		switch {
		case r.Name == "":
			add("traffic.requests", "entry %d needs a name", i+1)
		case slices.Contains(TrafficEndpoints, r.Name) || seen[r.Name]:
			add("traffic.requests", "entry %d: the name %q is taken", i+1, r.Name)
		}
		seen[r.Name] = true
		if !strings.HasPrefix(r.Path, "/") {
			add("traffic.requests", "entry %d (%s): path must start with /, not %q", i+1, r.Name, r.Path)
		}
		switch r.Method {
		case "", "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE":
		default:
			add("traffic.requests", "entry %d (%s): method must be GET, HEAD, POST, PUT, PATCH or DELETE, not %q", i+1, r.Name, r.Method)
		}
		if !(r.Weight >= 0 && r.Weight <= MaxWeight) {
			add("traffic.requests", "entry %d (%s): weight must be from 0 to %d, not %g", i+1, r.Name, MaxWeight, r.Weight)
		}
		for _, k := range slices.Sorted(maps.Keys(r.Headers)) {
			if k == "" || strings.ContainsAny(k, " \t\r\n:") || strings.ContainsAny(r.Headers[k], "\r\n") {
				add("traffic.requests", "entry %d (%s): header %q: not a header name and one-line value", i+1, r.Name, k)
			}
		}
	}
	if iv := c.Monitoring.Interval.D(); iv < time.Second || iv > 10*time.Minute {
		add("monitoring.interval", "must be from 1s to 10m, not %s", iv)
	}
	if len(c.Monitoring.RuleFiles) == 0 {
		add("monitoring.rule_files", "must name at least one rule file")
	}
	for i, f := range c.Monitoring.RuleFiles {
		if strings.TrimSpace(f) == "" {
			add("monitoring.rule_files", "entry %d is empty", i+1)
		}
	}
	if _, err := incident.DefaultSeverityLabels().With(c.Monitoring.SeverityLabels); err != nil {
		add("monitoring.severity_labels", "%v", err)
	}
	mode, err := incident.ParseMode(c.Clock.Mode)
	if err != nil {
		add("clock.mode", "must be compressed, paced or realtime, not %q", c.Clock.Mode)
	}
	switch {
	case incident.ValidPace(c.Clock.Pace) != nil:
		add("clock.pace", "must be at least 1 (drill seconds per wall second), not %g", c.Clock.Pace)
	case c.Clock.Pace != 1 && err == nil && mode != incident.Paced:
		add("clock.pace", "applies to clock.mode paced only, not %s", mode)
	}
}
