package reports

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/firedrill/firedrill/scorer"
)

// JUnit XML as CI servers read it (the Jenkins/Surefire dialect): one
// testsuite per feature file, one testcase per drill. A drill that failed
// (a Then step, or a missed target) is a <failure>, a drill that could not
// run an <error>; either's message is the drill's Why, one line, and its
// body the failed Then steps, the missed criteria and the error in full.

func init() { Register("junit", WithFileName("junit.xml", RendererFunc(renderJUnit))) }

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }

func renderJUnit(w io.Writer, r Result) error {
	out := junitSuites{Name: "firedrill", Time: seconds(wallSpan(r.Started, r.Finished))}
	index := map[string]int{}
	for _, d := range r.Drills {
		i, ok := index[d.Feature]
		if !ok {
			i = len(out.Suites)
			index[d.Feature] = i
			s := junitSuite{Name: d.Feature, Properties: []junitProperty{
				{"run_id", r.RunID}, {"provider", r.Environment.Provider},
				{"clock", string(r.Environment.Clock)}, {"tick", r.Environment.Tick.String()},
				// The testcases' time attributes are wall seconds (what CI
				// spent); every duration in their text is drill time.
				{"times", clockNote(r)},
			}}
			if start := cmp.Or(d.Started, r.Started); !start.IsZero() {
				s.Timestamp = start.UTC().Format(time.RFC3339)
			}
			out.Suites = append(out.Suites, s)
		}
		s := &out.Suites[i]
		c := junitCase{Name: d.Scenario, Classname: d.Feature, Time: seconds(d.Duration()), SystemOut: caseOutput(d)}
		switch d.Status {
		case Errored, Aborted:
			c.Error = &junitProblem{Message: d.Why(), Type: string(d.Status), Body: problemBody(d)}
			s.Errors++
		case Failed:
			kind := "targets"
			if d.failedCheck() {
				kind = "then"
			}
			c.Failure = &junitProblem{Message: d.Why(), Type: kind, Body: problemBody(d)}
			s.Failures++
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
		out.Tests++
	}
	for _, s := range out.Suites {
		out.Failures += s.Failures
		out.Errors += s.Errors
		var total time.Duration
		for _, d := range r.Drills {
			if d.Feature == s.Name {
				total += d.Duration()
			}
		}
		out.Suites[index[s.Name]].Time = seconds(total)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("render junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return fmt.Errorf("render junit: %w", err)
	}
	if _, err := io.WriteString(w, "\n"); err != nil {
		return fmt.Errorf("render junit: %w", err)
	}
	return nil
}

// problemBody is the whole story behind the one-line message: the Then
// steps that failed, the missed criteria and the drill's error as written.
func problemBody(d Drill) string {
	var lines []string
	for _, c := range d.Checks {
		if c.Status != "passed" && c.Status != "skipped" {
			lines = append(lines, fmt.Sprintf("Then %s: %s", c.Step, cmp.Or(c.Error, c.Status)))
		}
	}
	if v, ok := d.Scored(); ok {
		if missed := v.Missed(); len(missed) > 0 {
			lines = append(lines, fmt.Sprintf("missed %d of %d criteria:", len(missed), len(v.Criteria)))
			for _, m := range missed {
				lines = append(lines, missedLine(m))
			}
		}
	}
	if e := d.errorBeyondChecks(); e != "" {
		lines = append(lines, e)
	}
	return strings.Join(lines, "\n")
}

// caseOutput is the verdict in words, for the CI page of the test case.
func caseOutput(d Drill) string {
	v, ok := d.Scored()
	if !ok {
		return notScored(d) + "\n"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "severity %s, score %s, MTTD %s, MTTA %s, MTTR %s\n", severityOf(v), scoreOf(d),
		metric(v, scorer.IDMTTD, v.MTTD), metric(v, scorer.IDMTTA, v.MTTA), metric(v, scorer.IDMTTR, v.MTTR))
	for _, c := range v.Criteria {
		fmt.Fprintf(&b, "%s: %s (target %s, measured %s)\n", c.Name, criterionVerdict(c), criterionTarget(c), criterionMeasured(c))
	}
	return b.String()
}

func wallSpan(a, b time.Time) time.Duration {
	if a.IsZero() || b.IsZero() {
		return 0
	}
	return b.Sub(a)
}
