package responders

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

func init() { Register("shell", func() Step { return new(ShellStep) }) }

// ShellStep runs a team's own runbook script or command on this host,
// unchanged: its environment points at the drill stack (DATABASE_URL,
// REDIS_URL, APP_URL and FIREDRILL_*, see ShellEnv) and its working
// directory is the playbook's, so `psql "$DATABASE_URL"` and
// ./scripts/verify.sh work as they do on a real incident. Give run (text
// for sh -c) or command (argv). A non-zero exit fails the step.
type ShellStep struct {
	Script  string            `yaml:"run"`
	Command []string          `yaml:"command"`
	Env     map[string]string `yaml:"env"`
}

// Validate checks exactly one of run and command is given.
func (s *ShellStep) Validate() error {
	if (len(s.Command) == 0) == (strings.TrimSpace(s.Script) == "") {
		return errors.New("give either run (text for sh -c) or command (a list)")
	}
	return nil
}

// ShellEnv is the environment a shell step adds to firedrill's own: the
// variables a runbook script reads to reach the stack.
func ShellEnv(rt *Runtime) []string {
	d := rt.data(rt.Dir)
	return []string{
		"DATABASE_URL=" + d.DatabaseURL,
		"REDIS_URL=" + d.RedisURL,
		"APP_URL=" + d.AppURL,
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
	if len(argv) == 0 {
		argv = []string{"sh", "-c", s.Script}
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
		return false, text, fmt.Errorf("run %s: %w", argv[0], err)
	}
	return false, text, nil
}
