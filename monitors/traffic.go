package monitors

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/firedrill/firedrill/config"
)

// Outcome classes of a client-side request.
const (
	Class2xx   = "2xx"
	Class3xx   = "3xx"
	Class4xx   = "4xx"
	Class5xx   = "5xx"
	ClassError = "error" // no answer: refused, reset or timed out
)

// Outcome is how many requests to one endpoint ended in one class, as the
// client saw them: the app's own metrics cannot count the requests it never
// answered.
type Outcome struct {
	Endpoint string `json:"endpoint"`
	Class    string `json:"class"`
	Count    int    `json:"count"`
}

// generator is the steady load on the app. Each tick sends that tick's share
// of the configured rate, spread over the requests by their weights. It
// knows no app: what it sends is what its requests say.
type generator struct {
	client  *http.Client
	base    string
	workers int // the pool's starting size
	// maxWorkers bounds the requests in flight when the app is slow.
	maxWorkers int
	timeout    time.Duration
	rate       float64
	schedule   []string // one tick's request order, by smooth weighted round robin
	next       int      // where the next tick starts in schedule

	carry float64 // the fraction of a request owed from earlier ticks
	seq   int     // request counter, handed to each request's Vary

	requests map[string]config.Request // by name

	mu       sync.Mutex
	outcomes map[[2]string]int
	longest  time.Duration // the current tick's slowest request
}

func newTraffic(client *http.Client, base string, cfg config.Traffic, workers, maxWorkers int, timeout time.Duration) *generator {
	t := &generator{client: client, base: base, workers: workers, maxWorkers: max(workers, maxWorkers), timeout: timeout, rate: cfg.Rate,
		outcomes: map[[2]string]int{}, requests: map[string]config.Request{}}
	weights := config.Mix{}
	for _, r := range cfg.Requests {
		t.requests[r.Name] = r
		weights[r.Name] = r.Weight
	}
	t.schedule = schedule(weights)
	return t
}

// schedule orders endpoints so that any run of n consecutive picks matches
// the weights as closely as n allows (nginx's smooth weighted round robin),
// over a cycle of 100 picks.
func schedule(mix config.Mix) []string {
	names := slices.Sorted(maps.Keys(mix))
	var total float64
	for _, n := range names {
		if mix[n] > 0 {
			total += mix[n]
		}
	}
	if total <= 0 {
		return nil
	}
	cur := map[string]float64{}
	out := make([]string, 0, 100)
	for range 100 {
		best := ""
		for _, n := range names {
			if mix[n] <= 0 {
				continue
			}
			cur[n] += mix[n]
			if best == "" || cur[n] > cur[best] {
				best = n
			}
		}
		cur[best] -= total
		out = append(out, best)
	}
	return out
}

// count is how many requests a tick of length d owes; fractions carry over,
// so a low rate still sends its share over time.
func (t *generator) count(d time.Duration) int {
	want := t.rate*d.Seconds() + t.carry
	n := int(want)
	t.carry = want - float64(n)
	return n
}

// growAfter is how long the rest of a tick's requests may take at the pace
// so far before the pool grows. Healthy requests to the app take
// milliseconds and a tick's share goes out within it. When the app slows
// (a dependency down, requests waiting out timeouts), more requests are
// put in flight, as an open-loop client population would have them,
// instead of stretching the tick: the app sees the tick's full load, and
// the drill clock is not pushed past tick boundaries by the harness's own
// queue.
const growAfter = 100 * time.Millisecond

// Send sends the requests of the tick that ends at drill timestamp at
// through a pool of workers that starts at the configured size. While the
// rest of the tick's requests would take more than growAfter at the pace
// so far, the pool grows by as many as would end them within it; when no
// worker has taken a request for growAfter (every one waits on the app),
// all the rest go in flight at once. maxWorkers bounds both. It returns
// once all requests have ended (or ctx ended).
//
// Each request carries the drill time it stands for in its Date header
// (RFC 9110 lets a client send one), spread evenly over the tick: a
// compressed tick sends 15 s of traffic in a fraction of a second, and an
// app that counts requests per second (a rate limit) can count them in
// drill seconds.
//
// Workers take the tick's requests in order from a shared counter rather
// than from a dispatcher: a hand-off per request costs a goroutine wake-up,
// and on a machine the stack saturates the harness's CPU is the stack's
// loss.
func (t *generator) Send(ctx context.Context, tick time.Duration, at time.Time) error {
	t.mu.Lock()
	t.longest = 0
	t.mu.Unlock()
	n := t.count(tick)
	if n == 0 || len(t.schedule) == 0 {
		return ctx.Err()
	}
	first, seq0 := t.next, t.seq
	t.next += n
	t.seq += n
	var (
		taken atomic.Int64 // requests taken by workers
		ended atomic.Int64 // requests answered (or failed)
		last  atomic.Int64 // when a worker last took one (monotonic ns since start)
		wg    sync.WaitGroup
	)
	start := time.Now()
	work := func() {
		for ctx.Err() == nil {
			i := int(taken.Add(1)) - 1
			if i >= n {
				return
			}
			last.Store(int64(time.Since(start)))
			t.do(ctx, t.schedule[(first+i)%len(t.schedule)], seq0+i, SpreadOver(at, tick, i, n))
			ended.Add(1)
		}
	}
	started := 0
	grow := func(k int) {
		for range min(k, t.maxWorkers-started) {
			started++
			wg.Go(work)
		}
	}
	grow(min(t.workers, n))
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	watch := time.NewTicker(growAfter / 4)
	defer watch.Stop()
	for {
		select {
		case <-done:
			return ctx.Err()
		case <-watch.C:
			left, elapsed := n-min(int(taken.Load()), n), time.Since(start)
			// The pace is answers so far: requests taken but unanswered
			// are what a slow app holds.
			answered := int(ended.Load())
			switch {
			case left == 0:
			case elapsed-time.Duration(last.Load()) >= growAfter:
				grow(left)
				last.Store(int64(elapsed))
			case answered > 0 && elapsed*time.Duration(n-answered) > growAfter*time.Duration(answered):
				// As many more workers as would end the rest within
				// growAfter at the pace so far.
				rest := float64(elapsed) * float64(n-answered) / float64(answered)
				grow(min(left, int(float64(started)*(rest/float64(growAfter)-1))+1))
			}
		}
	}
}

// do sends one request and counts its outcome. A request cut short by the
// drill's own cancellation is not counted: the app did nothing wrong.
func (t *generator) do(ctx context.Context, name string, seq int, at time.Time) {
	rctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	r := t.requests[name]
	req, err := t.request(rctx, r, seq, at)
	if err != nil {
		t.count1(name, ClassError)
		return
	}
	start := time.Now()
	resp, err := t.client.Do(req)
	if err != nil {
		t.took(time.Since(start))
		if ctx.Err() == nil {
			t.count1(name, ClassError)
		}
		return
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	t.took(time.Since(start))
	if r.Answered != nil {
		r.Answered(resp.StatusCode, decoded(resp.Header, body))
	}
	t.count1(name, fmt.Sprintf("%dxx", resp.StatusCode/100))
}

func (t *generator) request(ctx context.Context, r config.Request, seq int, at time.Time) (*http.Request, error) {
	s := r.Prepare(seq)
	var body io.Reader
	if s.Body != nil {
		body = bytes.NewReader(s.Body)
	}
	req, err := http.NewRequestWithContext(ctx, s.Method, t.base+s.Path, body)
	if err != nil {
		return nil, fmt.Errorf("build request %s: %w", r.Name, err)
	}
	req.Header = s.Header
	// As browsers and net/http's own Transport ask: an app that compresses
	// its answers does that work in the drill too.
	if req.Header.Get("Accept-Encoding") == "" {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	if req.Header.Get("Date") == "" && !at.IsZero() {
		req.Header.Set("Date", at.UTC().Format(http.TimeFormat))
	}
	return req, nil
}

// decoded is an answer's body as its request's Answered reads it:
// uncompressed (the body as sent when it does not unzip).
func decoded(h http.Header, body []byte) []byte {
	if h.Get("Content-Encoding") != "gzip" {
		return body
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return body
	}
	plain, err := io.ReadAll(io.LimitReader(zr, 1<<20))
	if err != nil {
		return body
	}
	return plain
}

// SpreadOver is the drill time the i-th of n requests of the tick of
// length tick ending at end stands for: the tick's span divided evenly,
// the first request at its start.
func SpreadOver(end time.Time, tick time.Duration, i, n int) time.Time {
	if n <= 0 {
		return end
	}
	return end.Add(-tick + time.Duration(int64(tick)*int64(i)/int64(n)))
}

// took keeps the tick's slowest request.
func (t *generator) took(d time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.longest = max(t.longest, d)
}

// slowest is the slowest request of the last Send (0 for none).
func (t *generator) slowest() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.longest
}

func (t *generator) count1(endpoint, class string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.outcomes[[2]string{endpoint, class}]++
}

// Outcomes are the counts so far, sorted by endpoint then class.
func (t *generator) Outcomes() []Outcome {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]Outcome, 0, len(t.outcomes))
	for k, n := range t.outcomes {
		out = append(out, Outcome{Endpoint: k[0], Class: k[1], Count: n})
	}
	slices.SortFunc(out, func(a, b Outcome) int {
		if c := strings.Compare(a.Endpoint, b.Endpoint); c != 0 {
			return c
		}
		return strings.Compare(a.Class, b.Class)
	})
	return out
}
