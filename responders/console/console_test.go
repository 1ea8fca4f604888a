package console_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/responders"
	"github.com/firedrill/firedrill/responders/console"
)

func TestConsoleNeedsItsViewsToken(t *testing.T) {
	t.Parallel()
	g := newGameDay(t)
	ack := map[string]string{"action": "ack"}
	for _, c := range []struct {
		method, path, token string
		want                int
	}{
		{"GET", "/", "", http.StatusUnauthorized},
		{"GET", "/api/state", "", http.StatusUnauthorized},
		{"GET", "/api/events", "", http.StatusUnauthorized},
		{"POST", "/api/action", "", http.StatusUnauthorized},
		{"GET", "/facilitator", "", http.StatusUnauthorized},
		{"GET", "/api/facilitator/state", "", http.StatusUnauthorized},
		{"GET", "/api/state", "not-the-token", http.StatusForbidden},
		{"POST", "/api/action", "not-the-token", http.StatusForbidden},
		{"GET", "/facilitator", g.resp, http.StatusForbidden},
		{"GET", "/api/facilitator/state", g.resp, http.StatusForbidden},
		{"GET", "/api/facilitator/events", g.resp, http.StatusForbidden},
		{"POST", "/api/facilitator/note", g.resp, http.StatusForbidden},
		{"POST", "/api/facilitator/abort", g.resp, http.StatusForbidden},
		{"POST", "/api/facilitator/inject", g.resp, http.StatusForbidden},
		{"POST", "/api/facilitator/close", g.resp, http.StatusForbidden},
		{"GET", "/api/state", g.resp, http.StatusOK},
		{"GET", "/api/state", g.fac, http.StatusOK},
		{"GET", "/api/facilitator/state", g.fac, http.StatusOK},
	} {
		var body any
		if c.method == "POST" {
			body = ack
		}
		code, out := g.do(c.method, c.path, c.token, body)
		assert.Equal(t, c.want, code, "%s %s with token %q: %s", c.method, c.path, c.token, out)
	}
	assert.Empty(t, g.drill.aborted, "a refused abort did nothing")
	assert.Empty(t, kinds(g.drill.tl, incident.RoleAcknowledged))

	code, _ := g.do("GET", "/api/state?token="+url.QueryEscape(g.resp), "", nil)
	assert.Equal(t, http.StatusOK, code, "?token= opens a GET")
	code, _ = g.do("POST", "/api/action?token="+url.QueryEscape(g.resp), "", ack)
	assert.Equal(t, http.StatusUnauthorized, code, "but not a POST")
}

// A browser opens the URL the run printed: the token becomes a cookie and
// the page carries the CSRF value its POSTs must send.
func TestConsoleCookieAndCSRF(t *testing.T) {
	t.Parallel()
	g := newGameDay(t)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	browser := &http.Client{Jar: jar}
	respURL, _ := g.console.URLs(strings.TrimPrefix(g.srv.URL, "http://"))
	resp, err := browser.Get(respURL)
	require.NoError(t, err)
	page := readAll(t, resp)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var ck *http.Cookie
	for _, c := range resp.Cookies() {
		ck = c
	}
	require.NotNil(t, ck, "opening the page with ?token= sets a cookie")
	assert.True(t, ck.HttpOnly)
	assert.Equal(t, http.SameSiteStrictMode, ck.SameSite)
	assert.Equal(t, "/", ck.Path)
	assert.Contains(t, resp.Header.Get("Content-Security-Policy"), "default-src 'none'")
	m := regexp.MustCompile(`<meta name="firedrill-csrf" content="([0-9a-f]+)">`).FindStringSubmatch(page)
	require.Len(t, m, 2, "the page carries its CSRF value")
	assert.NotContains(t, page, g.resp, "the page does not repeat the token")

	post := func(header ...string) int {
		req, err := http.NewRequest("POST", g.srv.URL+"/api/action", strings.NewReader(`{"action":"declare","severity":"P1","person":"alice"}`))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := browser.Do(req)
		require.NoError(t, err)
		readAll(t, resp)
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusForbidden, post(), "a cookie alone does not make a POST")
	assert.Equal(t, http.StatusForbidden, post(console.CSRFHeader, "0123"), "nor a wrong CSRF value")
	assert.Equal(t, http.StatusForbidden, post(console.CSRFHeader, m[1], "Origin", "http://evil.example"), "nor another origin")
	assert.Equal(t, http.StatusForbidden, post(console.CSRFHeader, m[1], "Sec-Fetch-Site", "cross-site"))
	assert.Equal(t, http.StatusAccepted, post(console.CSRFHeader, m[1], "Origin", g.srv.URL, "Sec-Fetch-Site", "same-origin"),
		"the page's own POST")

	resp, err = browser.Get(g.srv.URL + "/api/state")
	require.NoError(t, err)
	readAll(t, resp)
	assert.Equal(t, http.StatusOK, resp.StatusCode, "the cookie opens the API")
	resp, err = browser.Get(g.srv.URL + "/facilitator")
	require.NoError(t, err)
	readAll(t, resp)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "the responder's cookie is not the facilitator's")
}

func TestConsoleRefusesCrossOriginPosts(t *testing.T) {
	t.Parallel()
	g := newGameDay(t)
	body := map[string]string{"action": "ack", "role": "tech_lead"}
	code, out := g.do("POST", "/api/action", g.resp, body, "Origin", "http://evil.example")
	assert.Equal(t, http.StatusForbidden, code, out)
	code, _ = g.do("POST", "/api/action", g.resp, "action=ack", "Sec-Fetch-Site", "same-site")
	assert.Equal(t, http.StatusForbidden, code)
	code, _ = g.do("POST", "/api/facilitator/abort", g.fac, map[string]string{"reason": "x"}, "Origin", "http://evil.example")
	assert.Equal(t, http.StatusForbidden, code)
	assert.Empty(t, g.drill.aborted)

	code, out = g.do("POST", "/api/action", g.resp, body)
	assert.Equal(t, http.StatusAccepted, code, "a bearer POST needs no CSRF header: %s", out)
	assert.JSONEq(t, `{"recorded":"ack","takes_effect":"next tick"}`, out)
}

func TestConsoleActionReachesTheTimelineAtTheNextTick(t *testing.T) {
	t.Parallel()
	g := newGameDay(t)
	for _, c := range []struct {
		body any
		want int
	}{
		{map[string]string{"action": "dance"}, http.StatusBadRequest},
		{map[string]string{"action": "declare", "severity": "P9"}, http.StatusBadRequest},
		{map[string]string{"action": "ack", "role": "janitor"}, http.StatusNotFound},
		{map[string]string{"action": "run", "playbook": "nope"}, http.StatusNotFound},
		{map[string]string{"action": "update", "status": "Panicking"}, http.StatusBadRequest},
		{`{"action": "ack", "bogus": 1}`, http.StatusBadRequest},
		{[]byte(`{"action":`), http.StatusBadRequest},
	} {
		code, out := g.do("POST", "/api/action", g.resp, c.body)
		assert.Equal(t, c.want, code, "%v: %s", c.body, out)
	}
	code, out := g.do("POST", "/api/action", g.resp, map[string]any{"action": "ack", "role": "tech_lead", "person": "carol", "note": "on it"})
	require.Equal(t, http.StatusAccepted, code, out)
	code, out = g.do("POST", "/api/action", g.resp, "action=update&status=investigating&person=carol&text=looking+at+the+pool")
	require.Equal(t, http.StatusAccepted, code, "a form works too: %s", out)
	assert.Empty(t, kinds(g.drill.tl, incident.RoleAcknowledged), "nothing before the tick")

	g.tick()
	assert.Equal(t, []string{"role_acknowledged carol Tech Lead acknowledged"}, kinds(g.drill.tl, incident.RoleAcknowledged))
	s := g.state()
	require.NotEmpty(t, s.Comms)
	assert.Equal(t, console.Comm{At: s.Comms[0].At, Kind: "update", Status: "Investigating", Who: "carol", Text: "looking at the pool"}, s.Comms[0])
	var acked bool
	for _, e := range s.Timeline {
		acked = acked || (e.Kind == "role_acknowledged" && e.Who == "carol" && e.Detail == "on it")
	}
	assert.True(t, acked, "the responder timeline shows the ack with its person and note: %+v", s.Timeline)

	g.off.Store(true)
	code, _ = g.do("POST", "/api/action", g.resp, map[string]string{"action": "resolve"})
	assert.Equal(t, http.StatusConflict, code, "no drill running")
	assert.Equal(t, console.State{}, g.state(), "between drills: running false and nothing else")
}

func TestConsoleAnswers409ToARoleNotPaged(t *testing.T) {
	t.Parallel()
	g := newGameDay(t)
	g.drill.team.Closed(context.Background(), 1)
	code, out := g.do("POST", "/api/action", g.resp, map[string]string{"action": "ack", "role": "tech_lead"})
	assert.Equal(t, http.StatusConflict, code, "the team's incident closed: not paged: %s", out)
}

func TestConsoleRefusesHugeBodies(t *testing.T) {
	t.Parallel()
	g := newGameDay(t)
	huge := strings.Repeat("x", 1<<20)
	code, _ := g.do("POST", "/api/action", g.resp, map[string]string{"action": "postmortem", "text": huge})
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
	code, _ = g.do("POST", "/api/action", g.resp, "action=postmortem&text="+huge)
	assert.Equal(t, http.StatusRequestEntityTooLarge, code, "as a form too")
	code, _ = g.do("POST", "/api/action", g.resp, map[string]string{"action": "postmortem", "text": strings.Repeat("x", responders.MaxText+1)})
	assert.Equal(t, http.StatusRequestEntityTooLarge, code, "a text past MaxText in a body within bounds")
	code, _ = g.do("POST", "/api/facilitator/note", g.fac, map[string]string{"text": huge})
	assert.Equal(t, http.StatusRequestEntityTooLarge, code)
	code, _ = g.do("POST", "/api/action", g.resp, map[string]string{"action": "postmortem", "text": strings.Repeat("🔥", responders.MaxText)})
	assert.Equal(t, http.StatusAccepted, code, "the longest text people may write fits, in any script")
}

func TestConsoleStreamsStateAfterAMilestone(t *testing.T) {
	t.Parallel()
	g := newGameDay(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", g.srv.URL+"/api/events", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+g.resp)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	events := make(chan console.State, 16)
	go func() {
		defer close(events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<22)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && event == "state":
				var s console.State
				if json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &s) == nil {
					events <- s
				}
			}
		}
	}()
	first := <-events
	assert.True(t, first.Running, "a state on connect")
	assert.Equal(t, "Database pool exhaustion", first.Drill)

	require.NoError(t, g.drill.team.Do(responders.TeamAction{Action: responders.Declare, Severity: incident.P1, Person: "alice"}))
	g.tick()
	// The console refreshes once an hour here: a state with the declared
	// severity was sent because of the milestone.
	for s := range events {
		if slices(s.Timeline, func(e console.Entry) bool { return e.Kind == string(incident.SeverityDeclared) }) {
			return
		}
	}
	t.Fatal("the stream ended without the declared severity")
}

func slices[T any](s []T, f func(T) bool) bool {
	for _, v := range s {
		if f(v) {
			return true
		}
	}
	return false
}

func TestConsoleCloseEndsTheStreams(t *testing.T) {
	t.Parallel()
	g := newGameDay(t)
	req, err := http.NewRequest("GET", g.srv.URL+"/api/facilitator/events", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+g.fac)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	first := make([]byte, 64)
	_, err = resp.Body.Read(first)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := bufio.NewReader(resp.Body).ReadString(0)
		done <- err
	}()
	g.console.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the stream outlived the console")
	}
}

// The responders see everything but the fault: not its milestones, not
// its name, not the truth; the facilitator sees all of it.
func TestConsoleResponderStateNeverShowsTheFault(t *testing.T) {
	t.Parallel()
	g := newGameDay(t)
	g.tick()
	_, state := g.do("GET", "/api/state", g.resp, nil)
	_, page := g.do("GET", "/", g.resp, nil)
	for what, body := range map[string]string{"state": state, "page": page} {
		assert.NotContains(t, body, fault, what)
		assert.NotContains(t, body, "fault_injected", what)
		assert.NotContains(t, body, "injectable", what)
		assert.NotContains(t, body, "at the fault", what, "the pager's notes that date the fault")
	}
	code, fstate := g.do("GET", "/api/facilitator/state", g.fac, nil)
	require.Equal(t, http.StatusOK, code)
	var f console.FacilitatorState
	require.NoError(t, json.Unmarshal([]byte(fstate), &f))
	require.NotNil(t, f.Truth)
	assert.Equal(t, fault, f.Truth.Faults[0].Name)
	assert.True(t, slices(f.FullTimeline, func(e console.Entry) bool { return e.Kind == "fault_injected" && e.Subject == fault }))
	assert.Greater(t, len(f.FullTimeline), len(f.Timeline))
}

func TestConsoleEscapesHostileNames(t *testing.T) {
	t.Parallel()
	g := newGameDay(t)
	code, out := g.do("POST", "/api/action", g.resp, map[string]string{"action": "assign", "role": "tech_lead", "person": hostile})
	require.Equal(t, http.StatusAccepted, code, out)
	g.tick()
	for _, path := range []string{"/", "/facilitator", "/api/state", "/api/facilitator/state"} {
		_, body := g.do("GET", path, g.fac, nil)
		assert.NotContains(t, body, "<img", path)
		assert.Contains(t, body, `\u003cimg src=x onerror=alert(1)\u003e`, "%s: the name is there, escaped", path)
	}
	_, page := g.do("GET", "/", g.resp, nil)
	for _, sink := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("} {
		assert.NotContains(t, page, sink, "the page writes server values with textContent only")
	}
}

func TestConsoleDraftsFromThePlaybooksTemplates(t *testing.T) {
	t.Parallel()
	g := newGameDay(t)
	s := g.state()
	require.NotNil(t, s.Drafts)
	assert.Equal(t, "**Investigating** - We are aware of an issue affecting content-api.\nOur team is actively investigating. More updates to follow.",
		s.Drafts.Notices[incident.NoticeInitial], "[service] from the paging alert's service label")
	assert.Equal(t, "**Identified** - We have identified the issue affecting content-api.\nA fix is being implemented. Current impact: The app cannot reach its database.\nEstimated resolution: [time].",
		s.Drafts.Notices[incident.NoticeUpdate])
	assert.Contains(t, s.Drafts.Notices[incident.NoticeResolution], "**Resolved** - The issue affecting content-api has been resolved.")
	assert.Regexp(t, `^Status: Investigating\nImpact: The app cannot reach its database\nProgress: .*\nETA: .*$`, s.Drafts.Update)
	assert.Equal(t, g.drill.PostmortemDraft(nil), s.Drafts.Postmortem)
	require.Len(t, s.Alerts, 1)
	assert.Equal(t, console.Alert{Name: "DatabaseConnectionFailure", Severity: "P1", Since: s.Alerts[0].Since, Summary: "The app cannot reach its database.",
		Labels: map[string]string{"alertname": "DatabaseConnectionFailure", "severity": "P1", "service": "content-api"}}, s.Alerts[0])
	assert.Equal(t, incident.UpdateStatuses, s.Statuses)
	require.NotNil(t, s.Board)
	assert.Len(t, s.Board.Checks, 3)
	assert.Len(t, s.Team.Roles, 3, "P1 paged the three roles")
}

func TestConsoleFacilitatorControls(t *testing.T) {
	t.Parallel()
	g := newGameDay(t)
	code, out := g.do("POST", "/api/facilitator/note", g.fac, map[string]string{"text": "leadership is asking for an ETA"})
	require.Equal(t, http.StatusAccepted, code, out)
	s := g.state()
	assert.True(t, slices(s.Timeline, func(e console.Entry) bool {
		return e.Kind == "note" && e.Who == console.FacilitatorActor && e.Subject == "inject note" && e.Detail == "leadership is asking for an ETA"
	}), "the responders see the inject note: %+v", s.Timeline)
	code, _ = g.do("POST", "/api/facilitator/note", g.fac, map[string]string{"text": " "})
	assert.Equal(t, http.StatusBadRequest, code)

	code, _ = g.do("POST", "/api/facilitator/inject", g.fac, map[string]any{"fault": "meteor"})
	assert.Equal(t, http.StatusNotFound, code)
	code, _ = g.do("POST", "/api/facilitator/inject", g.fac, map[string]any{"fault": "redis-down", "params": map[string]string{"for": "5m"}})
	assert.Equal(t, http.StatusAccepted, code)
	code, _ = g.do("POST", "/api/facilitator/abort", g.fac, map[string]string{"reason": "the stack is on fire for real"})
	assert.Equal(t, http.StatusAccepted, code)
	code, _ = g.do("POST", "/api/facilitator/close", g.fac, nil)
	assert.Equal(t, http.StatusAccepted, code)
	g.drill.mu.Lock()
	defer g.drill.mu.Unlock()
	assert.Equal(t, []string{"redis-down"}, g.drill.injected)
	assert.Equal(t, "the stack is on fire for real", g.drill.aborted)
	assert.True(t, g.drill.closed)
}

func TestConsoleURLsCarryEachViewsToken(t *testing.T) {
	t.Parallel()
	c := console.New(console.Options{ResponderToken: "r", FacilitatorToken: "f"})
	resp, fac := c.URLs("127.0.0.1:7070")
	assert.Equal(t, "http://127.0.0.1:7070/?token=r", resp)
	assert.Equal(t, "http://127.0.0.1:7070/facilitator?token=f", fac)
	assert.Regexp(t, `^[0-9a-f]{32}$`, console.NewToken())
	assert.NotEqual(t, console.NewToken(), console.NewToken())
	assert.Panics(t, func() { console.New(console.Options{ResponderToken: "same", FacilitatorToken: "same"}) })
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	var b strings.Builder
	_, err := bufio.NewReader(resp.Body).WriteTo(&b)
	require.NoError(t, err)
	return b.String()
}
