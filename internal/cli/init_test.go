package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/internal/stacktest"
	"github.com/firedrill/firedrill/reports"
	"github.com/firedrill/firedrill/stack/mocks"
)

// outsideRepo runs the test from a fresh directory outside the repository,
// as a team that installed the binary runs it in its own repository.
func outsideRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Chdir(dir)
	_, err := os.Stat(filepath.Join(dir, "rules"))
	require.ErrorIs(t, err, os.ErrNotExist)
	return dir
}

// Without init, the shipped drills, playbooks and rules are there.
func TestValidateOutsideTheRepositoryUsesTheShippedFiles(t *testing.T) {
	outsideRepo(t)
	code, out, errOut := runCLI(t, mocks.NewStack(t), nil, "validate")
	require.Equal(t, ExitOK, code, errOut)
	assert.Contains(t, out, fmt.Sprintf("ok: %d feature file(s) from embedded features", shipped(t, "features/*.feature")))
	assert.Contains(t, out, fmt.Sprintf("playbooks: 0 in playbooks, %d embedded", shipped(t, "playbooks/*.yaml")))
	assert.Contains(t, out, "rules/default.rules.yml (embedded)")

	code, out, errOut = runCLI(t, mocks.NewStack(t), nil, "validate", "features/error_spike.feature")
	require.Equal(t, ExitOK, code, errOut)
	assert.Contains(t, out, "ok: 1 feature file(s) from embedded features/error_spike.feature")

	code, _, errOut = runCLI(t, mocks.NewStack(t), nil, "validate", "features/nope.feature")
	assert.Equal(t, ExitBadInput, code)
	assert.Contains(t, errOut, "features/nope.feature")

	code, out, errOut = runCLI(t, mocks.NewStack(t), nil, "list")
	require.Equal(t, ExitOK, code, errOut)
	assert.Regexp(t, `db-recovery +embedded `, out)
	assert.Contains(t, out, "Alert rules (rules/default.rules.yml (embedded)):\n  CompleteServiceOutage")
	assert.Contains(t, out, "  features/db_pool_exhaustion.feature (embedded)\n")
}

func TestInitThenValidateOutsideTheRepository(t *testing.T) {
	dir := outsideRepo(t)
	code, out, errOut := runCLI(t, mocks.NewStack(t), nil, "init")
	require.Equal(t, ExitOK, code, errOut)
	for _, f := range []string{"firedrill.yaml", "features/db_pool_exhaustion.feature", "playbooks/db-recovery.yaml",
		"playbooks/scripts/assess.sh", "playbooks/scripts/verify-recovery.sh", "rules/default.rules.yml", "ci/firedrill.yml"} {
		assert.FileExists(t, filepath.Join(dir, f))
		assert.Contains(t, out, "wrote "+f)
	}

	// The real loader reads the scaffold as the defaults: every key is there,
	// commented out.
	data, err := os.ReadFile("firedrill.yaml")
	require.NoError(t, err)
	cfg, err := config.Load("firedrill.yaml", nil)
	require.NoError(t, err)
	assert.Equal(t, config.Default(), cfg)
	for _, key := range config.Keys() {
		last := key[strings.LastIndexByte(key, '.')+1:]
		assert.True(t, strings.Contains(string(data), "# "+strings.Repeat("  ", strings.Count(key, "."))+last+":"), "firedrill.yaml shows %s", key)
	}

	code, out, errOut = runCLI(t, mocks.NewStack(t), nil, "validate")
	require.Equal(t, ExitOK, code, errOut)
	assert.Contains(t, out, fmt.Sprintf("ok: 1 feature file(s) from features; playbooks: 1 in playbooks, %d embedded; rule files: rules/default.rules.yml\n",
		shipped(t, "playbooks/*.yaml")-1))

	code, out, errOut = runCLI(t, mocks.NewStack(t), nil, "list")
	require.Equal(t, ExitOK, code, errOut)
	assert.Regexp(t, `db-recovery +playbooks/db-recovery.yaml `, out, "the scaffolded playbook replaces the shipped one")
	assert.Regexp(t, `data-restore +embedded `, out)
	assert.Contains(t, out, "Alert rules (rules/default.rules.yml):")
	assert.Contains(t, out, "Drills (firedrill run with no paths; from features):\n  features/db_pool_exhaustion.feature\n")
}

// The CI example runs the drills and publishes what run writes.
func TestInitWorkflowPublishesJUnitAndTheReport(t *testing.T) {
	outsideRepo(t)
	code, _, errOut := runCLI(t, mocks.NewStack(t), nil, "init")
	require.Equal(t, ExitOK, code, errOut)
	wf := readWorkflow(t, "ci/firedrill.yml")
	assert.Equal(t, ".", wf.Jobs["drills"].Defaults.Run.WorkingDirectory)
	args := wf.runArgs(t)
	assert.Equal(t, []string{"run", "--provider", "docker", "--out", "drill-results/ci", "--shard", "${{", "matrix.shard", "}}/2"}, args)
	assert.Equal(t, []int{1, 2}, wf.Jobs["drills"].Strategy.Matrix.Shard, "one runner a shard")
	assert.Equal(t, "drill-results/ci/", wf.with(t, "drills", "actions/upload-artifact")["path"])
	assert.Equal(t, "shards/", wf.with(t, "report", "actions/download-artifact")["path"])
	assert.Contains(t, wf.runs("report"), "firedrill report merge --out drill-results/ci shards/*")
	assert.Equal(t, "drill-results/ci/junit.xml", wf.with(t, "report", "mikepenz/action-junit-report")["report_paths"])
	assert.Equal(t, "drill-results/ci/", wf.with(t, "report", "actions/upload-artifact")["path"])
}

// Drills in a folder of a repository: the workflow works from the root.
func TestInitIntoAFolderOfARepository(t *testing.T) {
	root := outsideRepo(t)
	require.NoError(t, os.Mkdir(filepath.Join(root, ".git"), 0o755))
	code, out, errOut := runCLI(t, mocks.NewStack(t), nil, "init", "drills")
	require.Equal(t, ExitOK, code, errOut)
	assert.Contains(t, out, "next: cd drills && firedrill validate")
	wf := readWorkflow(t, "drills/ci/firedrill.yml")
	assert.Equal(t, "drills", wf.Jobs["drills"].Defaults.Run.WorkingDirectory)
	assert.Equal(t, "drills", wf.Jobs["report"].Defaults.Run.WorkingDirectory)
	assert.Equal(t, "drills/drill-results/ci/junit.xml", wf.with(t, "report", "mikepenz/action-junit-report")["report_paths"])
}

func TestInitRefusesToOverwrite(t *testing.T) {
	dir := outsideRepo(t)
	require.NoError(t, os.MkdirAll("features", 0o755))
	require.NoError(t, os.WriteFile("features/db_pool_exhaustion.feature", []byte("ours\n"), 0o644))
	require.NoError(t, os.WriteFile("firedrill.yaml", []byte("ours: true\n"), 0o644))

	code, out, errOut := runCLI(t, mocks.NewStack(t), nil, "init")
	assert.Equal(t, ExitBadInput, code)
	assert.Contains(t, errOut, "firedrill.yaml, features/db_pool_exhaustion.feature;")
	assert.Contains(t, errOut, "nothing written")
	assert.Empty(t, out)
	for f, want := range map[string]string{"features/db_pool_exhaustion.feature": "ours\n", "firedrill.yaml": "ours: true\n"} {
		got, err := os.ReadFile(filepath.Join(dir, f))
		require.NoError(t, err)
		assert.Equal(t, want, string(got), f)
	}
	for _, f := range []string{"playbooks", "rules", "ci"} {
		assert.NoDirExists(t, filepath.Join(dir, f), "nothing is written")
	}
}

// ghWorkflow is the part of a GitHub Actions workflow the tests read.
type ghWorkflow struct {
	Jobs map[string]struct {
		Strategy struct {
			Matrix struct {
				Shard []int `yaml:"shard"`
			} `yaml:"matrix"`
		} `yaml:"strategy"`
		Defaults struct {
			Run struct {
				WorkingDirectory string `yaml:"working-directory"`
			} `yaml:"run"`
		} `yaml:"defaults"`
		Steps []struct {
			Name string            `yaml:"name"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func readWorkflow(t *testing.T, path string) ghWorkflow {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var wf ghWorkflow
	require.NoError(t, yaml.Unmarshal(data, &wf))
	require.Contains(t, wf.Jobs, "drills")
	return wf
}

// runArgs are the arguments of the step that runs the drills, on the
// matrix's shard (0: left as written).
func (wf ghWorkflow) runArgs(t *testing.T, shard ...int) []string {
	t.Helper()
	for _, s := range wf.Jobs["drills"].Steps {
		if strings.HasPrefix(s.Run, "firedrill run") {
			run := s.Run
			if len(shard) > 0 {
				run = strings.ReplaceAll(run, "${{ matrix.shard }}", strconv.Itoa(shard[0]))
			}
			return strings.Fields(strings.TrimPrefix(run, "firedrill "))
		}
	}
	t.Fatal("no step runs firedrill run")
	return nil
}

// runs are the commands a job's steps run.
func (wf ghWorkflow) runs(job string) []string {
	var out []string
	for _, s := range wf.Jobs[job].Steps {
		if s.Run != "" {
			out = append(out, s.Run)
		}
	}
	return out
}

// with is the with: of the job's step that uses an action.
func (wf ghWorkflow) with(t *testing.T, job, action string) map[string]string {
	t.Helper()
	for _, s := range wf.Jobs[job].Steps {
		if strings.HasPrefix(s.Uses, action+"@") {
			return s.With
		}
	}
	t.Fatalf("no step uses %s", action)
	return nil
}

// The whole adoption, with Docker: init in an empty directory, then the
// workflow's own run command, to a scored monthly drill and the files the
// workflow publishes.
func TestInitThenRunScoresTheMonthlyDrill(t *testing.T) {
	stacktest.Provider(t, "docker")
	dir := outsideRepo(t)
	code, _, errOut := runCLI(t, mocks.NewStack(t), nil, "init")
	require.Equal(t, ExitOK, code, errOut)
	wf := readWorkflow(t, "ci/firedrill.yml")
	// The team's copy is what runs: rename its scenario.
	feature, err := os.ReadFile("features/db_pool_exhaustion.feature")
	require.NoError(t, err)
	const shipped, ours = "Scenario: The on-call runs Database Recovery", "Scenario: Our on-call runs Database Recovery"
	require.Contains(t, string(feature), shipped)
	require.NoError(t, os.WriteFile("features/db_pool_exhaustion.feature", []byte(strings.Replace(string(feature), shipped, ours, 1)), 0o644))

	// Each runner of the matrix runs its shard and keeps its results as an
	// artifact; the report job downloads them into shards/ and merges.
	for _, shard := range wf.Jobs["drills"].Strategy.Matrix.Shard {
		code, stdout, errOut := runCLI(t, nil, envOf(t), wf.runArgs(t, shard)...)
		require.Contains(t, []int{ExitOK, ExitFailed}, code, "shard %d ran and was scored:\nstdout:\n%s\nstderr:\n%s", shard, stdout, errOut)
		kept := filepath.Join(dir, "shards", "firedrill-shard-"+strconv.Itoa(shard))
		if _, err := os.Stat("drill-results/ci/result.json"); err == nil {
			require.NoError(t, os.MkdirAll(filepath.Dir(kept), 0o755))
			require.NoError(t, os.Rename("drill-results/ci", kept))
		}
	}
	merge := strings.Fields(strings.TrimPrefix(wf.runs("report")[1], "firedrill "))
	require.Equal(t, "shards/*", merge[len(merge)-1])
	kept, err := filepath.Glob("shards/*")
	require.NoError(t, err)
	require.Len(t, kept, 1, "one scenario, one shard with results")
	code, stdout, errOut := runCLI(t, nil, nil, append(merge[:len(merge)-1], kept...)...)
	require.Equal(t, ExitOK, code, "merged:\nstdout:\n%s\nstderr:\n%s", stdout, errOut)
	assert.FileExists(t, filepath.Join(dir, wf.with(t, "report", "mikepenz/action-junit-report")["report_paths"]))
	assert.FileExists(t, filepath.Join(dir, wf.with(t, "report", "actions/upload-artifact")["path"], "report.html"))

	res, err := reports.ReadResultFile("drill-results/ci/result.json")
	require.NoError(t, err)
	require.Len(t, res.Drills, 1)
	d := res.Drills[0]
	assert.Equal(t, "Our on-call runs Database Recovery and restores the service in time", d.Scenario, "the scaffolded drill, not the shipped one")
	_, detected := d.Verdict.MTTD.Get()
	_, resolved := d.Verdict.MTTR.Get()
	assert.True(t, detected, "the shipped rules detect the fault: %s", d.Error)
	assert.True(t, resolved, "the scaffolded playbook resolves it: %s", d.Error)
	assert.Positive(t, d.Verdict.Score)
	t.Logf("score %.0f, %s", d.Verdict.Score, d.Status)
}

// A team's drills name their rules and routing beside themselves; validate
// finds them from any working directory, and says where it looked for one
// it cannot find.
func TestValidateOutsideTheRepositoryFindsFilesBesideTheFeature(t *testing.T) {
	wd := outsideRepo(t)
	drills := t.TempDir()
	write := func(name, text string) {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(drills, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(drills, name), []byte(text), 0o644))
	}
	write("rules/ours.rules.yml", "groups:\n  - name: ours\n    rules:\n      - alert: Ours\n        expr: vector(1)\n        labels:\n          severity: P4\n")
	write("alertmanager.yml", "route:\n  receiver: on-call\nreceivers:\n  - name: on-call\n")
	write("ours.feature", `Feature: ours
  Scenario: our files
    Given the stack is running
    And the alert rules in "rules/ours.rules.yml"
    And the Alertmanager configuration in "alertmanager.yml"
    When the drill runs until the incident is resolved or 10 minutes pass
    Then the alert "Ours" fires with no fault
`)
	code, out, errOut := runCLI(t, mocks.NewStack(t), nil, "validate", drills)
	require.Equal(t, ExitOK, code, errOut)
	assert.Contains(t, out, "ok: 1 feature file(s) from "+drills)

	write("ours.feature", `Feature: ours
  Scenario: a file nowhere
    Given the alert rules in "rules/theirs.rules.yml"
`)
	code, _, errOut = runCLI(t, mocks.NewStack(t), nil, "validate", drills)
	assert.Equal(t, ExitBadInput, code)
	assert.Contains(t, errOut, filepath.Join(drills, "ours.feature")+`:3: rule file "rules/theirs.rules.yml" not found: looked in `+
		filepath.Join(wd, "rules/theirs.rules.yml")+" and "+filepath.Join(drills, "rules/theirs.rules.yml"))
}
