package cli

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/internal/stacktest"
	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/responders"
)

// A person on call answers a running drill with `firedrill ack` and
// `firedrill resolve`. Saying "resolved" does not resolve an incident whose
// alerts still fire: the fault was never fixed, so MTTR stays missing.
func TestGameDayPersonAnswersWithTheCLI(t *testing.T) {
	chdirRoot(t)
	stacktest.Provider(t, "docker")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	out := t.TempDir()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	answered := make(chan string, 1)
	go func() { answered <- actAsPerson(ctx, t, addr) }()

	env := envOf(t)
	env["FIREDRILL_TOKEN"] = personToken
	code, stdout, errOut := runCLI(t, nil, env, "run", "internal/cli/testdata/gameday", "--provider", "docker",
		"--out", out, "--console-addr", addr)
	assert.Equal(t, ExitFailed, code, "MTTR is missing: stdout:\n%s\nstderr:\n%s", stdout, errOut)
	assert.Contains(t, errOut, "PAGE incident 1: P2 HighErrorRate → On-call Engineer")
	require.Equal(t, "", <-answered)

	res, err := reports.ReadResultFile(filepath.Join(out, "result.json"))
	require.NoError(t, err)
	require.Len(t, res.Drills, 1)
	d := res.Drills[0]
	var ack *incident.Milestone
	for i, m := range d.Timeline {
		if m.Kind == incident.Acknowledged {
			ack = &d.Timeline[i]
		}
	}
	require.NotNil(t, ack, "the person's ack is on the timeline")
	assert.Equal(t, "carol", ack.Labels["by"])
	require.NotNil(t, d.Verdict, "the game day ran, so it is scored: %s", d.Error)
	_, measured := d.Verdict.MTTA.Get()
	assert.True(t, measured)
	_, resolved := d.Verdict.MTTR.Get()
	assert.False(t, resolved, "the alerts never resolved")
	verified := false
	for _, m := range d.Timeline {
		verified = verified || m.Kind == incident.Note && m.Subject == responders.VerificationPassed
	}
	assert.True(t, verified, "the person's resolve is on the timeline")
}

// personToken is the console's responder token in the game-day tests.
const personToken = "a-person-on-call-token"

// actAsPerson waits for the page, then acknowledges and resolves through
// the CLI; it returns an error text, or "".
func actAsPerson(ctx context.Context, t *testing.T, addr string) string {
	env := map[string]string{"FIREDRILL_TOKEN": personToken}
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/api/state", nil)
		req.Header.Set("Authorization", "Bearer "+personToken)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			var st struct{ Team responders.TeamStatus }
			_ = json.NewDecoder(resp.Body).Decode(&st)
			resp.Body.Close()
			if st.Team.Paged {
				if code, _, e := runCLI(t, nil, env, "ack", "--addr", addr, "--by", "carol", "--note", "on it"); code != ExitOK {
					return "ack: " + e
				}
				if code, _, e := runCLI(t, nil, env, "resolve", "--addr", addr, "--by", "carol"); code != ExitOK {
					return "resolve: " + e
				}
				return ""
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	return "never paged"
}
