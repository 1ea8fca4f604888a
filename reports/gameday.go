package reports

import (
	"cmp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/firedrill/firedrill/incident"
)

// What people did on a game day, read back from the drill's timeline for
// every format that shows it: who acted, what they told each other and
// the status page, and the post-mortem they wrote. These are the texts a
// person typed, so every format shows them escaped for its medium.

// facilitatorActor signs the facilitator's milestones (inject notes).
const facilitatorActor = "facilitator"

// personOf is who acted on a milestone: its person label, or the "by"
// label people's acknowledge/diagnose/mitigate carry; "" for machines.
func personOf(m incident.Milestone) string {
	return cmp.Or(m.Labels[incident.PersonLabel], m.Labels["by"])
}

// isGameDay says whether people were on call: the verdict scored the
// game-day criteria, or (an unscored drill) the timeline has a game-day
// milestone.
func isGameDay(d Drill) bool {
	if v, ok := d.Scored(); ok && v.GameDay {
		return true
	}
	return slices.ContainsFunc(d.Timeline, func(m incident.Milestone) bool {
		return slices.Contains(incident.GameDayKinds, m.Kind)
	})
}

// noticeTitle is a notice kind as the playbook names it.
func noticeTitle(kind string) string {
	switch kind {
	case incident.NoticeInitial:
		return "Initial Notice"
	case incident.NoticeUpdate:
		return "Update"
	case incident.NoticeResolution:
		return "Resolution"
	}
	return cmp.Or(kind, "notice")
}

// maxExcerpt bounds the part of an update or notice the timeline quotes;
// the communications log has it whole.
const maxExcerpt = 80

// excerpt is " — " and the start of text on one line, or "" for none.
func excerpt(text string) string {
	s := oneLine(text)
	if s == "" {
		return ""
	}
	if utf8.RuneCountInString(s) > maxExcerpt {
		s = string([]rune(s)[:maxExcerpt]) + "…"
	}
	return " — " + s
}

// message is one communication of the incident: an internal update, a
// status-page notice or a facilitator's inject note.
type message struct {
	M incident.Milestone
	// Channel is "internal update", "status page" or "inject note".
	Channel string
	// Kind is the update's status or the notice's title; "" for a note.
	Kind string
	Who  string
	Text string
}

// messagesOf are the drill's communications in drill-time order.
func messagesOf(d Drill) []message {
	var out []message
	for _, m := range sortedTimeline(d.Timeline) {
		switch {
		case m.Kind == incident.UpdatePosted:
			out = append(out, message{m, "internal update", m.Labels[incident.StatusLabel], personOf(m), m.Detail})
		case m.Kind == incident.NoticePublished:
			out = append(out, message{m, "status page", noticeTitle(m.Labels[incident.NoticeLabel]), personOf(m), m.Detail})
		case m.Kind == incident.Note && m.Actor == facilitatorActor:
			out = append(out, message{m, "inject note", "", cmp.Or(personOf(m), facilitatorActor), cmp.Or(m.Detail, m.Subject)})
		}
	}
	return out
}

// noticesOf are the status-page notices as published, in order.
func noticesOf(d Drill) []message {
	return slices.DeleteFunc(messagesOf(d), func(c message) bool { return c.Channel != "status page" })
}

// submission is the team's post-mortem: its last revision, and how many
// there were.
type submission struct {
	M         incident.Milestone
	Who, Text string
	Revisions int
}

// submittedPostmortem is the last post-mortem the team submitted.
func submittedPostmortem(d Drill) (submission, bool) {
	var s submission
	for _, m := range sortedTimeline(d.Timeline) {
		if m.Kind == incident.PostmortemSubmitted {
			s = submission{M: m, Who: personOf(m), Text: m.Detail, Revisions: s.Revisions + 1}
		}
	}
	return s, s.Revisions > 0
}

// plainText is a person's multi-line text with its line endings made
// "\n" and other control characters (terminal escapes, NULs) made spaces;
// tabs stay.
func plainText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return r
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, strings.TrimRight(s, "\n"))
}

// mdFenced is text as a fenced code block that nothing in it can end: the
// fence is one backtick longer than the longest run of backticks inside
// (at least three), so the text stays inside its block, and the inside of
// a code block is never markup (no tag, no link, no image).
func mdFenced(info, text string) string {
	text = plainText(text)
	longest, run := 0, 0
	for _, r := range text {
		if r == '`' {
			run++
			longest = max(longest, run)
			continue
		}
		run = 0
	}
	fence := strings.Repeat("`", max(3, longest+1))
	return fence + info + "\n" + text + "\n" + fence
}

// t0 is the drill's T0: the verdict's, or for a drill not (yet) scored
// the first fault injected on its timeline.
func (d Drill) t0() (time.Duration, bool) {
	if v, ok := d.Scored(); ok {
		return v.Marks.T0.Get()
	}
	if m, ok := firstOf(sortedTimeline(d.Timeline), incident.FaultInjected); ok {
		return m.Drill, true
	}
	return 0, false
}
