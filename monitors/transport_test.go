package monitors

import (
	"compress/gzip"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/config"
)

// countingServer is a local app that counts the connections it accepted.
type countingServer struct {
	*httptest.Server
	conns atomic.Int64
}

func newCountingServer(t *testing.T, h http.HandlerFunc) *countingServer {
	t.Helper()
	s := &countingServer{}
	s.Server = httptest.NewUnstartedServer(h)
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func loadClient(t *testing.T, s *httptest.Server) (*http.Client, *loadTransport) {
	t.Helper()
	tr := newLoadTransport(s.URL, 8, time.Minute)
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}, tr
}

// get sends one request and reads its whole answer.
func get(t *testing.T, c *http.Client, method, url, body string) (int, string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func echo(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	_, _ = io.WriteString(w, r.Method+" "+r.URL.RequestURI()+" "+string(b))
}

func TestLoadTransportKeepsOneConnectionAlive(t *testing.T) {
	s := newCountingServer(t, echo)
	c, _ := loadClient(t, s.Server)
	for i := range 50 {
		code, body, err := get(t, c, http.MethodPost, s.URL+"/x?i=1", "n")
		require.NoError(t, err, "request %d", i)
		assert.Equal(t, http.StatusOK, code)
		assert.Equal(t, "POST /x?i=1 n", body)
	}
	assert.EqualValues(t, 1, s.conns.Load(), "50 requests one after another share one connection")
}

func TestLoadTransportDropsConnectionsItCannotReuse(t *testing.T) {
	s := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/close" {
			w.Header().Set("Connection", "close")
		}
		_, _ = io.WriteString(w, strings.Repeat("x", 64<<10))
	})
	c, _ := loadClient(t, s.Server)

	for range 2 {
		_, _, err := get(t, c, http.MethodGet, s.URL+"/close", "")
		require.NoError(t, err)
	}
	assert.EqualValues(t, 2, s.conns.Load(), "an answer that says Connection: close ends its connection")

	for range 2 {
		resp, err := c.Get(s.URL + "/big")
		require.NoError(t, err)
		_, err = resp.Body.Read(make([]byte, 10))
		require.NoError(t, err)
		require.NoError(t, resp.Body.Close())
	}
	assert.EqualValues(t, 4, s.conns.Load(), "a body closed before its end ends its connection")
}

func TestLoadTransportNoticesAServerClosingAnIdleConnection(t *testing.T) {
	s := newCountingServer(t, echo)
	c, _ := loadClient(t, s.Server)
	_, _, err := get(t, c, http.MethodPost, s.URL+"/pay", "1")
	require.NoError(t, err)
	s.CloseClientConnections()

	// A POST is not sent again after a failure, so it must not be sent on
	// the closed connection at all.
	code, body, err := get(t, c, http.MethodPost, s.URL+"/pay", "2")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "POST /pay 2", body)
	assert.EqualValues(t, 2, s.conns.Load())
}

// dropSecond answers the first request of each connection and drops the
// connection, unanswered, on its second: a server that closed the idle
// connection just as the request was sent.
func dropSecond(t *testing.T) *countingServer {
	var mu sync.Mutex
	seen := map[string]int{}
	return newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.RemoteAddr]++
		n := seen[r.RemoteAddr]
		mu.Unlock()
		if n == 2 {
			conn, _, err := http.NewResponseController(w).Hijack()
			if err == nil {
				conn.Close()
			}
			return
		}
		echo(w, r)
	})
}

func TestLoadTransportSendsAnIdempotentRequestAgain(t *testing.T) {
	s := dropSecond(t)
	c, _ := loadClient(t, s.Server)
	for _, want := range []string{"GET /a ", "GET /b "} {
		_, body, err := get(t, c, http.MethodGet, s.URL+strings.Fields(want)[1], "")
		require.NoError(t, err)
		assert.Equal(t, want, body)
	}
	assert.EqualValues(t, 2, s.conns.Load(), "the dropped GET went again on a new connection")
}

func TestLoadTransportDoesNotSendAPostTwice(t *testing.T) {
	s := dropSecond(t)
	c, _ := loadClient(t, s.Server)
	_, _, err := get(t, c, http.MethodPost, s.URL+"/pay", "1")
	require.NoError(t, err)
	_, _, err = get(t, c, http.MethodPost, s.URL+"/pay", "2")
	require.Error(t, err, "a POST the server may have acted on is not sent again")
	assert.EqualValues(t, 1, s.conns.Load())
}

func TestLoadTransportEndsARequestWithItsContext(t *testing.T) {
	release := make(chan struct{})
	s := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	c, _ := loadClient(t, s.Server)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
	_, err := c.Do(req)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	ctx, cancel = context.WithCancel(context.Background())
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, s.URL, nil)
	time.AfterFunc(20*time.Millisecond, cancel)
	_, err = c.Do(req)
	require.ErrorIs(t, err, context.Canceled)
}

func TestLoadTransportSendsOtherHostsThroughNetHTTP(t *testing.T) {
	app := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://"+r.URL.Query().Get("to")+"/login", http.StatusFound)
	})
	elsewhere := httptest.NewTLSServer(http.HandlerFunc(echo))
	t.Cleanup(elsewhere.Close)
	tr := newLoadTransport(app.URL, 8, time.Minute)
	tr.fallback = elsewhere.Client().Transport.(*http.Transport)
	c := &http.Client{Transport: tr}

	code, body, err := get(t, c, http.MethodGet, app.URL+"/?to="+strings.TrimPrefix(elsewhere.URL, "https://"), "")
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, code)
	assert.Equal(t, "GET /login ", body, "the redirect to https on another host was followed")
}

// inFlightApp answers every request after hold and keeps the most
// requests it had in flight at once.
func inFlightApp(t *testing.T, hold time.Duration) (*countingServer, *atomic.Int64) {
	var inFlight, most atomic.Int64
	s := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		time.Sleep(hold)
	})
	return s, &most
}

// TestTrafficGrowsItsWorkersWhileTheAppIsSlow: an app that answers every
// request, but slowly, would stretch the tick to its share times its
// latency over two workers; the pool grows instead, and the app sees
// more of the tick at once. A fast app keeps the starting pool.
func TestTrafficGrowsItsWorkersWhileTheAppIsSlow(t *testing.T) {
	for _, tc := range []struct {
		hold     time.Duration
		grows    bool
		requests int
	}{{30 * time.Millisecond, true, 64}, {0, false, 16}} {
		s, most := inFlightApp(t, tc.hold)
		c, _ := loadClient(t, s.Server)
		g := newTraffic(c, s.URL, config.Traffic{Rate: 1, Requests: []config.Request{{Name: "a", Path: "/", Weight: 1}}},
			2, 64, 10*time.Second)
		require.NoError(t, g.Send(context.Background(), time.Duration(tc.requests)*time.Second, time.Now()))
		if tc.grows {
			assert.Greater(t, most.Load(), int64(2), "answers after %s: the pool grew", tc.hold)
		} else {
			assert.LessOrEqual(t, most.Load(), int64(2), "immediate answers: the pool stayed at 2")
		}
		assert.Equal(t, []Outcome{{Endpoint: "a", Class: Class2xx, Count: tc.requests}}, g.Outcomes())
	}
}

// TestTrafficGrowsItsWorkersWhileTheAppStalls: with every request held
// by the app, the pool grows past its starting size (up to its bound)
// instead of sending the tick's requests two at a time.
func TestTrafficGrowsItsWorkersWhileTheAppStalls(t *testing.T) {
	var inFlight, most atomic.Int64
	release := make(chan struct{})
	var once sync.Once
	s := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		if n >= 8 {
			once.Do(func() { close(release) })
		}
		<-release
	})
	c, _ := loadClient(t, s.Server)
	g := newTraffic(c, s.URL, config.Traffic{Rate: 1, Requests: []config.Request{{Name: "a", Path: "/", Weight: 1}}},
		2, 8, 10*time.Second)
	require.NoError(t, g.Send(context.Background(), 16*time.Second, time.Now()))
	assert.EqualValues(t, 8, most.Load(), "the pool grew from 2 to its bound of 8")
	assert.Equal(t, []Outcome{{Endpoint: "a", Class: Class2xx, Count: 16}}, g.Outcomes())
}

// TestTrafficAsksForCompressedAnswers: the traffic asks for gzip, as
// browsers do, so an app that compresses does that work in the drill; a
// request's Answered still reads the answer plain.
func TestTrafficAsksForCompressedAnswers(t *testing.T) {
	s := newCountingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Accept-Encoding") != "gzip" {
			_, _ = io.WriteString(w, "not asked")
			return
		}
		w.Header().Set("Content-Encoding", "gzip")
		zw := gzip.NewWriter(w)
		_, _ = io.WriteString(zw, `{"token":"t1"}`)
		_ = zw.Close()
	})
	c, _ := loadClient(t, s.Server)
	var got []string
	g := newTraffic(c, s.URL, config.Traffic{Rate: 1, Requests: []config.Request{{Name: "login", Path: "/", Weight: 1,
		Answered: func(_ int, body []byte) { got = append(got, string(body)) }}}}, 1, 1, 10*time.Second)
	require.NoError(t, g.Send(context.Background(), 2*time.Second, time.Now()))
	assert.Equal(t, []string{`{"token":"t1"}`, `{"token":"t1"}`}, got)
}

// closeCounter is a request body that counts its closes.
type closeCounter struct {
	io.Reader
	closed atomic.Int64
}

func (c *closeCounter) Close() error { c.closed.Add(1); return nil }

// A RoundTripper closes the request's body even when it cannot send it.
func TestLoadTransportClosesTheBodyWhenItCannotConnect(t *testing.T) {
	s := newCountingServer(t, echo)
	c, _ := loadClient(t, s.Server)
	s.Close() // nothing listens there now
	body := &closeCounter{Reader: strings.NewReader("x")}
	req, err := http.NewRequestWithContext(context.Background(), http.MethodPost, s.URL, body)
	require.NoError(t, err)
	_, err = c.Do(req)
	require.Error(t, err)
	assert.EqualValues(t, 1, body.closed.Load())
}
