package reports

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/scorer"
)

// trendRuns are four monthly runs of the fixture: the pool drill's
// detection and resolution get faster month by month (late at first), the third run
// could not start its stack, and the last run's team raised MTTD's target.
func trendRuns() []Result {
	var out []Result
	for i, shift := range []float64{5, 2, 0, 0} {
		r := fixture()
		r.Started = fixtureWall.AddDate(0, i-3, 0)
		r.RunID = fmt.Sprintf("%s-%04x", r.Started.Format("20060102-150405"), 0x7f3a+i)
		if i == 3 {
			r.Targets.MTTD = 6 * time.Minute
		}
		pool := r.Drills[0]
		var tl []incident.Milestone
		for _, m := range pool.Timeline {
			if m.Drill > mins(1) {
				m.Drill += mins(shift)
			}
			tl = append(tl, m)
		}
		pool.Timeline = tl
		pool.Verdict, pool.Status = nil, ""
		var err error
		if i == 2 {
			err = fixtureErr("start stack: postgres: container exited (code 1)")
		}
		r.Drills[0] = scored(pool, r.Targets, err)
		out = append(out, r)
	}
	return out
}

func TestTrendHTMLGolden(t *testing.T) {
	t.Parallel()
	var a, b bytes.Buffer
	require.NoError(t, WriteTrendHTML(&a, trendRuns()))
	require.NoError(t, WriteTrendHTML(&b, trendRuns()))
	require.Equal(t, a.String(), b.String(), "rendering is deterministic")
	golden(t, "trend-html", a.Bytes())
}

func TestTrendHTMLDrawsEachDrillOverTheRuns(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	require.NoError(t, WriteTrendHTML(&buf, trendRuns()))
	got := buf.String()

	assert.NotContains(t, got, "<script", "no JavaScript")
	assert.NotContains(t, got, "http", "nothing fetched: self-contained")
	drills := DrillTrends(trendRuns())
	require.Len(t, drills, 6, "one trend per drill (feature and scenario)")
	assert.Equal(t, "Pool exhaustion is recovered by the playbook", drills[0].Scenario)
	require.Len(t, drills[0].Points, 4, "one point per run, oldest first")
	assert.Equal(t, "20251202-093000-7f3a", drills[0].Points[0].RunID)
	assert.False(t, drills[0].Points[2].Scored, "the run that could not start has no numbers")
	assertMeasure(t, mins(6), drills[0].Points[0].MTTD, "the first month detected 6m after T0")
	assertMeasure(t, mins(1), drills[0].Points[3].MTTD)
	assert.Equal(t, 6*time.Minute, drills[0].Points[3].TargetMTTD, "each run's own target")

	pool, _, ok := strings.Cut(got, `<h2 id="drill-2">`)
	require.True(t, ok)
	_, pool, _ = strings.Cut(pool, `<h2 id="drill-1">`)
	assert.Equal(t, 2, strings.Count(pool, `<svg class="trend"`), "a chart of times and one of the score")
	for _, class := range []string{"mttd", "mtta"} {
		assert.Contains(t, pool, `<polyline class="target `+class+`"`, "%s's target as a line", class)
	}
	// MTTR's hour, far above drills resolved in minutes, would flatten
	// them: it is named, not drawn.
	assert.NotContains(t, pool, `<polyline class="target mttr"`)
	assert.Contains(t, pool, ">target 1h (above)</text>")
	for _, class := range []string{"mttd", "mtta", "mttr"} {
		// The errored third run breaks each line: two segments.
		assert.Equal(t, 2, strings.Count(pool, `<polyline class="`+class+`" points=`), class)
	}
	assert.Contains(t, pool, "<title>MTTD target 6m</title>", "the target as the last run had it")
	assert.Contains(t, pool, "<title>20251202-093000-7f3a MTTD: 6m (target 5m)</title>")
	// The fallback table has the same numbers.
	assert.Contains(t, pool, `<td class="num late">6m / 5m</td>`)
	assert.Contains(t, pool, `<span class="badge error">ERROR</span>`)

	steady, _, _ := strings.Cut(got[strings.Index(got, `<h2 id="drill-3">`):], `<h2 id="drill-4">`)
	assert.Equal(t, 1, strings.Count(steady, `<svg class="trend"`), "a steady-state drill has only its score to draw")
	assert.Contains(t, steady, "only the score is drawn")
	assert.Contains(t, steady, `<td class="num na">n/a</td>`, "no MTTx applies to a steady-state drill")
}

func assertMeasure(t *testing.T, want time.Duration, got scorer.Measurement, msg ...any) {
	t.Helper()
	d, ok := got.Get()
	require.True(t, ok, msg...)
	assert.Equal(t, want, d, msg...)
}
