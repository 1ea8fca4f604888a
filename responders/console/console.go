package console

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/firedrill/firedrill/incident"
)

// Options configure a console.
type Options struct {
	// ResponderToken opens the responder view and its API; FacilitatorToken
	// opens both views. Both are required and must differ (NewToken makes
	// them).
	ResponderToken, FacilitatorToken string
	// Current is the game day running now, nil between drills.
	Current func() Drill
	// Refresh is how often an event stream sends the state with nothing
	// new (the drill clock and the board move on their own); 0: every 2 s.
	Refresh time.Duration
}

// Console is the game day's web console: the HTTP handler of both views,
// their JSON API and their event streams.
type Console struct {
	opts Options

	mu        sync.Mutex
	closed    bool
	done      chan struct{}
	listeners map[chan struct{}]struct{}
	// watched is the timeline the console is subscribed to (the current
	// drill's) and stop ends that subscription.
	watched *incident.Timeline
	stop    func()
}

// New returns a console for opts. It panics on a missing or shared token:
// a console anybody could open is a programming error, not a runtime one.
func New(opts Options) *Console {
	if opts.ResponderToken == "" || opts.FacilitatorToken == "" || opts.ResponderToken == opts.FacilitatorToken {
		panic("console: the responder and facilitator tokens must be set and differ")
	}
	if opts.Current == nil {
		opts.Current = func() Drill { return nil }
	}
	return &Console{opts: opts, done: make(chan struct{}), listeners: map[chan struct{}]struct{}{}}
}

// NewToken is a fresh random token: 128 bits from crypto/rand, in hex.
func NewToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (it panics instead)
	return hex.EncodeToString(b)
}

// URLs are the two views' addresses with their tokens, as the run prints
// them: addr is host:port.
func (c *Console) URLs(addr string) (responder, facilitator string) {
	u := func(path, token string) string {
		return (&url.URL{Scheme: "http", Host: addr, Path: path, RawQuery: url.Values{"token": {token}}.Encode()}).String()
	}
	return u("/", c.opts.ResponderToken), u("/facilitator", c.opts.FacilitatorToken)
}

// Handler serves both views, the API and the event streams.
func (c *Console) Handler() http.Handler {
	mux := http.NewServeMux()
	resp := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, c.auth(responderView, h)) }
	fac := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, c.auth(facilitatorView, h)) }
	resp("GET /{$}", c.servePage(responderView))
	fac("GET /facilitator", c.servePage(facilitatorView))
	resp("GET /api/state", c.serveState(responderView))
	fac("GET /api/facilitator/state", c.serveState(facilitatorView))
	resp("GET /api/events", c.serveEvents(responderView))
	fac("GET /api/facilitator/events", c.serveEvents(facilitatorView))
	resp("POST /api/action", c.serveAction)
	fac("POST /api/facilitator/inject", c.serveInject)
	fac("POST /api/facilitator/note", c.serveNote)
	fac("POST /api/facilitator/abort", c.serveAbort)
	fac("POST /api/facilitator/close", c.serveClose)
	return securityHeaders(mux)
}

// Close ends every event stream; the handler keeps answering the rest
// (the run shuts its server down after).
func (c *Console) Close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	c.closed = true
	close(c.done)
	if c.stop != nil {
		c.stop()
		c.stop, c.watched = nil, nil
	}
}

// current is the drill running now, with the console subscribed to its
// timeline so the event streams wake on its milestones.
func (c *Console) current() Drill {
	d := c.opts.Current()
	var tl *incident.Timeline
	if d != nil {
		tl = d.Timeline()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if tl != c.watched && !c.closed {
		if c.stop != nil {
			c.stop()
		}
		c.watched, c.stop = tl, nil
		if tl != nil {
			c.stop = tl.Subscribe(func(incident.Milestone) { c.wake() })
		}
	}
	return d
}

// listen registers an event stream's wake-up channel (capacity 1: a burst
// of milestones coalesces into one wake-up).
func (c *Console) listen() (wake chan struct{}, stop func()) {
	wake = make(chan struct{}, 1)
	c.mu.Lock()
	c.listeners[wake] = struct{}{}
	c.mu.Unlock()
	return wake, func() {
		c.mu.Lock()
		delete(c.listeners, wake)
		c.mu.Unlock()
	}
}

// wake tells every event stream that the state changed.
func (c *Console) wake() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for ch := range c.listeners {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// securityHeaders keeps the pages out of frames, caches and referrers
// (their URL may carry the token).
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}
