package scorer

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
)

func TestVerdictJSONRoundTrip(t *testing.T) {
	t.Parallel()
	tests := map[string]Verdict{
		"scored":       Score(moved(without(onTime(), incident.Acknowledged), incident.Resolved, 40), DefaultTargets()),
		"steady state": Score(nil, DefaultTargets()),
	}
	for name, v := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(v)
			require.NoError(t, err)
			var back Verdict
			require.NoError(t, json.Unmarshal(b, &back))
			assert.Equal(t, v, back)
		})
	}
}

func TestMeasurementJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(Missing())
	require.NoError(t, err)
	assert.JSONEq(t, `{"present":false,"text":"missing"}`, string(b), "missing has no seconds to mistake for zero")
	b, err = json.Marshal(Measured(90 * time.Second))
	require.NoError(t, err)
	assert.JSONEq(t, `{"present":true,"seconds":90,"text":"1m30s"}`, string(b))
	var m Measurement
	require.Error(t, json.Unmarshal([]byte(`{"present":true}`), &m))
}

func TestTargetsJSON(t *testing.T) {
	t.Parallel()
	d := DefaultTargets()
	b, err := json.Marshal(d)
	require.NoError(t, err)
	var back Targets
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, d, back)

	over := DefaultTargets()
	require.NoError(t, json.Unmarshal([]byte(`{"mttd":"3 minutes","drill":{"ack":120}}`), &over))
	assert.Equal(t, 3*time.Minute, over.MTTD)
	assert.Equal(t, 2*time.Minute, over.Drill.Ack)
	assert.Equal(t, d.MTTR, over.MTTR, "fields the JSON leaves out keep their value")
	assert.Equal(t, d.Weights, over.Weights)
}
