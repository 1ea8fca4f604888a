package reports

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/scorer"
)

const hostile = `<script>alert(1)</script>`

// hostileResult puts attacker-controlled strings everywhere a drill can:
// scenario, feature, tags, alert and step names, step output, error text.
func hostileResult() Result {
	r := fixture()
	d := &r.Drills[0]
	d.Scenario = hostile
	d.Feature = `features/"><img src=x onerror=alert(2)>.feature`
	d.Tags = append(d.Tags, hostile)
	d.Steps[0].Output = "rows: 1\n" + hostile + "\n</pre><iframe>"
	d.Steps[1].Name = hostile
	d.Timeline = append(d.Timeline, ev(incident.AlertFiring, 2.5, "monitor", hostile, incident.P3))
	r.Drills[3].Error = "start stack: " + hostile
	r.Drills[1].Checks[0].Step = hostile
	r.Drills[1].Checks[0].Error = "</td></tr>" + hostile
	r.Routing = hostile + ".yml"
	r.SeverityLabels[hostile] = "P2"
	return r
}

func renderString(t *testing.T, format string, r Result) string {
	t.Helper()
	rd, ok := Lookup(format)
	require.True(t, ok)
	var buf bytes.Buffer
	require.NoError(t, rd.Render(&buf, r))
	return buf.String()
}

func TestHTMLEscapesDrillStrings(t *testing.T) {
	t.Parallel()
	html := renderString(t, "html", hostileResult())
	assert.NotContains(t, html, "<script", "no script element, hostile or otherwise")
	assert.NotContains(t, html, "<img", "attribute breakout is escaped")
	assert.NotContains(t, html, "<iframe")
	assert.NotContains(t, html, "</pre><iframe")
	assert.Contains(t, html, "&lt;script&gt;alert(1)&lt;/script&gt;", "the hostile name is shown, escaped")
	assert.Contains(t, html, "&lt;/pre&gt;&lt;iframe&gt;", "hostile step output is shown, escaped")
	assert.Contains(t, html, "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;", "a quote cannot end the attribute or element")
	assert.Contains(t, html, "&lt;/td&gt;&lt;/tr&gt;&lt;script&gt;", "a Then step's message cannot close its cell")
}

func TestHTMLIsSelfContained(t *testing.T) {
	t.Parallel()
	html := strings.ToLower(renderString(t, "html", fixture()))
	for _, bad := range []string{`src="http`, `href="http`, `src='http`, `href='http`, "<link", "@import", "url(", "<script", "<iframe"} {
		assert.NotContains(t, html, bad)
	}
	assert.Contains(t, html, "<style>", "CSS is inline")
	assert.Contains(t, html, "<svg class=\"timeline\"", "the timeline is inline SVG")
	for _, term := range []string{"mttd", "mtta", "mttr", "score", "credit"} {
		assert.Contains(t, html, "<dt>"+term, "the definitions are printed")
	}
}

func TestTextFormatsNeutraliseDrillStrings(t *testing.T) {
	t.Parallel()
	r := hostileResult()
	r.Drills[1].Scenario = "line one\nline two\x1b[31m"
	pm := renderString(t, "postmortem", r)
	assert.NotRegexp(t, `(^|[^\\])<script`, pm, "markdown renders text, not tags: every < is escaped")
	assert.Contains(t, pm, `\<script\>alert(1)\</script\>`)
	sum := renderString(t, "summary", r)
	assert.NotContains(t, sum, "\x1b", "no terminal escapes from a scenario name")
	assert.Contains(t, sum, "line one line two")
	r.Drills[2].Scenario = "a | b"
	md := renderString(t, "markdown", r)
	assert.Contains(t, md, `| \<script\>alert(1)\</script\> |`, "a scenario is text in its cell")
	assert.Contains(t, md, `| a \| b |`, "a pipe cannot add a column")
	assert.Contains(t, md, `| line one line two \[31m |`, "a newline cannot end the row")
	assert.NotContains(t, md, "\x1b")
	junit := renderString(t, "junit", r)
	assert.NotContains(t, junit, "<script")
	assert.Contains(t, junit, "&lt;script&gt;")
}

// A result stored before severity labels and routing were recorded renders
// without the section rather than with an empty one.
func TestHTMLShowsSeverityAndPagingWhenRecorded(t *testing.T) {
	t.Parallel()
	html := renderString(t, "html", fixture())
	assert.Contains(t, html, "<tr><td>P1</td><td>critical, sev1</td><td>15m</td></tr>")
	assert.Contains(t, html, "Alerts page through <strong>alerting/team-alertmanager.yml</strong>")

	old := fixture()
	old.SeverityLabels, old.Routing = nil, ""
	html = renderString(t, "html", old)
	assert.NotContains(t, html, `id="paging"`)
	assert.NotContains(t, html, "Severity label values")
}

// Marker labels at nearly the same moment get a lane each, so none hides
// another; a label far enough from the one before goes back to the lowest
// lane, and the rows start below the lanes used.
func TestMarkerLabelsNeverOverlap(t *testing.T) {
	t.Parallel()
	ls := []chartLine{{X: 200}, {X: 210}, {X: 220}, {X: 230}, {X: 400}}
	top := staggerLabels(ls)
	var ys []int
	for _, l := range ls[:4] {
		ys = append(ys, l.Y)
	}
	assert.Equal(t, []int{top - 10, top - 24, top - 38, top - 52}, ys, "four lanes")
	assert.Equal(t, top-10, ls[4].Y, "back to the lowest lane")
	assert.Equal(t, chartTop+2*14, top, "two lanes more than the two chartTop has room for")
	for _, l := range ls {
		assert.Positive(t, l.Y1, "every label inside the chart")
	}
}

// Row labels are not cut: the label column widens to the longest one, up
// to a limit past which a label is cut and its row's tooltip has it whole.
func TestRowLabelsAreNotCut(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 90)
	d := Drill{Timeline: []incident.Milestone{
		ev(incident.FaultInjected, 1, "injector", "db-pool-exhaustion", 0),
		ev(incident.AlertFiring, 2, "monitor", "DatabaseConnectionFailure", incident.P1),
		ev(incident.AlertFiring, 3, "monitor", "PostgresqlTooManyConnectionsFromTheApp", incident.P2),
	}}
	v := scorer.Score(d.Timeline, scorer.DefaultTargets())
	c := buildChart(d, v, scorer.DefaultTargets())
	var labels []string
	for _, r := range c.Rows {
		assert.Empty(t, r.Title, "%q is whole", r.Label)
		labels = append(labels, r.Label)
	}
	assert.Contains(t, labels, "alert PostgresqlTooManyConnectionsFromTheApp")
	assert.GreaterOrEqual(t, float64(c.PlotLeft), float64(len("alert PostgresqlTooManyConnectionsFromTheApp"))*labelPx, "room for it")

	d.Timeline = append(d.Timeline, ev(incident.AlertFiring, 4, "monitor", long, incident.P3))
	c = buildChart(d, scorer.Score(d.Timeline, scorer.DefaultTargets()), scorer.DefaultTargets())
	assert.Equal(t, chartLeftMax, c.PlotLeft)
	last := c.Rows[slices.IndexFunc(c.Rows, func(r chartRow) bool { return r.Title != "" })]
	assert.Equal(t, "alert "+long, last.Title)
	assert.True(t, strings.HasSuffix(last.Label, "…"))
	assert.LessOrEqual(t, float64(utf8.RuneCountInString(last.Label))*labelPx, float64(chartLeftMax), "the cut label fits")
}
