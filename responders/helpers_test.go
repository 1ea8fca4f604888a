package responders_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/responders/mocks"
)

// probeStep is a step kind for tests: it hands Run to the mock registered
// under its id, so a playbook written in YAML can run mockery mocks.
type probeStep struct {
	ID string `yaml:"id" required:"true"`
}

var (
	probesMu sync.Mutex
	probes   = map[string]*mocks.Step{}
)

func init() {
	responders.Register("probe", func() responders.Step { return new(probeStep) })
}

func (p *probeStep) Run(ctx context.Context, rt *responders.Runtime) (bool, string, error) {
	probesMu.Lock()
	m, ok := probes[p.ID]
	probesMu.Unlock()
	if !ok {
		return false, "", fmt.Errorf("no probe %q", p.ID)
	}
	return m.Run(ctx, rt)
}

// probe registers a mock step under an id unique to the test.
func probe(t *testing.T, id string) (*mocks.Step, string) {
	t.Helper()
	m := mocks.NewStep(t)
	key := t.Name() + "/" + id
	probesMu.Lock()
	probes[key] = m
	probesMu.Unlock()
	t.Cleanup(func() {
		probesMu.Lock()
		delete(probes, key)
		probesMu.Unlock()
	})
	return m, key
}

// writePlaybook writes a playbook into a fresh directory and loads it.
func writePlaybook(t *testing.T, text string) *responders.Playbook {
	t.Helper()
	path := filepath.Join(t.TempDir(), "test.yaml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
	pb, err := responders.Load(path)
	require.NoError(t, err)
	return pb
}

// drillClock is a compressed drill clock with its timeline: ticks cost no
// wall time, so a test advances drill minutes instantly.
func drillClock() (*incident.Clock, *incident.Timeline) {
	c := incident.NewClock(incident.Compressed, 15*time.Second, time.Date(2026, 1, 1, 14, 0, 0, 0, time.UTC))
	return c, incident.NewTimeline(c)
}

// tick advances the clock one tick and delivers that tick's transitions to
// the pager, as the monitor does.
func tick(ctx context.Context, t *testing.T, c *incident.Clock, p *responders.Pager, tr ...incident.Alert) time.Duration {
	t.Helper()
	now, err := c.Advance(ctx)
	require.NoError(t, err)
	p.Alerts(ctx, c.At(now), tr)
	return now
}

func firing(name string, sev incident.Severity) incident.Alert {
	return incident.Alert{Name: name, State: incident.StateFiring, Severity: sev,
		Labels: map[string]string{"alertname": name, "severity": sev.String()}}
}

func resolved(name string, sev incident.Severity) incident.Alert {
	a := firing(name, sev)
	a.State = incident.StateResolved
	return a
}

// story lists the timeline's milestones of the given kinds, in
// order, with their subjects.
func story(tl *incident.Timeline, only ...incident.Kind) []string {
	var out []string
	for _, m := range tl.Entries() {
		for _, k := range only {
			if m.Kind == k {
				out = append(out, string(m.Kind)+" "+m.Subject)
			}
		}
	}
	return out
}

func bytesReader(s string) io.Reader { return strings.NewReader(s) }

func itoa[T ~int | ~int64](n T) string { return fmt.Sprint(n) }

// loadText loads a playbook from text.
func loadText(t *testing.T, text string) *responders.Playbook { return writePlaybook(t, text) }
