package responders

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func init() { Register("shell", func() Step { return new(ShellStep) }) }

// ShellStep runs a team's own runbook script or command on this host,
// unchanged: its environment points at the drill stack (DATABASE_URL,
// APP_DATABASE_URL, REDIS_URL, APP_URL, PROMETHEUS_URL, ALERTMANAGER_URL and
// FIREDRILL_*, FIREDRILL_OUT_DIR among them, see ShellEnv) and its working directory is the playbook's, so `psql
// "$DATABASE_URL"` and ./scripts/verify.sh work as they do on a real
// incident. Give run (text for sh -c), command (argv) or file (a script
// beside the playbook, with args). A non-zero exit fails the step.
//
// With retry, a failing run is tried again at the next tick until the
// step's timeout, as an http or wait step is: a verification script whose
// checks need the recovered service to settle for a tick or two.
//
// A file is run by the interpreter its #! line names (sh without one), so
// it need not be executable: `firedrill init` writes plain files. The
// playbooks firedrill ships carry their scripts in the binary; such a
// script runs from a temporary copy, so the shipped drills work in any
// directory.
type ShellStep struct {
	Script  string            `yaml:"run"`
	Command []string          `yaml:"command"`
	File    string            `yaml:"file"`
	Args    []string          `yaml:"args"`
	Env     map[string]string `yaml:"env"`
	Retry   bool              `yaml:"retry"`
}

// Validate checks exactly one of run, command and file is given, and args
// only with file.
func (s *ShellStep) Validate() error {
	given := 0
	for _, set := range []bool{len(s.Command) > 0, strings.TrimSpace(s.Script) != "", s.File != ""} {
		if set {
			given++
		}
	}
	if given != 1 {
		return errors.New("give one of run (text for sh -c), command (a list) or file (a script beside the playbook)")
	}
	if len(s.Args) > 0 && s.File == "" {
		return errors.New("args: only with file")
	}
	if s.File != "" && (filepath.IsAbs(s.File) || !fs.ValidPath(filepath.ToSlash(filepath.Clean(s.File)))) {
		return fmt.Errorf("file: %q is not a path inside the playbook's directory", s.File)
	}
	return nil
}

// Files are the playbook-relative files the step runs: the loader checks
// they exist, so a missing script is found before a drill starts.
func (s *ShellStep) Files() []string {
	if s.File == "" {
		return nil
	}
	return []string{s.File}
}

// argv is the command line of a file step: the #! line's interpreter (and
// its one optional argument, as the kernel reads it), or sh.
func fileArgv(path string, text []byte, args []string) []string {
	interp := []string{"sh"}
	if line, _, _ := bytes.Cut(text, []byte("\n")); bytes.HasPrefix(line, []byte("#!")) {
		name, arg, _ := strings.Cut(strings.TrimSpace(string(line[2:])), " ")
		interp = []string{name}
		if arg = strings.TrimSpace(arg); arg != "" {
			interp = append(interp, arg)
		}
	}
	return append(append(interp, path), args...)
}

// fileCommand is the argv of a file step, and a cleanup: a shipped
// playbook's script is written to a temporary file first.
func (s *ShellStep) fileCommand(rt *Runtime) ([]string, func(), error) {
	noop := func() {}
	name := filepath.ToSlash(filepath.Clean(s.File))
	if rt.Files == nil {
		// Absolute: the script runs in the playbook's directory, which a
		// relative path would name twice.
		path, err := filepath.Abs(filepath.Join(rt.Dir, name))
		if err != nil {
			return nil, noop, fmt.Errorf("read script: %w", err)
		}
		text, err := os.ReadFile(path)
		if err != nil {
			return nil, noop, fmt.Errorf("read script: %w", err)
		}
		return fileArgv(path, text, s.Args), noop, nil
	}
	text, err := fs.ReadFile(rt.Files, name)
	if err != nil {
		return nil, noop, fmt.Errorf("read shipped script: %w", err)
	}
	dir, err := os.MkdirTemp("", "firedrill-script-")
	if err != nil {
		return nil, noop, fmt.Errorf("write shipped script: %w", err)
	}
	cleanup := func() { _ = os.RemoveAll(dir) }
	path := filepath.Join(dir, filepath.Base(name))
	if err := os.WriteFile(path, text, 0o700); err != nil {
		cleanup()
		return nil, noop, fmt.Errorf("write shipped script: %w", err)
	}
	return fileArgv(path, text, s.Args), cleanup, nil
}

// ShellEnv is the environment a shell step adds to firedrill's own: the
// variables a runbook script reads to reach the stack, and the drill's
// Prometheus and Alertmanager APIs (PROMETHEUS_URL, ALERTMANAGER_URL), so a
// script's `curl "$PROMETHEUS_URL/api/v1/query?query=…"` asks the drill.
// DATABASE_URL logs in as the stack's own user (a superuser);
// APP_DATABASE_URL as the app's role (FIREDRILL_APP_USER) with the password
// the app was started with, which a rotation makes stale. FIREDRILL_OUT_DIR
// is the drill's own directory in the run's output (Runtime.OutDir).
func ShellEnv(rt *Runtime) []string {
	d := rt.data(rt.Dir)
	return []string{
		"DATABASE_URL=" + d.DatabaseURL,
		"APP_DATABASE_URL=" + d.AppDatabaseURL,
		"FIREDRILL_APP_USER=" + d.AppUser,
		"FIREDRILL_OUT_DIR=" + d.OutDir,
		"REDIS_URL=" + d.RedisURL,
		"APP_URL=" + d.AppURL,
		"PROMETHEUS_URL=" + d.PrometheusURL,
		"ALERTMANAGER_URL=" + d.AlertmanagerURL,
		"FIREDRILL_ADMIN_URL=" + d.AdminURL,
		"FIREDRILL_DATABASE=" + d.Database,
		"FIREDRILL_RUN_ID=" + d.RunID,
		"FIREDRILL_BACKUP=" + d.Backup,
		"FIREDRILL_PLAYBOOK_DIR=" + d.Dir,
	}
}

// cappedBuffer keeps the first limit bytes written to it and drops the
// rest: a runaway script must not fill memory with output nobody reads.
// (Not an embedded bytes.Buffer: io.Copy would use its ReadFrom and
// bypass the cap.)
type cappedBuffer struct {
	buf   bytes.Buffer
	limit int
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	if room := c.limit - c.buf.Len(); room > 0 {
		c.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (c *cappedBuffer) String() string { return c.buf.String() }

// Run runs the script and captures its combined output.
func (s *ShellStep) Run(ctx context.Context, rt *Runtime) (bool, string, error) {
	argv := s.Command
	switch {
	case s.File != "":
		var cleanup func()
		var err error
		if argv, cleanup, err = s.fileCommand(rt); err != nil {
			return false, "", err
		}
		defer cleanup()
	case len(argv) == 0:
		argv = []string{"sh", "-c", s.Script}
	}
	if rt.OutDir != "" {
		if err := os.MkdirAll(rt.OutDir, 0o755); err != nil {
			return false, "", fmt.Errorf("make the drill's output directory: %w", err)
		}
	}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = rt.Dir
	cmd.Env = append(os.Environ(), ShellEnv(rt)...)
	for k, v := range s.Env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	// The script runs in a process group of its own, so a timeout ends its
	// children (psql, sleep, pg_restore) too, not just the shell; and its
	// children may hold its output open, so do not wait for them past that.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	out := &cappedBuffer{limit: 4 * MaxOutput}
	cmd.Stdout, cmd.Stderr = out, out
	err := cmd.Run()
	text := strings.TrimRight(out.String(), "\n")
	if err != nil {
		return s.Retry && ctx.Err() == nil, text, fmt.Errorf("run %s: %w", argv[0], err)
	}
	return false, text, nil
}
