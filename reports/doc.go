// Package reports turns a run's Result into the files people read: an HTML
// score report, result.json, JUnit XML, the post-mortem in Markdown (the
// team's as submitted on a game day, else a draft; PostmortemDraft fills one
// in for a drill in progress), the status-page notices as published, a
// terminal summary, the same summary as Markdown for CI job pages, and a
// trend over stored runs (a text table, and trend.html: per drill a chart of
// its MTTD, MTTA, MTTR and score over the runs, targets as lines).
//
// Contract:
//   - reports imports scorer and incident only; it never scores anything
//     itself (verdicts come in the Result) and never reads a clock, so the
//     same Result always renders to the same bytes (the golden tests hold it
//     to that).
//   - Formats are a registry (Register, Lookup, Names): a format is a
//     Renderer that writes one Result to an io.Writer. Registering a name
//     twice panics, because two formats fighting over a name is a bug found
//     at start-up, not a choice.
//   - result.json is the stored form of a run, with a versioned schema
//     (SchemaVersion, SCHEMA.md); ReadResult refuses other versions, so
//     `firedrill report` can re-render and trend any stored run.
//   - The HTML report is one self-contained file: templates are embedded
//     with go:embed, CSS is inline, the timeline is inline SVG, nothing is
//     fetched. Every string from a drill (scenario names, step output, error
//     text) goes through html/template's escaping; nothing is marked safe.
//   - In the Markdown files a drill's one-line strings (names, people) are
//     escaped so they cannot open a tag, an entity, a link or an image, and
//     what people wrote (updates, notices, post-mortems) is a fenced code
//     block longer than any backtick run inside it: text, never markup.
package reports
