package monitors

import (
	"bufio"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"syscall"
	"time"
)

// loadTransport carries the drill's traffic to the app. Each request is
// written and its answer read on the goroutine that sends it, over a
// keep-alive connection taken from a pool, with net/http's own wire code
// (Request.Write, ReadResponse). net/http's Transport hands every request
// to a read loop and a write loop per connection: against the demo app on
// two cores, in bursts of 300 as a tick sends them, that cost 60 µs of the
// harness's CPU a request where this costs 36 µs. On a machine the stack
// saturates, the harness's CPU is taken from the stack, and it is most of
// a tick's overhead.
//
// Only plain HTTP to the app's own host:port goes this way; anything else
// (https, or a redirect to another host) goes to fallback, a net/http
// Transport.
type loadTransport struct {
	host     string // the app's host[:port], as its URL has it
	addr     string // where to dial it
	fallback *http.Transport
	dialer   net.Dialer
	// maxIdle connections wait in the pool, each for idleFor at most.
	maxIdle int
	idleFor time.Duration

	mu   sync.Mutex
	idle []*loadConn // most recently used last
}

// newLoadTransport carries requests to the app at appURL; a URL that is
// not plain HTTP sends everything through net/http.
func newLoadTransport(appURL string, maxIdle int, idleFor time.Duration) *loadTransport {
	t := &loadTransport{
		fallback: &http.Transport{MaxIdleConns: maxIdle, MaxIdleConnsPerHost: maxIdle, IdleConnTimeout: idleFor},
		maxIdle:  maxIdle, idleFor: idleFor,
	}
	if u, err := url.Parse(appURL); err == nil && u.Scheme == "http" && u.Host != "" {
		t.host, t.addr = u.Host, net.JoinHostPort(u.Hostname(), cmp.Or(u.Port(), "80"))
	}
	return t
}

type loadConn struct {
	net.Conn
	br     *bufio.Reader
	bw     *bufio.Writer
	reused bool
	since  time.Time // when it went idle
}

// RoundTrip sends req and reads its answer. A reused connection is first
// checked for a close by the server while it sat idle (net/http's read
// loop notices that as it happens); if one still fails before an answer,
// an idempotent request is sent again on a new connection, as net/http
// does.
func (t *loadTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.host == "" || req.URL.Scheme != "http" || req.URL.Host != t.host {
		return t.fallback.RoundTrip(req)
	}
	for {
		c, err := t.get(req.Context())
		if err != nil {
			if req.Body != nil {
				_ = req.Body.Close() // a RoundTripper closes the body, even on errors
			}
			return nil, err
		}
		resp, err := t.send(c, req)
		if err == nil {
			return resp, nil
		}
		c.Close()
		if !c.reused || !retryable(req, err) {
			return nil, err
		}
		if req, err = rewound(req); err != nil {
			return nil, err
		}
	}
}

// send writes req on c and reads the answer's head; the caller reads the
// body, and c goes back to the pool when the body has been read to its end
// and closed.
func (t *loadTransport) send(c *loadConn, req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	// ctx's deadline and cancellation both end the exchange by setting the
	// connection's deadline in the past; a deadline per request would cost
	// a runtime timer (and a poller wake-up) each.
	stop := context.AfterFunc(ctx, func() { _ = c.SetDeadline(time.Unix(1, 0)) })
	resp, err := func() (*http.Response, error) {
		if err := req.Write(c.bw); err != nil {
			return nil, err
		}
		if err := c.bw.Flush(); err != nil {
			return nil, err
		}
		return http.ReadResponse(c.br, req)
	}()
	if err != nil {
		stop()
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, err
	}
	resp.Body = &loadBody{rc: resp.Body, c: c, t: t, keep: !resp.Close && !req.Close, stop: stop}
	return resp, nil
}

// get takes the most recently used idle connection that the server has
// not closed, or dials one.
func (t *loadTransport) get(ctx context.Context) (*loadConn, error) {
	for {
		t.mu.Lock()
		n := len(t.idle)
		if n == 0 {
			t.mu.Unlock()
			break
		}
		c := t.idle[n-1]
		t.idle = t.idle[:n-1]
		t.mu.Unlock()
		if time.Since(c.since) > t.idleFor || c.br.Buffered() > 0 || closedByPeer(c.Conn) {
			c.Close()
			continue
		}
		c.reused = true
		return c, nil
	}
	nc, err := t.dialer.DialContext(ctx, "tcp", t.addr)
	if err != nil {
		return nil, err
	}
	return &loadConn{Conn: nc, br: bufio.NewReader(nc), bw: bufio.NewWriter(nc)}, nil
}

// closedByPeer reports whether an idle connection has anything to read,
// without waiting: an idle HTTP/1.1 connection only does when the server
// closed it (or sent what nobody asked for). One non-blocking peek.
func closedByPeer(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return true
	}
	readable := false
	var buf [1]byte
	err = raw.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		readable = n > 0 || err == nil || !errors.Is(err, syscall.EAGAIN)
		return true
	})
	return readable || err != nil
}

func (t *loadTransport) put(c *loadConn) {
	c.since = time.Now()
	t.mu.Lock()
	if len(t.idle) < t.maxIdle {
		t.idle, c = append(t.idle, c), nil
	}
	t.mu.Unlock()
	if c != nil {
		c.Close()
	}
}

// CloseIdleConnections closes the pooled connections (http.Client calls
// it).
func (t *loadTransport) CloseIdleConnections() {
	t.mu.Lock()
	idle := t.idle
	t.idle = nil
	t.mu.Unlock()
	for _, c := range idle {
		c.Close()
	}
	t.fallback.CloseIdleConnections()
}

// retryable is net/http's rule for a request whose reused connection
// failed before an answer: idempotent, with a body it can send again.
func retryable(req *http.Request, err error) bool {
	if req.Context().Err() != nil {
		return false
	}
	if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) &&
		!errors.Is(err, syscall.ECONNRESET) && !errors.Is(err, syscall.EPIPE) {
		return false
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return false
	}
	switch req.Method {
	case "", http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	return req.Header.Get("Idempotency-Key") != ""
}

// rewound is req with its body from the start.
func rewound(req *http.Request) (*http.Request, error) {
	if req.GetBody == nil {
		return req, nil
	}
	body, err := req.GetBody()
	if err != nil {
		return nil, fmt.Errorf("rewind request body: %w", err)
	}
	r := req.Clone(req.Context())
	r.Body = body
	return r, nil
}

// loadBody returns its connection to the pool once read to the end and
// closed; a body closed early, or a failed read, closes the connection.
type loadBody struct {
	rc   io.ReadCloser
	c    *loadConn
	t    *loadTransport
	keep bool
	eof  bool
	stop func() bool
	once sync.Once
}

func (b *loadBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	switch {
	case err == io.EOF:
		b.eof = true
	case err != nil:
		b.keep = false
	}
	return n, err
}

func (b *loadBody) Close() error {
	b.once.Do(func() {
		stopped := b.stop()
		if b.keep && b.eof && stopped {
			b.t.put(b.c)
			return
		}
		b.c.Close()
	})
	return nil
}
