package responders_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/responders"
)

// A person's answers take effect at the next tick, at its drill time, and
// the pager resolves the incident once they verified and the alerts cleared.
func TestHumanAnswersTakeEffectOnTheNextTick(t *testing.T) {
	ctx := context.Background()
	c, tl := drillClock()
	var pages []responders.Page
	h := responders.NewHuman("alice", tl, func(p responders.Page) { pages = append(pages, p) })
	p := responders.NewPager(tl, h)

	require.ErrorIs(t, h.Do(responders.Ack, "alice", ""), responders.ErrNotPaged)
	tick(ctx, t, c, p, firing("DatabaseConnectionFailure", incident.P1))
	require.Len(t, pages, 1)
	assert.Equal(t, "DatabaseConnectionFailure", h.Status().Alert)

	for range 3 { // the person thinks for three ticks
		tick(ctx, t, c, p)
	}
	_, acked := tl.First(incident.Acknowledged, nil)
	assert.False(t, acked, "nobody answered yet")

	require.NoError(t, h.Do(responders.Mitigated, "alice", "restarted the pool"))
	now := tick(ctx, t, c, p)
	ack, ok := tl.First(incident.Acknowledged, nil)
	require.True(t, ok, "mitigating implies acknowledging")
	assert.InDelta(t, now.Seconds(), ack.Drill.Seconds(), 1, "stamped at the tick the answer arrived for")
	assert.Equal(t, "alice", ack.Labels["by"])
	mit, ok := tl.First(incident.Mitigated, nil)
	require.True(t, ok)
	assert.Equal(t, "restarted the pool", mit.Detail)
	_, diagnosed := tl.First(incident.Diagnosed, nil)
	assert.False(t, diagnosed, "a diagnosis is only what the person says")

	require.NoError(t, h.Do(responders.Resolve, "alice", ""))
	tick(ctx, t, c, p)
	inc, _ := p.Current()
	assert.True(t, inc.Verified)
	assert.False(t, inc.Resolved, "the alert still fires")
	now = tick(ctx, t, c, p, resolved("DatabaseConnectionFailure", incident.P1))
	inc, _ = p.Current()
	assert.True(t, inc.Resolved)
	assert.InDelta(t, now.Seconds(), inc.ResolvedAt.Seconds(), 1)
	assert.Equal(t, []string{"acknowledged acknowledged by a person", "mitigated mitigated by a person", "resolved DatabaseConnectionFailure"},
		story(tl, incident.Acknowledged, incident.Mitigated, incident.Resolved))
}

func TestHumanHandler(t *testing.T) {
	ctx := context.Background()
	c, tl := drillClock()
	h := responders.NewHuman("on-call", tl, nil)
	p := responders.NewPager(tl, h)
	var current *responders.Human
	srv := httptest.NewServer(responders.HumanHandler(func() *responders.Human { return current }))
	defer srv.Close()

	post := func(path, body string) (int, string) {
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	code, _ := post("/ack", "")
	assert.Equal(t, http.StatusConflict, code, "no drill with a person yet")

	current = h
	code, body := post("/ack", "")
	assert.Equal(t, http.StatusConflict, code)
	assert.Contains(t, body, "no incident has been paged yet")

	tick(ctx, t, c, p, firing("HighErrorRate", incident.P2))
	code, _ = post("/ack", `{"by":"bob","note":"looking"}`)
	assert.Equal(t, http.StatusAccepted, code)
	code, _ = post("/restart", "")
	assert.Equal(t, http.StatusNotFound, code)

	resp, err := http.Get(srv.URL + "/status")
	require.NoError(t, err)
	var st responders.HumanStatus
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&st))
	resp.Body.Close()
	assert.Equal(t, "P2", st.Severity)
	assert.Equal(t, 1, st.Pending)

	tick(ctx, t, c, p)
	m, ok := tl.First(incident.Acknowledged, nil)
	require.True(t, ok)
	assert.Equal(t, "bob", m.Labels["by"])

	// The web page: the incident, and a form that posts and comes back.
	resp, err = http.Get(srv.URL + "/")
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Contains(t, string(page), "HighErrorRate")
	assert.Contains(t, string(page), `formaction="/resolve"`)
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err = noRedirect.PostForm(srv.URL+"/resolve", url.Values{"from": {"page"}, "by": {"bob"}})
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusSeeOther, resp.StatusCode)
	assert.Equal(t, 1, h.Status().Pending)
}

// A person paged for a false alarm that the pager closes at the fault has
// nothing to answer until the fault's incident pages: an answer to the
// closed incident is refused, never recorded for it.
func TestHumanAnswersNothingAfterTheIncidentClosed(t *testing.T) {
	ctx := context.Background()
	c, tl := drillClock()
	h := responders.NewHuman("alice", tl, nil)
	p := responders.NewPager(tl, h)
	tick(ctx, t, c, p, firing("Noise", incident.P3))
	require.NoError(t, h.Do(responders.Ack, "alice", "queued before the fault"))

	p.FaultInjected(ctx)
	tick(ctx, t, c, p)
	_, acked := tl.First(incident.Acknowledged, nil)
	assert.False(t, acked, "the queued answer to the closed incident is dropped")
	require.ErrorIs(t, h.Do(responders.Ack, "alice", ""), responders.ErrNotPaged)

	tick(ctx, t, c, p, firing("DatabaseConnectionFailure", incident.P1))
	require.NoError(t, h.Do(responders.Ack, "alice", ""))
	tick(ctx, t, c, p)
	ack, ok := tl.First(incident.Acknowledged, nil)
	require.True(t, ok)
	assert.Equal(t, "2", ack.Labels[incident.IncidentLabel])
}
