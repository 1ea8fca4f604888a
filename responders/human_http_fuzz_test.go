package responders

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/firedrill/firedrill/incident"
)

// FuzzHumanHandler: any request to the ack API, whatever its action,
// content type and body, gets an answer from the API's set (recorded,
// refused, unknown, or the page's redirect), never a panic; the body is
// read up to maxActionBody only.
func FuzzHumanHandler(f *testing.F) {
	for _, s := range []struct{ action, ctype, body string }{
		{"ack", "application/json", `{"by": "alice", "note": "taking IC"}`},
		{"resolve", "application/x-www-form-urlencoded", "by=alice&note=fixed&from=page"},
		{"diagnosed", "", ""},
		{"mitigated", "application/json", ""},
		{"ack", "application/json", `{"by": 1}`},
		{"ack", "application/json", `{"by": "a"`},
		{"ack", "application/json; charset=utf-8", `[]`},
		{"ack", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"by\"\r\n\r\nalice\r\n--x--\r\n"},
		{"ack", "multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\n" + strings.Repeat("A", 1<<17) + "\r\n--x--\r\n"},
		{"ack", "application/x-www-form-urlencoded", "by=" + strings.Repeat("%41", 1<<16)},
		{"nope", "", ""}, {"", "", ""}, {"ack%00", "", ""},
	} {
		f.Add(s.action, s.ctype, s.body, true)
		f.Add(s.action, s.ctype, s.body, false)
	}
	f.Fuzz(func(t *testing.T, action, ctype, body string, paged bool) {
		h := NewHuman("on-call", incident.NewTimeline(incident.NewClock(incident.Compressed, 15*time.Second, time.Time{})), nil)
		if paged {
			_ = h.Page(context.Background(), Page{Incident: 1, Alert: "HighErrorRate", Severity: incident.P2})
		}
		srv := HumanHandler(func() *Human { return h })
		rd := &countingReader{r: strings.NewReader(body)}
		req := httptest.NewRequest(http.MethodPost, "/ack", rd)
		req.URL.Path = "/" + action // any bytes, as a client may send them
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusAccepted, http.StatusBadRequest, http.StatusNotFound, http.StatusConflict,
			http.StatusSeeOther, http.StatusRequestEntityTooLarge, http.StatusMethodNotAllowed,
			// ServeMux redirects an unclean path ("/.", "/a/../ack") to its clean form.
			http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		default:
			t.Fatalf("POST /%q (%q, %d bytes): status %d", action, ctype, len(body), rec.Code)
		}
		if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") && !json.Valid(rec.Body.Bytes()) {
			t.Errorf("answer is not JSON: %q", rec.Body.String())
		}
		if rd.n > maxActionBody+1 {
			t.Errorf("read %d bytes of the body, more than %d", rd.n, maxActionBody)
		}
		if st := h.Status(); st.Pending > 1 {
			t.Errorf("one request queued %d actions", st.Pending)
		}
	})
}

type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}
