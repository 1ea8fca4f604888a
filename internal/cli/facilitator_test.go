package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/internal/stacktest"
	"github.com/firedrill/firedrill/reports"
)

// The facilitator, through the console's API, adds an inject note the
// responders see, injects a second fault mid-drill (which they do not
// see), then aborts: both faults are recovered, the drill is reported
// aborted and not scored, and the run fails (exit 1).
func TestFacilitatorInjectsNotesAndAborts(t *testing.T) {
	chdirRoot(t)
	stacktest.Provider(t, "docker")
	addr := freeAddr(t)
	out := t.TempDir()
	const rtok, ftok = "responder-token-facilitator-test", "facilitator-token-facilitator-test"
	env := envOf(t)
	env["FIREDRILL_TOKEN"], env["FIREDRILL_FACILITATOR_TOKEN"] = rtok, ftok
	type result struct {
		code   int
		stderr string
	}
	done := make(chan result, 1)
	go func() {
		code, _, stderr := runCLI(t, nil, env, "run", "internal/cli/testdata/gameday-facilitator", "--provider", "docker",
			"--clock", "paced", "--pace", "20", "--console-addr", addr, "--out", out)
		done <- result{code, stderr}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	base := "http://" + addr
	call := func(method, path, token string, body any) (int, map[string]any) {
		t.Helper()
		var rd *bytes.Reader
		if body != nil {
			b, _ := json.Marshal(body)
			rd = bytes.NewReader(b)
		} else {
			rd = bytes.NewReader(nil)
		}
		req, err := http.NewRequestWithContext(ctx, method, base+path, rd)
		require.NoError(t, err)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, nil
		}
		defer resp.Body.Close()
		var v map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&v)
		return resp.StatusCode, v
	}
	waitFor := func(what string, cond func() bool) {
		t.Helper()
		for ctx.Err() == nil {
			if cond() {
				return
			}
			time.Sleep(200 * time.Millisecond)
		}
		t.Fatalf("waited for %s", what)
	}
	waitFor("the page", func() bool {
		code, st := call(http.MethodGet, "/api/state", rtok, nil)
		team, _ := st["team"].(map[string]any)
		return code == http.StatusOK && team["paged"] == true
	})
	code, _ := call(http.MethodPost, "/api/facilitator/note", ftok, map[string]string{"text": "leadership is asking for an ETA"})
	require.Equal(t, http.StatusAccepted, code)
	code, _ = call(http.MethodPost, "/api/facilitator/inject", rtok, map[string]any{"fault": "error-spike"})
	assert.Equal(t, http.StatusForbidden, code, "the responders cannot inject")
	code, _ = call(http.MethodPost, "/api/facilitator/inject", ftok, map[string]any{"fault": "error-spike", "params": map[string]string{"percent": "50"}})
	require.Equal(t, http.StatusAccepted, code)
	waitFor("the second fault", func() bool {
		_, st := call(http.MethodGet, "/api/facilitator/state", ftok, nil)
		truth, _ := st["truth"].(map[string]any)
		faults, _ := truth["faults"].([]any)
		return len(faults) == 2
	})
	_, st := call(http.MethodGet, "/api/state", rtok, nil)
	shown, _ := json.Marshal(st)
	assert.Contains(t, string(shown), "leadership is asking for an ETA", "responders see the inject note")
	assert.NotContains(t, string(shown), "error-spike", "responders never see the faults")
	assert.NotContains(t, string(shown), "db-pool-exhaustion")
	code, _ = call(http.MethodPost, "/api/facilitator/abort", ftok, map[string]string{"reason": "the real pager went off"})
	require.Equal(t, http.StatusAccepted, code)

	var r result
	select {
	case r = <-done:
	case <-ctx.Done():
		t.Fatal("the run did not end after the abort")
	}
	assert.Equal(t, ExitFailed, r.code, r.stderr)
	res, err := reports.ReadResultFile(filepath.Join(out, "result.json"))
	require.NoError(t, err)
	require.Len(t, res.Drills, 1)
	d := res.Drills[0]
	assert.Equal(t, reports.Aborted, d.Status)
	assert.Nil(t, d.Verdict, "an aborted game day is not scored")
	assert.Contains(t, d.Error, "aborted by the facilitator: the real pager went off")
	var injected, recovered []string
	for _, m := range d.Timeline {
		switch m.Kind {
		case incident.FaultInjected:
			injected = append(injected, m.Subject)
		case incident.FaultRecovered:
			recovered = append(recovered, m.Subject)
		}
	}
	assert.Equal(t, []string{"db-pool-exhaustion", "error-spike"}, injected)
	assert.ElementsMatch(t, injected, recovered, "every fault recovered")
	assert.True(t, slices.ContainsFunc(d.Timeline, func(m incident.Milestone) bool {
		return m.Actor == "facilitator" && m.Detail == "leadership is asking for an ETA"
	}), "the note is on the timeline")
}
