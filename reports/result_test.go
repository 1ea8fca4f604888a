package reports

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/firedrill/firedrill/scorer"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestResultJSONRoundTrip(t *testing.T) {
	t.Parallel()
	want := fixture()
	var buf bytes.Buffer
	require.NoError(t, WriteResult(&buf, want))
	got, err := ReadResult(&buf)
	require.NoError(t, err)
	assert.Equal(t, want, got)
}

func TestResultJSONSchema(t *testing.T) {
	t.Parallel()
	r := fixture()
	r.Schema = "" // WriteResult fills it in
	var buf bytes.Buffer
	require.NoError(t, WriteResult(&buf, r))
	var doc map[string]any
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
	assert.Equal(t, SchemaVersion, doc["schema"])
	env := doc["environment"].(map[string]any)
	assert.Equal(t, map[string]any{"seconds": 15.0, "text": "15s"}, env["tick"], "durations carry seconds and text")
	drill := doc["drills"].([]any)[1].(map[string]any)
	verdict := drill["verdict"].(map[string]any)
	assert.Equal(t, "P2", verdict["severity"])
	assert.Equal(t, map[string]any{"present": false, "text": "missing"}, verdict["mttr"], "a missing MTTR has no seconds")
	step := drill["steps"].([]any)[0].(map[string]any)
	assert.Equal(t, 840.0, step["start"].(map[string]any)["seconds"])
}

func TestReadResultRefusesOtherSchemas(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"no schema":     `{"run_id":"x"}`,
		"future schema": `{"schema":"firedrill.result/v2","run_id":"x"}`,
	}
	for name, doc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := ReadResult(strings.NewReader(doc))
			require.ErrorIs(t, err, ErrSchema)
		})
	}
	_, err := ReadResult(strings.NewReader("{not json"))
	require.Error(t, err)
	_, err = ReadResultFile("testdata/does-not-exist.json")
	require.Error(t, err)
}

// A stored duration beyond a year has no place in a drill, and beyond
// ~292 years no time.Duration: such a result.json is refused, not misread.
func TestReadResultRefusesDurationsOutOfRange(t *testing.T) {
	t.Parallel()
	for name, doc := range map[string]string{
		"tick":           `{"schema": "firedrill.result/v1", "environment": {"tick": {"seconds": 1e300}}}`,
		"step":           `{"schema": "firedrill.result/v1", "drills": [{"steps": [{"start": {"seconds": -1e12}}]}]}`,
		"timeline":       `{"schema": "firedrill.result/v1", "drills": [{"timeline": [{"kind": "resolved", "drill_ns": -9223372036854775808}]}]}`,
		"target":         `{"schema": "firedrill.result/v1", "targets": {"mttd": {"seconds": 1e30}}}`,
		"measured value": `{"schema": "firedrill.result/v1", "drills": [{"verdict": {"mttd": {"present": true, "seconds": 1e300}}}]}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := ReadResult(strings.NewReader(doc))
			require.Error(t, err)
			assert.Contains(t, err.Error(), "beyond a year")
		})
	}
}

// Why says in one line why a drill did not pass, in the feature's own
// words first: a failed Then step, then the drill's error, then the first
// missed criterion with its measurement and target.
func TestDrillWhyPrecedence(t *testing.T) {
	t.Parallel()
	late := scorer.Criterion{ID: scorer.IDMTTD, Name: "MTTD", Target: 5 * time.Minute,
		Measured: scorer.Measured(5*time.Minute + 15*time.Second), Status: scorer.StatusLate}
	missing := scorer.Criterion{Name: "MTTR", Target: time.Hour, Status: scorer.StatusMissing}
	met := scorer.Criterion{Name: "MTTA", Met: true, Status: scorer.StatusMet}
	verdict := &scorer.Verdict{Criteria: []scorer.Criterion{met, late, missing}}
	failedThen := []Check{
		{Step: `the alert "X" fires within 2 minutes`, Status: "passed"},
		{Step: "MTTR is at most 60 minutes", Status: CheckFailed, Error: "MTTR was not measured:\nits milestone never came"},
		{Step: "no data is lost", Status: CheckFailed, Error: "orders lost 3 rows"},
	}
	tests := map[string]struct {
		d    Drill
		want string
	}{
		"passed": {Drill{Status: Passed, Verdict: verdict, Error: "ignored"}, ""},
		"the first failed Then step, in one line": {
			Drill{Status: Failed, Verdict: verdict, Checks: failedThen, Error: "drill expectation not met: MTTR was not measured"},
			"MTTR was not measured: its milestone never came"},
		"a failed Then step without a message names the step": {
			Drill{Status: Failed, Checks: []Check{{Step: "no data is lost", Status: CheckFailed}}},
			"Then no data is lost: failed"},
		"skipped Then steps are no reason; the error is": {
			Drill{Status: Errored, Checks: []Check{{Step: "no data is lost", Status: "skipped"}}, Error: "start stack:\n  docker is not running"},
			"start stack: docker is not running"},
		"the error before the criteria":                   {Drill{Status: Failed, Verdict: verdict, Error: "recover fault: timeout"}, "recover fault: timeout"},
		"the first missed criterion, measured and target": {Drill{Status: Failed, Verdict: verdict}, "MTTD 5m15s, target 5m"},
		"a missing measurement": {
			Drill{Status: Failed, Verdict: &scorer.Verdict{Criteria: []scorer.Criterion{met, missing}}},
			"MTTR missing, target 1h"},
		"an interruption in words": {Drill{Status: Aborted, Error: "context canceled"},
			"the run was interrupted before this drill finished (context canceled)"},
		"an errored drill with nothing recorded": {Drill{Status: Errored}, "the drill could not run as written"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.d.Why())
		})
	}
}

// A result.json written before Then steps were recorded still reads, with
// no checks, and its drills still say why they failed.
func TestReadResultWithoutChecks(t *testing.T) {
	t.Parallel()
	r, err := ReadResult(strings.NewReader(`{"schema": "firedrill.result/v1", "drills": [
		{"feature": "db.feature", "scenario": "s", "status": "error", "error": "start stack: boom"}]}`))
	require.NoError(t, err)
	require.Len(t, r.Drills, 1)
	assert.Empty(t, r.Drills[0].Checks)
	assert.Equal(t, "start stack: boom", r.Drills[0].Why())
}
