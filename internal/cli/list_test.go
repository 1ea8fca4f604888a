package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/alerting"
	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/stack/mocks"
)

// section is the lines of list's output under the heading that starts with
// title, up to the next blank line.
func section(t *testing.T, out, title string) []string {
	t.Helper()
	i := strings.Index(out, "\n"+title)
	require.GreaterOrEqual(t, i, 0, "list prints %q:\n%s", title, out)
	body := out[i+1:]
	body = body[strings.IndexByte(body, '\n')+1:]
	if end := strings.Index(body, "\n\n"); end >= 0 {
		body = body[:end]
	}
	return strings.Split(strings.TrimRight(body, "\n"), "\n")
}

// list, run --report, report --report and WriteAll read one registry: what
// list prints is exactly reports.Names(), each with the file it writes.
func TestListFormatsAreTheRegistry(t *testing.T) {
	code, out, errOut := runCLI(t, mocks.NewStack(t), nil, "list")
	require.Equal(t, ExitOK, code, errOut)
	var names []string
	for _, line := range section(t, out, "Report formats") {
		f := strings.Fields(line)
		require.Len(t, f, 2, "format and file: %q", line)
		file, err := reports.FileName(f[0])
		require.NoError(t, err)
		assert.Equal(t, file, f[1])
		names = append(names, f[0])
	}
	assert.Equal(t, reports.Names(), names)
	assert.Contains(t, names, "json")

	def := newReportCmd(&State{}).Flags().Lookup("report").DefValue
	assert.Equal(t, "["+strings.Join(rerenderFormats(), ",")+"]", def)
	assert.ElementsMatch(t, append(rerenderFormats(), "json"), reports.Names(), "report re-renders every format but the json it reads")
}

func TestListShowsTheDefaultSeverityLabelsAndRouting(t *testing.T) {
	outsideRepo(t)
	code, out, errOut := runCLI(t, mocks.NewStack(t), nil, "list")
	require.Equal(t, ExitOK, code, errOut)
	assert.Equal(t, []string{
		"  P1  critical",
		"  P2  error, high",
		"  P3  medium, warning",
		"  P4  info, low",
	}, section(t, out, "Severity labels"))
	assert.Contains(t, out, "Alertmanager configuration (monitoring.alertmanager_config; a drill may name its own): "+alerting.DefaultConfigName+"\n  receivers: on-call\n")
}

// A team's rules, severity labels and alertmanager.yml: list says how each
// rule's severity reads, which labels the config added, and where alerts go.
func TestListShowsConfiguredSeverityLabelsAndRouting(t *testing.T) {
	dir := outsideRepo(t)
	write := func(name, text string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	write("team.rules.yml", `groups:
  - name: team
    rules:
      - alert: DiskFull
        expr: vector(1)
        labels: {severity: sev1}
        annotations: {summary: disk full}
      - alert: QueueSlow
        expr: vector(1)
        labels: {severity: warning}
        annotations: {summary: queue slow}
      - alert: Odd
        expr: vector(1)
        labels: {severity: sev9}
        annotations: {summary: odd}
      - alert: Plain
        expr: vector(1)
        labels: {severity: P4}
        annotations: {summary: plain}
`)
	write("alertmanager.yml", `route:
  receiver: on-call
  routes:
    - matchers: ['severity=~"warning|P3|P4"']
      receiver: tickets
receivers:
  - name: on-call
  - name: tickets
`)
	write("firedrill.yaml", `monitoring:
  rule_files: [team.rules.yml]
  alertmanager_config: alertmanager.yml
  severity_labels:
    sev1: P1
    Warning: P2
`)
	code, out, errOut := runCLI(t, mocks.NewStack(t), nil, "list")
	require.Equal(t, ExitOK, code, errOut)
	assert.Equal(t, []string{
		"  P1  critical, sev1 (config)",
		"  P2  error, high, warning (config)",
		"  P3  medium",
		"  P4  info, low",
	}, section(t, out, "Severity labels"))
	assert.Equal(t, []string{
		"  DiskFull   sev1 (P1)        disk full",
		"  QueueSlow  warning (P2)     queue slow",
		"  Odd        sev9 (unmapped)  odd",
		"  Plain      P4               plain",
	}, section(t, out, "Alert rules"))
	assert.Contains(t, out, "Alertmanager configuration (monitoring.alertmanager_config; a drill may name its own): alertmanager.yml\n  receivers: on-call, tickets\n")
}

func TestListNamesABrokenAlertmanagerConfig(t *testing.T) {
	dir := outsideRepo(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "am.yml"), []byte("route: {receiver: nobody}\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "firedrill.yaml"), []byte("monitoring:\n  alertmanager_config: am.yml\n"), 0o644))
	code, out, errOut := runCLI(t, mocks.NewStack(t), nil, "list")
	require.Equal(t, ExitOK, code, errOut)
	assert.Regexp(t, `\): am\.yml\n  \(problems: am\.yml: alertmanager config: .*nobody`, out)
}

// list shows the defaults a fault runs with, never a placeholder, and
// alert summaries as they read once filled in, never template syntax.
func TestListShowsRealDefaultsAndReadableSummaries(t *testing.T) {
	dir := outsideRepo(t)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "r.yml"), []byte(`groups:
  - name: g
    rules:
      - alert: PostgresqlDown
        expr: vector(1)
        labels: {severity: critical}
        annotations: {summary: "Postgresql down (instance {{ $labels.instance }}, {{ $value | humanize }}, {{ index $labels \"job\" }}, {{ template \"x\" }})"}
`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "firedrill.yaml"), []byte("monitoring:\n  rule_files: [r.yml]\n"), 0o644))
	code, out, errOut := runCLI(t, mocks.NewStack(t), nil, "list")
	require.Equal(t, ExitOK, code, errOut)
	assert.Equal(t, []string{"  PostgresqlDown  critical (P1)  Postgresql down (instance <instance>, <value>, <job>, …)"}, section(t, out, "Alert rules"))

	faults := strings.Join(section(t, "\n"+out, "Faults"), "\n")
	assert.NotContains(t, faults, "default -")
	assert.Regexp(t, `connections\s+integer\s+default 0 \(every slot, then the app's sessions\)\s+sessions`, faults)
	assert.Regexp(t, `endpoints\s+list\s+default every API endpoint\s+comma-separated`, faults)
	assert.Regexp(t, `percent\s+integer\s+default 50\s+share`, faults)
}

// `list faults NAME` prints the named faults as `list` does, with every
// parameter; no name, every fault; an unknown one is a usage error with
// the nearest name. `list` itself stays whole.
func TestListFaultsByName(t *testing.T) {
	outsideRepo(t)
	code, out, errOut := runCLI(t, mocks.NewStack(t), nil, "list", "faults", "error-spike", "db-down")
	require.Equal(t, ExitOK, code, errOut)
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	require.Len(t, lines, 1+4+2, out)
	assert.Equal(t, `Faults (When the fault "NAME" is injected with: | parameter | value |):`, lines[0])
	assert.Regexp(t, `^  error-spike  makes a share`, lines[1], "in the order named")
	for i, p := range []string{"percent", "endpoints", "feature"} {
		assert.Regexp(t, `^ +`+p+` +`, lines[2+i])
	}
	assert.Regexp(t, `^  db-down      takes Postgres down`, lines[5], "one column of names")
	assert.Regexp(t, `^ +mode +text +default stop +how Postgres goes down`, lines[6])

	code, one, errOut := runCLI(t, mocks.NewStack(t), nil, "list", "fault", "db-down")
	require.Equal(t, ExitOK, code, errOut)
	assert.Contains(t, one, "takes Postgres down", "fault is list faults")

	code, all, errOut := runCLI(t, mocks.NewStack(t), nil, "list", "faults")
	require.Equal(t, ExitOK, code, errOut)
	_, whole, _ := runCLI(t, mocks.NewStack(t), nil, "list")
	assert.True(t, strings.HasPrefix(whole, all+"\n"), "list faults is list's Faults section:\n%s", all)

	code, out, errOut = runCLI(t, mocks.NewStack(t), nil, "list", "faults", "db-pool-exhaustio")
	assert.Equal(t, ExitBadInput, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, `unknown fault "db-pool-exhaustio"; did you mean "db-pool-exhaustion"? (have auth-attack, `)

	code, _, errOut = runCLI(t, mocks.NewStack(t), nil, "list", "bogus")
	assert.Equal(t, ExitBadInput, code)
	assert.Contains(t, errOut, `unknown command "bogus" for "firedrill list"`)
}

// `list playbooks NAME` prints a playbook whole, its steps in order; a
// playbook of --playbooks is found as a run finds it.
func TestListPlaybooksByName(t *testing.T) {
	dir := outsideRepo(t)
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "mine"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "mine", "team-restore.yaml"), []byte(`name: team-restore
description: >-
  Ours: wait, then wait
  again.
steps:
  - {name: settle, phase: diagnose, kind: wait, for: 1m, timeout: 90m}
  - {name: check, phase: verify, kind: wait, for: 1m, continue_on_error: true}
`), 0o644))
	code, out, errOut := runCLI(t, mocks.NewStack(t), nil, "list", "playbooks", "--playbooks", "mine", "team-restore", "db-recovery")
	require.Equal(t, ExitOK, code, errOut)
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	assert.Equal(t, []string{
		`Playbooks (Given the on-call responder runs playbook "NAME"; mine/*.yaml replace the embedded ones by name):`,
		"  team-restore (mine/team-restore.yaml)",
		"    Ours: wait, then wait again.",
		"    1  settle  diagnose  wait  timeout 1h30m",
		"    2  check   verify    wait  timeout 6m  continues on error",
		"  db-recovery (embedded)",
	}, lines[:6])
	assert.Regexp(t, `^    1  assess +diagnose  shell  timeout 2m$`, lines[7])

	code, all, errOut := runCLI(t, mocks.NewStack(t), nil, "list", "playbooks")
	require.Equal(t, ExitOK, code, errOut)
	_, whole, _ := runCLI(t, mocks.NewStack(t), nil, "list")
	assert.Contains(t, whole, "\n"+all+"\n", "list playbooks is list's Playbooks section")

	code, _, errOut = runCLI(t, mocks.NewStack(t), nil, "list", "playbook", "db-recovry")
	assert.Equal(t, ExitBadInput, code)
	assert.Contains(t, errOut, `unknown playbook "db-recovry"; did you mean "db-recovery"? (have `)

	code, _, errOut = runCLI(t, mocks.NewStack(t), nil, "list", "playbooks", "--playbooks", "nowhere")
	assert.Equal(t, ExitBadInput, code)
	assert.Contains(t, errOut, "--playbooks nowhere: no such directory")
}
