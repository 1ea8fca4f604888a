package reports

import (
	"strings"
)

// Markdown. A drill's strings go into the post-mortem as text, never as
// markup: a scenario name must not open an HTML tag, start an entity,
// make a link or break a table.
var mdEscaper = strings.NewReplacer(`\`, `\\`, "<", `\<`, ">", `\>`, "&", `\&`, "`", "\\`", "*", `\*`, "[", `\[`, "]", `\]`, "|", `\|`)

// mdText is s as inline Markdown text, on one line.
func mdText(s string) string { return mdEscaper.Replace(oneLine(s)) }

// mdCell is s fit for a table cell (mdText escapes the pipes).
func mdCell(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return mdText(s)
}

// mdCode is s as a code span, or "(none)".
func mdCode(s string) string {
	s = oneLine(s)
	if s == "" {
		return "(none)"
	}
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}

// mdEm is s emphasised.
func mdEm(s string) string { return "*" + mdText(s) + "*" }
