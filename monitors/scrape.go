package monitors

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/textparse"

	"github.com/firedrill/firedrill/stack"
)

// sample is one value of one series, before it gets its timestamp.
type sample struct {
	l labels.Labels
	v float64
}

// scrapeResult is what one target gave at one tick.
type scrapeResult struct {
	target  stack.MetricsTarget
	samples []sample
	dur     time.Duration
	err     error
}

// maxScrapeBytes bounds a metrics page, as Prometheus' body_size_limit does:
// an exporter gone wrong must not exhaust the harness.
const maxScrapeBytes = 64 << 20

// scrapeAll reads every target at once and returns the results in target
// order. It returns when every scrape has ended.
func scrapeAll(ctx context.Context, client *http.Client, targets []stack.MetricsTarget, timeout time.Duration) []scrapeResult {
	out := make([]scrapeResult, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() {
			start := time.Now()
			s, err := scrapeTarget(ctx, client, t, timeout)
			out[i] = scrapeResult{target: t, samples: s, dur: time.Since(start), err: err}
		})
	}
	wg.Wait()
	return out
}

// scrapeTarget GETs one metrics page and turns it into samples labelled as
// Prometheus would label them.
func scrapeTarget(ctx context.Context, client *http.Client, t stack.MetricsTarget, timeout time.Duration) ([]sample, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.URL, nil)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", t.Instance, err)
	}
	// The text format is the one every exporter speaks.
	req.Header.Set("Accept", "text/plain;version=0.0.4;q=1,*/*;q=0.1")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", t.Instance, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		return nil, fmt.Errorf("scrape %s: server returned %s", t.Instance, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxScrapeBytes+1))
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", t.Instance, err)
	}
	if len(body) > maxScrapeBytes {
		return nil, fmt.Errorf("scrape %s: metrics page over %d bytes", t.Instance, maxScrapeBytes)
	}
	return parsePage(body, resp.Header.Get("Content-Type"), t)
}

// parsePage turns a metrics page into samples with Prometheus' own parser
// (model/textparse), as its scrape loop does: each exposed series as
// written, histograms as _bucket{le}, _sum and _count, le and quantile
// values as Prometheus 3 normalises them ("1.0", "+Inf"), timestamps
// ignored (the sample is the tick's). A page without a Content-Type is
// read as the classic text format.
func parsePage(body []byte, contentType string, t stack.MetricsTarget) ([]sample, error) {
	p, err := textparse.New(body, contentType, labels.NewSymbolTable(), textparse.ParserOptions{FallbackContentType: "text/plain"})
	if p == nil {
		return nil, fmt.Errorf("scrape %s: %w", t.Instance, err)
	}
	target := labels.FromStrings(model.JobLabel, t.Job, model.InstanceLabel, t.Instance)
	var out []sample
	var lset labels.Labels
	b := labels.NewBuilder(labels.EmptyLabels())
	for {
		e, err := p.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("scrape %s: %w", t.Instance, err)
		}
		if e != textparse.EntrySeries {
			continue
		}
		_, _, v := p.Series()
		p.Labels(&lset)
		b.Reset(labels.EmptyLabels())
		lset.Range(func(l labels.Label) { b.Set(l.Name, l.Value) })
		out = append(out, sample{l: withTargetLabels(b, target), v: v})
	}
}

// withTargetLabels attaches the target's labels with honor_labels: false
// semantics: a scraped label that clashes is kept as exported_<name>
// (exported_exported_<name> if that too is taken), then the target's value
// wins. Empty labels are dropped, as Prometheus drops them.
func withTargetLabels(b *labels.Builder, target labels.Labels) labels.Labels {
	target.Range(func(t labels.Label) {
		if v := b.Get(t.Name); v != "" {
			name := model.ExportedLabelPrefix + t.Name
			for b.Get(name) != "" {
				name = model.ExportedLabelPrefix + name
			}
			b.Set(name, v)
		}
		b.Set(t.Name, t.Value)
	})
	return b.Labels()
}

// reportSamples are the series Prometheus adds for every scrape: up, how
// long it took and how many samples it gave.
func reportSamples(r scrapeResult) []sample {
	target := labels.FromStrings(model.JobLabel, r.target.Job, model.InstanceLabel, r.target.Instance)
	up := 1.0
	if r.err != nil {
		up = 0
	}
	mk := func(name string, v float64) sample {
		b := labels.NewBuilder(target)
		b.Set(model.MetricNameLabel, name)
		return sample{l: b.Labels(), v: v}
	}
	return []sample{
		mk("up", up),
		mk("scrape_duration_seconds", r.dur.Seconds()),
		mk("scrape_samples_scraped", float64(len(r.samples))),
	}
}
