package injectors

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// loadClient sends the load of faults that are load (Ticker): enough idle
// connections for loadWorkers, and a per-request timeout like the steady
// traffic's, so a stalled app costs a tick seconds, not minutes.
var loadClient = &http.Client{Transport: &http.Transport{MaxIdleConns: loadWorkers, MaxIdleConnsPerHost: loadWorkers, IdleConnTimeout: time.Minute}}

const (
	loadWorkers = 32
	loadTimeout = 2500 * time.Millisecond
)

// loadCount is how many requests a load of perSecond owes over tick, the
// fraction carried to the next tick in carry, as the steady traffic counts.
func loadCount(perSecond float64, tick time.Duration, carry *float64) int {
	want := perSecond*tick.Seconds() + *carry
	n := int(want)
	*carry = want - float64(n)
	return n
}

// sendLoad sends n requests made by build through loadWorkers at once,
// the i-th stamped (Date) with the drill time from + i/n of span, and
// returns how many got each status class ("2xx", "4xx", ..., "error" for
// no answer). It returns once every request has ended, with ctx's error
// when ctx ended.
func sendLoad(ctx context.Context, n int, from time.Time, span time.Duration, build func(ctx context.Context, i int) (*http.Request, error)) (map[string]int, error) {
	out := map[string]int{}
	var mu sync.Mutex
	jobs := make(chan int)
	var wg sync.WaitGroup
	for range min(loadWorkers, n) {
		wg.Go(func() {
			for i := range jobs {
				class := sendOne(ctx, build, i, from.Add(time.Duration(int64(span)*int64(i)/int64(n))))
				mu.Lock()
				out[class]++
				mu.Unlock()
			}
		})
	}
	for i := 0; i < n && ctx.Err() == nil; i++ {
		select {
		case jobs <- i:
		case <-ctx.Done():
		}
	}
	close(jobs)
	wg.Wait()
	return out, ctx.Err()
}

func sendOne(ctx context.Context, build func(ctx context.Context, i int) (*http.Request, error), i int, at time.Time) string {
	rctx, cancel := context.WithTimeout(ctx, loadTimeout)
	defer cancel()
	req, err := build(rctx, i)
	if err != nil {
		return "error"
	}
	req.Header.Set("Date", at.UTC().Format(http.TimeFormat))
	resp, err := loadClient.Do(req)
	if err != nil {
		return "error"
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	return fmt.Sprintf("%dxx", resp.StatusCode/100)
}
