package monitors

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"

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
	// The text format is the one every exporter speaks; expfmt parses it.
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
	p := expfmt.NewTextParser(model.UTF8Validation)
	families, err := p.TextToMetricFamilies(io.LimitReader(resp.Body, maxScrapeBytes))
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", t.Instance, err)
	}
	target := labels.FromStrings(model.JobLabel, t.Job, model.InstanceLabel, t.Instance)
	var out []sample
	for _, mf := range families {
		out = appendFamily(out, mf, target)
	}
	return out, nil
}

// appendFamily flattens one metric family into series the way Prometheus
// stores the text format: histograms as _bucket{le}, _sum and _count,
// summaries as {quantile}, _sum and _count; le and quantile values written
// as Prometheus 3 normalises them ("1.0", "+Inf").
func appendFamily(out []sample, mf *dto.MetricFamily, target labels.Labels) []sample {
	name := mf.GetName()
	for _, m := range mf.GetMetric() {
		add := func(suffix string, v float64, extra ...string) {
			b := labels.NewBuilder(labels.EmptyLabels())
			for _, lp := range m.GetLabel() {
				b.Set(lp.GetName(), lp.GetValue())
			}
			for i := 0; i+1 < len(extra); i += 2 {
				b.Set(extra[i], extra[i+1])
			}
			b.Set(model.MetricNameLabel, name+suffix)
			out = append(out, sample{l: withTargetLabels(b, target), v: v})
		}
		switch mf.GetType() {
		case dto.MetricType_COUNTER:
			add("", m.GetCounter().GetValue())
		case dto.MetricType_GAUGE:
			add("", m.GetGauge().GetValue())
		case dto.MetricType_SUMMARY:
			s := m.GetSummary()
			for _, q := range s.GetQuantile() {
				add("", q.GetValue(), model.QuantileLabel, labels.FormatOpenMetricsFloat(q.GetQuantile()))
			}
			add("_sum", s.GetSampleSum())
			add("_count", float64(s.GetSampleCount()))
		case dto.MetricType_HISTOGRAM, dto.MetricType_GAUGE_HISTOGRAM:
			h := m.GetHistogram()
			count := h.GetSampleCountFloat()
			if count == 0 {
				count = float64(h.GetSampleCount())
			}
			sawInf := false
			for _, bk := range h.GetBucket() {
				c := bk.GetCumulativeCountFloat()
				if c == 0 {
					c = float64(bk.GetCumulativeCount())
				}
				sawInf = sawInf || math.IsInf(bk.GetUpperBound(), 1)
				add("_bucket", c, model.BucketLabel, labels.FormatOpenMetricsFloat(bk.GetUpperBound()))
			}
			if !sawInf {
				add("_bucket", count, model.BucketLabel, "+Inf")
			}
			add("_sum", h.GetSampleSum())
			add("_count", count)
		default:
			add("", m.GetUntyped().GetValue())
		}
	}
	return out
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
