package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParse: any firedrill.yaml either loads into a configuration that
// passes validation or is refused with ErrInvalid, naming the file; none
// panics.
func FuzzParse(f *testing.F) {
	if c, err := Commented(Default()); err == nil {
		f.Add(c)
	}
	files, _ := filepath.Glob("../internal/cli/testdata/*.yaml")
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"", "{}", "traffic: {rate: 20}", "traffic: {rate: 1e309}", "traffic: {rate: .nan}", "traffic: {rate: -1}",
		"stack: {startup_timeout: NaN seconds}", "stack: {startup_timeout: 1e300 hours}",
		"stack: {postgres: {max_connections: 99999999999999999999}}", "targets: {mttd: -5m}",
		"monitoring: {interval: 0s}", "a: &a [*a]", "[1, 2]", "stack: [", "\t- x", "traffic:\n  mix: {content: -1}",
		"traffic: {rate: 1001}", "traffic: {mix: {content: .nan}}", "traffic: {mix: {content: .inf, login: .inf}}",
		"traffic: {requests: [{name: a, path: /, weight: .nan}]}",
		"clock: {mode: sideways}", "monitoring: {severity_labels: {page: P9}}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("firedrill.yaml", data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not wrap ErrInvalid: %v", err)
			}
			if !strings.Contains(err.Error(), "firedrill.yaml") {
				t.Errorf("error does not name the file: %v", err)
			}
			return
		}
		if err := c.validate(nil, "firedrill.yaml"); err != nil {
			t.Errorf("parsed a configuration that does not validate: %v", err)
		}
		// Every number within its bound (NaN is within none).
		if r := c.Traffic.Rate; !(r >= 0 && r <= MaxTrafficRate) {
			t.Errorf("traffic.rate %g accepted", r)
		}
		if w := c.Traffic.Weight(); !(w >= 0 && w <= MaxWeight*float64(len(c.Traffic.Mix)+len(c.Traffic.Requests))) {
			t.Errorf("traffic weights summing to %g accepted", w)
		}
	})
}
