package console_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// consolePosts are the console's request bodies' routes, with the view
// whose token may post there.
var consolePosts = []struct{ path, view string }{
	{"/api/action", "responder"},
	{"/api/facilitator/inject", "facilitator"},
	{"/api/facilitator/note", "facilitator"},
	{"/api/facilitator/abort", "facilitator"},
	{"/api/facilitator/close", "facilitator"},
}

var contentTypes = []string{
	"application/json", "application/x-www-form-urlencoded", "multipart/form-data; boundary=b", "", "text/plain",
}

// FuzzConsoleRequests posts any body, as JSON, a form or anything else, to
// every route of the console that reads one, and lets the drill tick so a
// queued action takes effect: no input may panic or answer 5xx; each is
// taken (2xx) or refused with a 4xx and a JSON error.
func FuzzConsoleRequests(f *testing.F) {
	seeds := []string{
		`{"action":"ack","role":"incident_commander","person":"alice"}`,
		`{"action":"declare","severity":"P2","person":"alice"}`,
		`{"action":"assign","role":"tech_lead","person":"carol","backup":true}`,
		`{"action":"update","status":"Identified","text":"Status: x\nImpact: y","person":"alice"}`,
		`{"action":"notice","notice":"Initial","text":"We are investigating","person":"alice"}`,
		`{"action":"run","playbook":"db-recovery","step":2,"person":"alice"}`,
		`{"action":"resolve","person":"alice"}`,
		`{"action":"postmortem","text":"# Post-mortem","person":"alice"}`,
		`{"fault":"db-pool-exhaustion","params":{"connections":"5"}}`,
		`{"text":"a note"}`, `{"reason":"enough"}`, `{}`, ``, `null`, `[]`, `{"action":1}`,
		`action=ack&role=on_call&person=bob`, `action=declare&severity=P9`, `fault=redis-down`,
		"--b\r\nContent-Disposition: form-data; name=\"action\"\r\n\r\nack\r\n--b--\r\n",
	}
	for i, s := range seeds {
		f.Add(uint8(i), uint8(i), []byte(s))
	}
	f.Fuzz(func(t *testing.T, route, ct uint8, body []byte) {
		g := newGameDay(t)
		post := consolePosts[int(route)%len(consolePosts)]
		token := g.resp
		if post.view == "facilitator" {
			token = g.fac
		}
		req := httptest.NewRequest(http.MethodPost, post.path, bytes.NewReader(body))
		if c := contentTypes[int(ct)%len(contentTypes)]; c != "" {
			req.Header.Set("Content-Type", c)
		}
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		g.console.Handler().ServeHTTP(rec, req)

		code := rec.Code
		if code >= 500 || code < 200 || (code >= 300 && code < 400) {
			t.Fatalf("%s %q (%s): answered %d: %s", post.path, body, req.Header.Get("Content-Type"), code, rec.Body)
		}
		if code >= 400 {
			var e map[string]any
			if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e["error"] == nil {
				t.Fatalf("%s %q: %d without a JSON error: %s", post.path, body, code, rec.Body)
			}
		}
		g.tick() // a queued action takes effect
		_ = g.state()
	})
}
