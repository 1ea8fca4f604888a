package injectors

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

func init() {
	Register("traffic-surge", func() Injector { return new(TrafficSurge) })
}

// TrafficSurge is peak-hour traffic: on top of the drill's steady traffic,
// (factor − 1) times its rate more requests, readers of the public content
// pages (the hot path), sent each tick for as long as the fault lasts. The
// app's global rate limit (Redis' ratelimit:global:limit, else its
// RATE_LIMIT; 60 a second by default) answers what is over it with 429:
// with the shipped 20 requests a second, a factor of 5 is 100 a second
// and over a third of the requests are refused.
//
// The fault changes nothing on the stack: Recover stops the extra
// traffic, and is harmless twice or after a failed Inject. Raising the
// limit (the playbook's quick fix 6) is the responder's work.
type TrafficSurge struct {
	Factor float64 `param:"factor" default:"5" min:"1" max:"20" help:"peak traffic as a multiple of the steady rate (the extra is content page reads)"`

	mu     sync.Mutex
	active bool
	carry  float64
	seq    int
}

// Description is for `firedrill list`.
func (*TrafficSurge) Description() string {
	return "peak-hour traffic: the steady rate times factor, the extra reading the public content pages, until the app's global rate limit (kept in Redis) refuses it with 429"
}

// Inject starts the surge; its requests go out from the next tick on.
func (s *TrafficSurge) Inject(ctx context.Context, t Target) error {
	if t.Env == nil {
		return errors.New("inject traffic-surge: no stack")
	}
	if t.Rate <= 0 {
		return errors.New("inject traffic-surge: no steady traffic to multiply (give the drill a rate: steady traffic of N requests per second)")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active = true
	return ctx.Err()
}

// Tick sends the surge's extra requests for one tick.
func (s *TrafficSurge) Tick(ctx context.Context, t Target, from time.Time, tick time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.active || t.Env == nil {
		return nil
	}
	n := loadCount((s.Factor-1)*t.Rate, tick, &s.carry)
	seq := s.seq
	s.seq += n
	_, err := sendLoad(ctx, n, from, tick, func(ctx context.Context, i int) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/api/content/public?page=%d", t.Env.AppURL, (seq+i)%5), nil)
	})
	return err
}

// Recover stops the surge.
func (s *TrafficSurge) Recover(context.Context, Target) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.active = false
	return nil
}
