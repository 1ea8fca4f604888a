package cli

import (
	"bytes"
	_ "embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/template"

	"github.com/spf13/cobra"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/internal/defaults"
	"github.com/firedrill/firedrill/scorer"
)

// workflowTemplate is the CI example init writes; [[ ]] leaves GitHub's
// ${{ }} alone.
//
//go:embed scaffold/firedrill.yml
var workflowTemplate string

// scaffoldedData are the shipped files init copies so a team owns them: the
// monthly drill and what it names (its playbook, the playbook's scripts and
// the rule file).
var scaffoldedData = []string{
	"features/db_pool_exhaustion.feature",
	"playbooks/db-recovery.yaml",
	"playbooks/scripts/assess.sh",
	"playbooks/scripts/verify-recovery.sh",
	"rules/default.rules.yml",
}

// workflowPath is where init writes the CI example, under DIR.
const workflowPath = "ci/firedrill.yml"

const configHeader = `# firedrill.yaml, written by ` + "`firedrill init`" + `. Every key is here with its
# default, commented out: uncomment what your drills need to change. The
# FIREDRILL_*_IMAGE and FIREDRILL_PROVIDER variables override the file.
# Rule files, playbooks and drills that are not on disk are the ones firedrill
# ships; ` + "`firedrill list`" + ` says where each comes from.
#
`

func newInitCmd(st *State) *cobra.Command {
	return &cobra.Command{
		Use:   "init [DIR]",
		Short: "Scaffold drills in your repository: firedrill.yaml, the monthly drill, its playbook and rules, a CI workflow",
		Long: "init writes into DIR (default: the current directory) a firedrill.yaml with every\n" +
			"key commented, features/ with the monthly drill (pool exhaustion), playbooks/ and\n" +
			"rules/ with what it uses, and " + workflowPath + ", a GitHub Actions workflow that runs\n" +
			"the drills and publishes JUnit and the HTML report. It overwrites nothing: when a\n" +
			"file exists it names it and writes nothing (exit 2).",
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := "."
			if len(args) == 1 {
				dir = args[0]
			}
			files, err := scaffold(dir)
			if err != nil {
				return err
			}
			var exist []string
			for _, f := range files {
				if _, err := os.Lstat(filepath.Join(dir, f.path)); err == nil {
					exist = append(exist, filepath.Join(dir, f.path))
				}
			}
			if len(exist) > 0 {
				return fmt.Errorf("%w: init would overwrite %s; nothing written", ErrUsage, strings.Join(exist, ", "))
			}
			for _, f := range files {
				p := filepath.Join(dir, f.path)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					return fmt.Errorf("init: %w", err)
				}
				// O_EXCL: a file that appeared since the check is not overwritten.
				fh, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
				if err != nil {
					return fmt.Errorf("init: %w", err)
				}
				_, err = fh.Write(f.data)
				if cerr := fh.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					return fmt.Errorf("init: write %s: %w", p, err)
				}
				fmt.Fprintf(st.Stdout, "wrote %s\n", p)
			}
			cd := ""
			if filepath.Clean(dir) != "." {
				cd = "cd " + dir + " && "
			}
			fmt.Fprintf(st.Stdout, "\nnext: %sfiredrill validate && firedrill run\n"+
				"      copy %s to .github/workflows/ to replay the drills in CI\n", cd, filepath.Join(dir, workflowPath))
			return nil
		},
	}
}

type scaffoldFile struct {
	path string
	data []byte
}

// scaffold is what init writes into dir, by path relative to dir.
func scaffold(dir string) ([]scaffoldFile, error) {
	cfgText, err := config.Commented(scaffoldConfig())
	if err != nil {
		return nil, err
	}
	files := []scaffoldFile{{"firedrill.yaml", append([]byte(configHeader), cfgText...)}}
	for _, p := range scaffoldedData {
		data, err := fs.ReadFile(defaults.FS, p)
		if err != nil {
			return nil, fmt.Errorf("init: shipped %s: %w", p, err)
		}
		files = append(files, scaffoldFile{filepath.FromSlash(p), data})
	}
	wf, err := workflow(ciDir(dir))
	if err != nil {
		return nil, err
	}
	return append(files, scaffoldFile{filepath.FromSlash(workflowPath), wf}), nil
}

// scaffoldConfig is the configuration firedrill.yaml shows: the defaults,
// with the targets the scorer applies when the file leaves them out.
func scaffoldConfig() config.Config {
	c := config.Default()
	on := true
	c.Stack.Exporters.Postgres.Enabled, c.Stack.Exporters.Redis.Enabled = &on, &on
	c.Stack.App.Command, c.Stack.App.Env, c.Traffic.Requests = []string{}, map[string]string{}, []config.Request{}
	t := scorer.DefaultTargets()
	c.Targets = config.Targets{
		MTTD: config.Duration(t.MTTD), MTTA: config.Duration(t.MTTA), MTTR: config.Duration(t.MTTR),
		Drill: config.DrillTargets{
			Alert: config.Duration(t.Drill.Alert), Ack: config.Duration(t.Drill.Ack),
			Diagnosis: config.Duration(t.Drill.Diagnosis), Mitigation: config.Duration(t.Drill.Mitigation),
			Restored: config.Duration(t.Drill.Restored),
		},
		GameDay: config.GameDayTargets{
			FirstUpdate: config.Duration(t.GameDay.FirstUpdate), FirstNotice: config.Duration(t.GameDay.FirstNotice),
			UpdateEvery: config.Duration(t.GameDay.UpdateEvery),
		},
	}
	return c
}

// ciDir is dir as the CI job sees it: relative to the repository's root
// (the nearest parent with .git), else to the current directory.
func ciDir(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return filepath.ToSlash(filepath.Clean(dir))
	}
	base, _ := os.Getwd()
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, ".git")); err == nil {
			base = d
			break
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	rel, err := filepath.Rel(base, abs)
	if err != nil || strings.HasPrefix(rel, "..") {
		return "."
	}
	return filepath.ToSlash(rel)
}

// workflow renders the CI example for drills in dir (relative to the
// repository's root).
func workflow(dir string) ([]byte, error) {
	inDir := func(p string) string {
		if dir == "." {
			return p
		}
		return dir + "/" + p
	}
	tmpl, err := template.New("workflow").Delims("[[", "]]").Funcs(template.FuncMap{"in_dir": inDir}).Parse(workflowTemplate)
	if err != nil {
		return nil, fmt.Errorf("init: workflow template: %w", err)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, struct{ Dir string }{dir}); err != nil {
		return nil, fmt.Errorf("init: workflow template: %w", err)
	}
	return buf.Bytes(), nil
}
