package scenarios

import (
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	gherkin "github.com/cucumber/gherkin/go/v42"
	messages "github.com/cucumber/messages/go/v34"
)

// Located is one scenario of a feature file, where godog can be pointed
// at it alone ("file:line").
type Located struct {
	File     string
	Line     int
	Feature  string // the file's base name, as results name it
	Scenario string
}

// Path is "file:line", a path godog runs that scenario from.
func (l Located) Path() string { return l.File + ":" + strconv.Itoa(l.Line) }

// Locate lists every scenario of the feature files under paths, in file
// and line order. A scenario outline is one entry: its examples run in
// the same shard.
func Locate(paths []string) ([]Located, error) {
	files, err := FeatureFiles(paths)
	if err != nil {
		return nil, err
	}
	var out []Located
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("locate scenarios: %w", err)
		}
		doc, err := gherkin.ParseGherkinDocument(strings.NewReader(string(data)), (&messages.Incrementing{}).NewId)
		if err != nil {
			return nil, fmt.Errorf("%s: %w: %w", f, err, ErrInvalid)
		}
		if doc.Feature == nil {
			continue
		}
		for _, child := range doc.Feature.Children {
			for _, sc := range scenariosOf(child) {
				out = append(out, Located{File: f, Line: int(sc.Location.Line), Feature: filepath.Base(f), Scenario: sc.Name})
			}
		}
	}
	return out, nil
}

func scenariosOf(child *messages.FeatureChild) []*messages.Scenario {
	switch {
	case child.Scenario != nil:
		return []*messages.Scenario{child.Scenario}
	case child.Rule != nil:
		var out []*messages.Scenario
		for _, rc := range child.Rule.Children {
			if rc.Scenario != nil {
				out = append(out, rc.Scenario)
			}
		}
		return out
	}
	return nil
}

// ParseShard reads "K/N" (1 ≤ K ≤ N).
func ParseShard(s string) (k, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	k, errK := strconv.Atoi(a)
	n, errN := strconv.Atoi(b)
	if !ok || errK != nil || errN != nil || n < 1 || k < 1 || k > n {
		return 0, 0, fmt.Errorf("shard %q: want K/N with 1 ≤ K ≤ N, like 2/4", s)
	}
	return k, n, nil
}

// Shard is shard k of n (1-based) of all: every scenario is in exactly one
// shard, the same one on every runner given the same inputs. Shards are
// balanced by weight (the drill time each scenario ran last, when known):
// heaviest first, each to the lightest shard so far, ties by file and
// line. A scenario of unknown weight weighs the mean of the known ones,
// or 1 when none is known (balancing by count).
func Shard(all []Located, k, n int, weight map[string]float64) []Located {
	w := func(l Located) float64 { return weight[WeightKey(l.Feature, l.Scenario)] }
	var sum float64
	known := 0
	for _, l := range all {
		if x := w(l); x > 0 {
			sum += x
			known++
		}
	}
	unknown := 1.0
	if known > 0 {
		unknown = sum / float64(known)
	}
	weigh := func(l Located) float64 {
		if x := w(l); x > 0 {
			return x
		}
		return unknown
	}
	order := slices.Clone(all)
	slices.SortStableFunc(order, func(a, b Located) int {
		return cmp.Or(cmp.Compare(weigh(b), weigh(a)), cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line))
	})
	load := make([]float64, n)
	var out []Located
	for _, l := range order {
		i := 0
		for j := range load {
			if load[j] < load[i] {
				i = j
			}
		}
		load[i] += weigh(l)
		if i == k-1 {
			out = append(out, l)
		}
	}
	slices.SortFunc(out, func(a, b Located) int { return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line)) })
	return out
}

// WeightKey is how Shard's weights are keyed: a result's feature (base
// name) and scenario name.
func WeightKey(feature, scenario string) string { return feature + "\xff" + scenario }
