package responders

import (
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	amconfig "github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/dispatch"
	"github.com/prometheus/alertmanager/inhibit"
	"github.com/prometheus/common/model"

	"github.com/firedrill/firedrill/alerting"
)

// Routing is a team's Alertmanager configuration as the pager applies it on
// the drill clock. Alertmanager's own packages read the file and decide
// where an alert goes (the route tree, dispatch.Route), which labels group
// it (group_by) and whether it is muted (inhibit rules); the pager keeps
// only the timers (group_wait, group_interval, repeat_interval), in drill
// time rather than on the wall clock Alertmanager's dispatcher runs on.
type Routing struct {
	// Source names where the configuration came from, for reports.
	Source  string
	tree    *dispatch.Route
	inhibit []*inhibit.InhibitRule
}

// LoadRouting reads an alertmanager.yml; "" is the shipped default
// (alerting/alertmanager.yml). Errors name the file, and Alertmanager's
// own messages name the line.
func LoadRouting(path string) (*Routing, error) {
	if path == "" {
		return ParseRouting(alerting.DefaultConfigName, alerting.DefaultConfig)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load alertmanager config: %w: %w", err, ErrInvalid)
	}
	return ParseRouting(path, string(b))
}

// ParseRouting reads an Alertmanager configuration from text; source names
// it in errors and reports.
func ParseRouting(source, text string) (*Routing, error) {
	cfg, err := amconfig.Load(text)
	if err != nil {
		return nil, fmt.Errorf("%s: alertmanager config: %w: %w", source, err, ErrInvalid)
	}
	r := &Routing{Source: source, tree: dispatch.NewRoute(cfg.Route, nil)}
	for _, ir := range cfg.InhibitRules {
		r.inhibit = append(r.inhibit, inhibit.NewInhibitRule(ir))
	}
	return r, nil
}

// ImmediateRouting pages every alert at the tick it fires, grouped by
// alert name: no Alertmanager timers. It is the pager's default when it is
// given no configuration (tests, `firedrill watch`).
func ImmediateRouting() *Routing {
	r, err := ParseRouting("immediate routing", `route:
  receiver: on-call
  group_by: [alertname]
  group_wait: 0s
  group_interval: 15s
  repeat_interval: 4h
receivers:
  - name: on-call
`)
	if err != nil {
		panic(err) // a constant that Alertmanager's parser accepts
	}
	return r
}

// Route is where one alert goes: the receiver and the notification group.
type Route struct {
	Receiver string
	// GroupKey identifies the group as Alertmanager does: the route and
	// the values of its group_by labels.
	GroupKey string
	// Group are the group_by labels' values, for people.
	Group                                    string
	GroupWait, GroupInterval, RepeatInterval time.Duration
}

// Routes are the routes an alert's labels match, in the tree's order
// (more than one where a route says continue).
func (r *Routing) Routes(labels map[string]string) []Route {
	lset := labelSet(labels)
	var out []Route
	for _, rt := range r.tree.Match(lset) {
		o := rt.RouteOpts
		group := model.LabelSet{}
		for ln, lv := range lset {
			if _, ok := o.GroupBy[ln]; ok || o.GroupByAll {
				group[ln] = lv
			}
		}
		out = append(out, Route{Receiver: o.Receiver, GroupKey: rt.ID() + ":" + group.String(), Group: group.String(),
			GroupWait: o.GroupWait, GroupInterval: o.GroupInterval, RepeatInterval: o.RepeatInterval})
	}
	return out
}

// MutedBy is the name of a firing alert that inhibits an alert with these
// labels under the configuration's inhibit_rules, with Alertmanager's
// semantics: the target matchers match it, a source alert matches the
// source matchers and agrees on every `equal` label, and when the alert
// matches both sides, sources that also match the target side are
// disregarded (an alert never inhibits itself).
func (r *Routing) MutedBy(labels map[string]string, firing []map[string]string) (string, bool) {
	src, ok := r.Inhibitor(labels, firing)
	return src[model.AlertNameLabel], ok
}

// Inhibitor is the labels of the firing alert that inhibits an alert with
// these labels (see MutedBy); Alertmanager's API names it by their
// fingerprint.
func (r *Routing) Inhibitor(labels map[string]string, firing []map[string]string) (map[string]string, bool) {
	lset := labelSet(labels)
	for _, rule := range r.inhibit {
		if !rule.TargetMatchers.Matches(lset) {
			continue
		}
		twoSided := rule.SourceMatchers.Matches(lset)
		for _, f := range firing {
			src := labelSet(f)
			if !rule.SourceMatchers.Matches(src) || (twoSided && rule.TargetMatchers.Matches(src)) {
				continue
			}
			if equalOn(rule.Equal, lset, src) {
				return f, true
			}
		}
	}
	return nil, false
}

// Receivers are the receiver names routes lead to, sorted.
func (r *Routing) Receivers() []string {
	seen := map[string]bool{}
	r.tree.Walk(func(rt *dispatch.Route) { seen[rt.RouteOpts.Receiver] = true })
	return slices.Sorted(maps.Keys(seen))
}

func equalOn(names map[model.LabelName]struct{}, a, b model.LabelSet) bool {
	for ln := range names {
		if a[ln] != b[ln] {
			return false
		}
	}
	return true
}

func labelSet(m map[string]string) model.LabelSet {
	ls := make(model.LabelSet, len(m))
	for k, v := range m {
		ls[model.LabelName(k)] = model.LabelValue(v)
	}
	return ls
}

// String describes the timers of a route for the timeline.
func (r Route) String() string {
	return fmt.Sprintf("receiver %s, group %s (group_wait %s)", r.Receiver, strings.TrimSpace(r.Group), r.GroupWait)
}
