package reports

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

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
