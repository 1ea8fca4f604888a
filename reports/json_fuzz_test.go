package reports

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// FuzzReadResult: any result.json either reads into a result that every
// format renders, as `firedrill report` does with it, or is refused with an
// error; none panics, hangs or renders without bound.
func FuzzReadResult(f *testing.F) {
	if b, err := os.ReadFile("testdata/json.golden"); err == nil {
		f.Add(b)
	}
	var b bytes.Buffer
	if err := WriteResult(&b, fixture()); err == nil {
		f.Add(b.Bytes())
	}
	for _, s := range []string{
		"", "{}", "null", `{"schema": "firedrill.result/v1"}`, `{"schema": "firedrill.result/v2"}`,
		`{"schema": "firedrill.result/v1", "drills": [{}]}`,
		`{"schema": "firedrill.result/v1", "environment": {"tick": {"seconds": 1e300}}}`,
		`{"schema": "firedrill.result/v1", "environment": {"tick": {"seconds": -15}}, "drills": [{"status": "passed", "timeline": [{"at": {"seconds": 1e18}}]}]}`,
		`{"schema": "firedrill.result/v1", "drills": [{"status": "failed", "verdict": {"score": -1e308}}]}`,
		`{"schema": "firedrill.result/v1", "drills": [{"steps": [{"start": {"seconds": 9e18}, "end": {"seconds": -9e18}}]}]}`,
		`{"schema": "firedrill.result/v1", "drills": [{"status": "passed", "timeline": [{"kind": "fault_injected", "drill_ns": -31536000000000000}, {"kind": "resolved", "drill_ns": 31536000000000000}]}]}`,
		`{"schema": "firedrill.result/v1", "drills": [{"status": "passed", "timeline": [{"kind": "resolved", "drill_ns": -9223372036854775808}]}]}`,
		`{"schema": "firedrill.result/v1"`, /* truncated, as a killed writer would leave it */
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := ReadResult(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, name := range Names() {
			rd, _ := Lookup(name)
			_ = rd.Render(io.Discard, r)
		}
		_ = WriteTrend(io.Discard, []Result{r, r})
	})
}
