package reports

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/scorer"
)

// gameDayIndex is the game day's place in fixture().Drills.
const gameDayIndex = 5

const (
	hostilePerson = `<img src=x onerror=alert(1)>`
	// hostileText tries every way out of its block: closing the HTML
	// report's <pre>, a tag, a longer and a shorter code fence, a
	// markdown link and image to javascript:, an autolink, an entity, a
	// heading that would pass for the next drill's section, and a lone CR.
	hostileText = "Status: Fixing\n</pre><script>alert(1)</script>\n```\n````\n" +
		"[x](javascript:alert(1)) ![y](javascript:alert(2)) <javascript:alert(3)> &lt;script&gt;\r# Post-Mortem: fake\n~~~"
)

// hostileGameDay is the fixture with the game day's people and texts
// replaced by hostile ones.
func hostileGameDay() Result {
	r := fixture()
	d := &r.Drills[gameDayIndex]
	for i, m := range d.Timeline {
		if m.Labels[incident.PersonLabel] != "" {
			m.Labels[incident.PersonLabel] = hostilePerson
		}
		if m.Labels["by"] != "" {
			m.Labels["by"] = hostilePerson
		}
		switch m.Kind {
		case incident.UpdatePosted, incident.NoticePublished, incident.PostmortemSubmitted, incident.Note:
			m.Detail = hostileText
		}
		d.Timeline[i] = m
	}
	return r
}

func TestGameDayHTMLShowsPeopleCommsAndPostmortem(t *testing.T) {
	t.Parallel()
	html := renderString(t, "html", fixture())
	_, section, ok := strings.Cut(html, `<h2 id="drill-6">`)
	require.True(t, ok)
	section, _, _ = strings.Cut(section, `<h2 id="targets">`)

	assert.Contains(t, section, `<td class="who">Dee Patel</td><td>tech_lead</td><td>Role tech_lead paged: Dee Patel (escalated to the backup)</td>`,
		"who, role and what of each person's action")
	assert.Contains(t, section, `<tr class="part"><td>↳ role tech_lead acknowledged</td><td>≤ 30m from detected</td><td>5m30s</td>`,
		"escalation's evidence per role")
	assert.Contains(t, section, "by Dee Patel after 2 pages (escalated to the backup)")
	assert.Contains(t, section, `<tr class="part"><td>↳ first status-page notice</td><td>≤ 15m from acknowledged</td><td>3m</td>`)

	_, comms, ok := strings.Cut(section, `id="drill-6-comms"`)
	require.True(t, ok)
	comms, _, _ = strings.Cut(comms, `id="drill-6-postmortem"`)
	order := []string{"Investigating", "Initial Notice", "<td>inject note</td>", "Fixing", "<td>Update</td>", "<td>Resolved</td>", "Resolution"}
	last := -1
	for _, s := range order {
		i := strings.Index(comms, s)
		require.GreaterOrEqual(t, i, 0, s)
		assert.Greater(t, i, last, "%s in drill-time order", s)
		last = i
	}
	assert.Contains(t, comms, "<pre class=\"text\">Leadership is asking for an ETA.</pre>", "the facilitator's inject note")

	assert.Contains(t, section, "Submitted by <strong>Ana Ortiz</strong> at drill time 29:00; revision 2 of 2",
		"a compressed run shows drill time only")
	assert.Contains(t, section, "# Post-Mortem: error spike on the content API", "the last revision")
	assert.NotContains(t, section, "first draft", "not an earlier revision")
	assert.NotContains(t, section, scorer.AutomatedNote, "a game day is scored on every criterion")

	r := fixture()
	d := &r.Drills[gameDayIndex]
	d.Timeline = slices.DeleteFunc(d.Timeline, func(m incident.Milestone) bool {
		return m.Kind == incident.PostmortemSubmitted || m.Kind == incident.NoticePublished ||
			m.Kind == incident.UpdatePosted || m.Actor == facilitatorActor
	})
	html = renderString(t, "html", r)
	assert.Contains(t, html, "No post-mortem was submitted.")
	assert.Contains(t, html, `<p class="na">Nothing was communicated`)
}

func TestHTMLShowsTheAutomatedNote(t *testing.T) {
	t.Parallel()
	html := renderString(t, "html", fixture())
	_, pool, _ := strings.Cut(html, `<h2 id="drill-1">`)
	pool, _, _ = strings.Cut(pool, `<h2 id="drill-2">`)
	assert.Contains(t, pool, `<p class="note">Note: `+scorer.AutomatedNote+`.</p>`)
	assert.NotContains(t, pool, "People&#39;s actions", "no game-day sections for an automated drill")
	assert.NotContains(t, pool, "Post-mortem</h3>")
}

func TestGameDayHTMLEscapesPeopleAndTexts(t *testing.T) {
	t.Parallel()
	html := renderString(t, "html", hostileGameDay())
	// Not assert.NotContains: on failure it would print the whole report.
	for _, live := range []string{"<img", "<script", "</pre><script", "href=\"javascript:", "href=javascript:"} {
		assert.False(t, strings.Contains(html, live), "no live %q: names and texts are text", live)
	}
	assert.Contains(t, html, `<td class="who">&lt;img src=x onerror=alert(1)&gt;</td>`, "the name is shown, escaped")
	assert.Contains(t, html, "&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;", "the text is shown, escaped")
	assert.Contains(t, html, "Submitted by <strong>&lt;img src=x onerror=alert(1)&gt;</strong>")
}

// mdBlocks splits Markdown into what is outside fenced code blocks and the
// contents of each, the way CommonMark reads backtick fences at the start
// of a line: a block ends at a line of at least as many backticks and
// nothing else.
func mdBlocks(t *testing.T, md string) (outside string, fenced []string) {
	t.Helper()
	var out, in []string
	fence := ""
	for _, line := range strings.Split(md, "\n") {
		if fence == "" {
			if n := len(line) - len(strings.TrimLeft(line, "`")); n >= 3 {
				fence, in = strings.Repeat("`", n), nil
				continue
			}
			out = append(out, line)
			continue
		}
		if trimmed := strings.TrimSpace(line); strings.HasPrefix(trimmed, fence) && strings.Trim(trimmed, "`") == "" {
			fenced = append(fenced, strings.Join(in, "\n"))
			fence = ""
			continue
		}
		in = append(in, line)
	}
	require.Empty(t, fence, "every fenced block is closed")
	return strings.Join(out, "\n"), fenced
}

// assertInertMarkdown: outside code blocks, nothing a person wrote can
// open a tag, an entity, a link or an image; inside, hostileText is whole
// in its own block.
func assertInertMarkdown(t *testing.T, md string, wantBlocks int) {
	t.Helper()
	outside, fenced := mdBlocks(t, md)
	assert.NotRegexp(t, `(^|[^\\])<`, outside, "every < outside a code block is escaped")
	assert.NotRegexp(t, `(^|[^\\])&`, outside, "every & outside a code block is escaped")
	assert.NotRegexp(t, `(^|[^\\])\]\(`, outside, "no link or image outside a code block")
	assert.NotRegexp(t, `(?m)^\s*#+ Post-Mortem: fake`, outside, "a text cannot add a heading")
	n := 0
	for _, b := range fenced {
		if b == plainText(hostileText) {
			n++
		}
	}
	assert.Equal(t, wantBlocks, n, "each hostile text is whole inside its own block")
}

func TestMarkdownKeepsHostileTextsInert(t *testing.T) {
	t.Parallel()
	r := hostileGameDay()
	pm := renderString(t, "postmortem", r)
	assertInertMarkdown(t, pm, 1)
	assert.Contains(t, pm, `**Authors**: \<img src=x onerror=alert(1)\> (submitted at`)

	sp := renderString(t, "statuspage", r)
	assertInertMarkdown(t, sp, 3)
	assert.Contains(t, sp, `by \<img src=x onerror=alert(1)\>.`)

	d := r.Drills[gameDayIndex]
	d.Verdict, d.Status = nil, ""
	draft := PostmortemDraft(d)
	assertInertMarkdown(t, draft, 0)
	assert.Contains(t, draft, `\[x\](javascript:alert(1))`, "an update's excerpt is text in the timeline")
}

func TestStatuspageHasTheNoticesAsPublished(t *testing.T) {
	t.Parallel()
	sp := renderString(t, "statuspage", fixture())
	assert.Equal(t, 5, strings.Count(sp, "No notice was published."), "every drill without notices says so")
	_, gd, ok := strings.Cut(sp, "## Monthly drill: error spike answered by the team")
	require.True(t, ok)
	want := []string{
		"### 1. Initial Notice\n\nPublished at drill time 06:00 (T+05:30), by Ana Ortiz.\n\n```text\nWe are investigating errors on the content API.",
		"### 2. Update\n\nPublished at drill time 14:00 (T+13:30), by Ana Ortiz.",
		"### 3. Resolution\n\nPublished at drill time 17:00 (T+16:30), by Ana Ortiz.\n\n```text\nThe issue is resolved. Thank you for your patience.\n```",
	}
	last := -1
	for _, w := range want {
		i := strings.Index(gd, w)
		require.GreaterOrEqual(t, i, 0, w)
		assert.Greater(t, i, last, "in the order published")
		last = i
	}
	name, err := FileName("statuspage")
	require.NoError(t, err)
	assert.Equal(t, "statuspage.md", name)
}

func TestPostmortemIsTheTeamsWhenSubmitted(t *testing.T) {
	t.Parallel()
	pm := renderString(t, "postmortem", fixture())
	_, gd, ok := strings.Cut(pm, "# Post-Mortem: HighErrorRate (P2) — Monthly drill: error spike answered by the team (drill)")
	require.True(t, ok)
	assert.Contains(t, gd, "**Authors**: Ana Ortiz (submitted at drill time 29:00; revision 2 of 2)")
	assert.Contains(t, gd, "**Status**: Submitted by the team")
	assert.Contains(t, gd, "```markdown\n# Post-Mortem: error spike on the content API\n\n## Executive Summary\n")
	assert.NotContains(t, gd, "first draft", "the last revision, not the first")
	assert.NotContains(t, gd, "## Root Cause Analysis", "the team's post-mortem replaces the draft")
	assert.Contains(t, gd, "| Post-mortem completed | none | 24m30s | met |", "the evidence stays")
	assert.Contains(t, pm, "**Status**: Draft", "drills without a submission keep the draft")

	r := fixture()
	d := &r.Drills[gameDayIndex]
	d.Timeline = slices.DeleteFunc(d.Timeline, func(m incident.Milestone) bool { return m.Kind == incident.PostmortemSubmitted })
	pm = renderString(t, "postmortem", r)
	_, gd, _ = strings.Cut(pm, "# Post-Mortem: HighErrorRate (P2) — Monthly drill")
	assert.Contains(t, gd, "**Status**: Draft")
	assert.Contains(t, gd, "**Authors**: Ana Ortiz, Bo Chen, Dee Patel", "the people who acted")
}

func TestPostmortemDraft(t *testing.T) {
	t.Parallel()
	full := fixture().Drills[gameDayIndex]
	tests := map[string]struct {
		d            Drill
		want, absent []string
	}{
		"nothing yet": {
			d:    Drill{Feature: "features/gameday.feature", Scenario: "Monthly drill"},
			want: []string{"# Post-Mortem: Monthly drill (drill)", "no fault has been injected yet", "**Authors**: [Names]", "The drill is in progress"},
		},
		"in progress, no verdict": {
			d: func() Drill {
				d := full
				d.Timeline, d.Verdict, d.Status = d.Timeline[:12], nil, ""
				return d
			}(),
			want: []string{
				"**Status**: Draft", "**Authors**: Ana Ortiz, Bo Chen",
				"So far: detected 2m after the fault, acknowledged 2m30s after the fault by Ana Ortiz, severity declared P2 3m30s after the fault by Ana Ortiz.",
				"ongoing: 5m30s so far (drill time 06:00)",
				"| 09:30:06 | 06:00 | +05:30 | Status-page notice published (Initial Notice) — We are investigating",
				"The drill is in progress: it has no verdict yet.",
			},
			absent: []string{"Drill score", "drill run"},
		},
		"scored as it stands": {
			d: func() Drill { d := full; d.Status = ""; return d }(),
			want: []string{"Drill score: 100/100, PASS.", "| Proper escalation | ≤ 30m from detected | 5m30s | met |",
				"It met all 14 criteria", "(fault injected to resolved)"},
			absent: []string{"Submitted by the team", "drill run"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := PostmortemDraft(tc.d)
			assert.True(t, strings.HasPrefix(got, "# Post-Mortem: "), got)
			for _, w := range tc.want {
				assert.Contains(t, got, w)
			}
			for _, a := range tc.absent {
				assert.NotContains(t, got, a)
			}
			assert.NotRegexp(t, regexp.MustCompile(`\n{3,}`), got, "no runs of blank lines")
		})
	}
}

// The responders' draft of a running game day is made from what they may
// see: without the fault, it counts from the detection and names no fault.
func TestPostmortemDraftWithoutTheFaultCountsFromDetection(t *testing.T) {
	t.Parallel()
	d := Drill{Feature: "gameday.feature", Scenario: "Monthly drill", Timeline: []incident.Milestone{
		{Kind: incident.AlertFiring, Drill: 3 * time.Minute, Subject: "DatabaseConnectionFailure", Severity: incident.P1},
		{Kind: incident.Acknowledged, Drill: 4 * time.Minute, Labels: map[string]string{"by": "alice"}},
	}}
	got := PostmortemDraft(d)
	assert.Contains(t, got, "detected at")
	assert.Contains(t, got, "`DatabaseConnectionFailure` (P1)")
	assert.Contains(t, got, "acknowledged 1m after detection by alice")
	assert.Contains(t, got, "| Time (UTC) | Drill time | From detection | Event |")
	assert.Contains(t, got, "| +01:00 |")
	assert.NotContains(t, got, "injected")
	assert.NotContains(t, got, "fault")
}
