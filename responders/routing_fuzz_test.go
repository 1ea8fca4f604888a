package responders

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// FuzzParseRouting: any alertmanager.yml either reads into a route tree
// that routes an alert to a receiver, or is refused with ErrInvalid naming
// the file; none panics.
func FuzzParseRouting(f *testing.F) {
	for _, p := range []string{"../alerting/alertmanager.yml", "../features/community/alertmanager.yml"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(string(b))
		}
	}
	for _, s := range []string{
		"", "route:", "route: {receiver: x}\nreceivers: [{name: x}]",
		"route: {receiver: x, group_wait: -1s}\nreceivers: [{name: x}]",
		"route: {receiver: x, routes: [{matchers: ['a=~\"(\"']}]}\nreceivers: [{name: x}]",
		"route: {receiver: x, group_by: ['...']}\nreceivers: [{name: x}]",
		"route: {receiver: x}\nreceivers: [{name: x}]\ninhibit_rules: [{source_matchers: ['a=\"1\"'], target_matchers: ['b=\"2\"'], equal: [c]}]",
		"route: {receiver: nobody}\nreceivers: [{name: x}]", "a: &a [*a]", "[",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		r, err := ParseRouting("alertmanager.yml", text)
		if err != nil {
			if !errors.Is(err, ErrInvalid) || !strings.HasPrefix(err.Error(), "alertmanager.yml: ") {
				t.Errorf("want ErrInvalid naming the file, got %v", err)
			}
			return
		}
		labels := map[string]string{"alertname": "HighErrorRate", "severity": "critical", "instance": "app:8080"}
		if len(r.Routes(labels)) == 0 {
			t.Errorf("an alert goes to no route")
		}
		r.MutedBy(labels, []map[string]string{labels})
	})
}
