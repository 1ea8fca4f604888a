package responders

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

func init() { Register("http", func() Step { return new(HTTPStep) }) }

// HTTPStep sends one request to the app (path relative to APP_URL) or to an
// absolute URL on this machine, and expects a status (200 unless said).
// A transport error or an unexpected 5xx is retried on later ticks until the
// step's timeout, as alertmanager retries a 5xx: the service may be coming
// back. Any other unexpected status fails the step at once.
type HTTPStep struct {
	Method string            `yaml:"method"`
	Path   string            `yaml:"path" required:"true"`
	Body   string            `yaml:"body"`
	Header map[string]string `yaml:"header"`
	Expect int               `yaml:"expect"`
}

// Validate checks the method, the status and that the URL stays on this
// machine.
func (s *HTTPStep) Validate() error {
	if s.Method != "" && strings.ToUpper(s.Method) != s.Method {
		return fmt.Errorf("method: %q must be upper case, like GET", s.Method)
	}
	if s.Expect != 0 && (s.Expect < 100 || s.Expect > 599) {
		return fmt.Errorf("expect: %d is not an HTTP status", s.Expect)
	}
	if strings.HasPrefix(s.Path, "/") {
		return nil
	}
	u, err := url.Parse(s.Path)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("path: %q is neither a path starting with / nor an http URL", s.Path)
	}
	if ip := net.ParseIP(u.Hostname()); u.Hostname() != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("path: %q is not on this machine (127.0.0.1 or localhost)", s.Path)
	}
	return nil
}

// Run sends the request.
func (s *HTTPStep) Run(ctx context.Context, rt *Runtime) (bool, string, error) {
	target := s.Path
	if strings.HasPrefix(target, "/") {
		if rt.Env == nil {
			return false, "", errors.New("run http: no stack")
		}
		target = rt.Env.AppURL + target
	}
	method := s.Method
	if method == "" {
		method = http.MethodGet
	}
	want := s.Expect
	if want == 0 {
		want = http.StatusOK
	}
	code, body, err := send(ctx, rt, method, target, s.Body, s.Header)
	if err != nil {
		return true, "", err
	}
	out := fmt.Sprintf("%s %s: %d\n%s", method, target, code, body)
	if code != want {
		return code >= 500, out, fmt.Errorf("%s %s: answered %d, want %d", method, target, code, want)
	}
	return false, out, nil
}

// send makes one request and returns the status and up to MaxOutput of the
// body.
func send(ctx context.Context, rt *Runtime, method, target, body string, header map[string]string) (int, string, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, r)
	if err != nil {
		return 0, "", fmt.Errorf("%s %s: %w", method, target, err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := rt.HTTP
	if client == nil {
		client = defaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxOutput))
	if err != nil {
		return resp.StatusCode, "", fmt.Errorf("%s %s: read body: %w", method, target, err)
	}
	return resp.StatusCode, strings.TrimSpace(string(b)), nil
}

var defaultClient = &http.Client{Timeout: 10 * time.Second}
