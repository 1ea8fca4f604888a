package stack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/firedrill/firedrill/internal/poll"
)

// tail is the end of a process's output, for an error message.
func tail(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 2000 {
		s = "…" + s[len(s)-2000:]
	}
	return s
}

// procService is one process of the local stack, supervised: started in a
// process group of its own (so signals reach its children), stopped,
// paused and resumed by signals to the group, and waited on until its
// service answers.
type procService struct {
	name       string
	run        string
	cmd        []string
	env        []string
	dir        string
	log        string
	cred       *syscall.Credential
	stopSignal syscall.Signal
	ready      func(context.Context) error
	// execEnv is added to Exec's environment (psql's PG* variables, ...).
	execEnv []string
	// execArgs rewrites an Exec command for the local port (redis-cli -p).
	execArgs func([]string) []string

	mu   sync.Mutex
	proc *os.Process
	// started is proc's start time (procStart), read at spawn.
	started string
	done    chan struct{}
	paused  bool
}

func (s *procService) Name() string { return s.name }

func (s *procService) running() bool {
	if s.done == nil {
		return false
	}
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// Start runs the process unless it runs (a paused one is resumed), and
// waits until it is ready; a process that exits first fails the start with
// the end of its log.
func (s *procService) Start(ctx context.Context) error {
	s.mu.Lock()
	if s.running() {
		paused := s.paused
		s.mu.Unlock()
		if paused {
			return s.Unpause(ctx)
		}
		return nil
	}
	done, err := s.spawn()
	s.mu.Unlock()
	if err != nil {
		return fmt.Errorf("start %s: %w", s.name, err)
	}
	if err := s.waitReady(ctx, done); err != nil {
		out, _ := os.ReadFile(s.log)
		return fmt.Errorf("start %s: %w\n%s", s.name, err, tail(out))
	}
	return nil
}

// spawn starts the process in a process group of its own, its output
// appended to its log, and returns a channel closed when it exits. The
// caller holds s.mu.
func (s *procService) spawn() (chan struct{}, error) {
	logf, err := os.OpenFile(s.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	c := exec.Command(s.cmd[0], s.cmd[1:]...)
	c.Env = s.env
	c.Dir = s.dir
	c.Stdout, c.Stderr = logf, logf
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: s.cred, Pdeathsig: syscall.SIGKILL}
	// Pdeathsig is bound to the starting thread; keep it for the child's life.
	runtime.LockOSThread()
	err = c.Start()
	runtime.UnlockOSThread()
	if err != nil {
		logf.Close()
		return nil, err
	}
	done := make(chan struct{})
	s.proc, s.done, s.paused, s.started = c.Process, done, false, procStart(c.Process.Pid)
	go func() {
		_ = c.Wait()
		logf.Close()
		close(done)
	}()
	return done, nil
}

// waitReady polls the service's ready check until it passes, giving up at
// once if the process exits.
func (s *procService) waitReady(ctx context.Context, done <-chan struct{}) error {
	return poll.Until(ctx, 60*time.Second, 100*time.Millisecond, func(ctx context.Context) error {
		select {
		case <-done:
			return poll.Permanent(errors.New("exited"))
		default:
		}
		return s.ready(ctx)
	})
}

func (s *procService) signal(sig syscall.Signal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running() {
		return fmt.Errorf("%s is not running", s.name)
	}
	if err := s.owned(s.proc.Pid, "signal"); err != nil {
		return err
	}
	return signalTree(s.proc.Pid, sig)
}

// owned is the last check before signalling pid: it must be the process
// this service spawned (this process's child, with the start time seen at
// spawn), or the action is refused. Its FIREDRILL_RUN cannot be the test:
// Redis and PostgreSQL write their process titles over /proc/pid/environ.
// A process that has exited (a zombie) has nothing left to harm.
func (s *procService) owned(pid int, action string) error {
	if !alive(pid) {
		return nil
	}
	if s.started != "" && procStart(pid) == s.started && parentOf(pid) == os.Getpid() {
		return nil
	}
	return fmt.Errorf("%s %s: %w: process %d is not the one run %s's %s started", action, s.name, ErrNotOurs, pid, s.run, s.name)
}

// parentOf is pid's parent process id (0 when unknown).
func parentOf(pid int) int {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(stat[bytes.LastIndexByte(stat, ')')+1:]))
	if len(f) < 2 {
		return 0
	}
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

// signalTree signals pid's process group and every descendant of pid in a
// group of its own: PostgreSQL's backends call setsid(), so a signal to
// the postmaster's group alone would leave them running (a "paused"
// server still answering its open sessions), where docker pause freezes
// the whole container.
func signalTree(pid int, sig syscall.Signal) error {
	err := syscall.Kill(-pid, sig)
	for _, d := range descendants(pid) {
		_ = syscall.Kill(d, sig)
	}
	return err
}

// alive says whether pid is a process that has not exited (a zombie has).
func alive(pid int) bool {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(stat, ')')
	f := strings.Fields(string(stat[i+1:]))
	return len(f) > 0 && f[0] != "Z" && f[0] != "X"
}

// descendants lists the processes below pid, read from /proc.
func descendants(pid int) []int {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	children := map[int][]int{}
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// The command may hold spaces and parentheses: fields follow the last ')'.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 2 {
			continue
		}
		if ppid, err := strconv.Atoi(f[1]); err == nil {
			children[ppid] = append(children[ppid], p)
		}
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}

func (s *procService) Stop(ctx context.Context) error {
	s.mu.Lock()
	if !s.running() {
		s.mu.Unlock()
		return nil
	}
	done, pid, paused := s.done, s.proc.Pid, s.paused
	s.mu.Unlock()
	if err := s.owned(pid, "stop"); err != nil {
		return err
	}
	_ = syscall.Kill(-pid, s.stopSignal)
	if paused {
		_ = signalTree(pid, syscall.SIGCONT)
	}
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-done
	case <-ctx.Done():
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-done
	}
	s.mu.Lock()
	s.paused = false
	s.mu.Unlock()
	return nil
}

// kill ends the process group at once; Close uses it.
func (s *procService) kill(context.Context) error {
	s.mu.Lock()
	if !s.running() {
		s.mu.Unlock()
		return nil
	}
	done, pid := s.done, s.proc.Pid
	s.mu.Unlock()
	_ = syscall.Kill(-pid, s.stopSignal)
	_ = signalTree(pid, syscall.SIGCONT)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-done
	}
	return nil
}

// Kill sends SIGKILL to the process group (and SIGCONT, should it be
// paused) and waits until the process has exited.
func (s *procService) Kill(ctx context.Context) error {
	s.mu.Lock()
	if !s.running() {
		s.mu.Unlock()
		return nil
	}
	done, pid := s.done, s.proc.Pid
	s.mu.Unlock()
	if err := s.owned(pid, "kill"); err != nil {
		return err
	}
	kids := descendants(pid)
	_ = signalTree(pid, syscall.SIGKILL)
	_ = signalTree(pid, syscall.SIGCONT)
	select {
	case <-done:
	case <-ctx.Done():
		return fmt.Errorf("kill %s: %w", s.name, ctx.Err())
	}
	// Orphaned children (PostgreSQL's backends) die on their own time; a
	// restart before they are gone would find their shared memory in use.
	err := poll.Until(ctx, 30*time.Second, 20*time.Millisecond, func(context.Context) error {
		for _, k := range kids {
			if alive(k) {
				return fmt.Errorf("process %d still there", k)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("kill %s: %w", s.name, err)
	}
	s.mu.Lock()
	s.paused = false
	s.mu.Unlock()
	return nil
}

func (s *procService) Restart(ctx context.Context) error {
	if err := s.Stop(ctx); err != nil {
		return err
	}
	return s.Start(ctx)
}

func (s *procService) Pause(context.Context) error {
	if err := s.signal(syscall.SIGSTOP); err != nil {
		return fmt.Errorf("pause %s: %w", s.name, err)
	}
	s.mu.Lock()
	s.paused = true
	s.mu.Unlock()
	return nil
}

func (s *procService) Unpause(ctx context.Context) error {
	if err := s.signal(syscall.SIGCONT); err != nil {
		return fmt.Errorf("unpause %s: %w", s.name, err)
	}
	s.mu.Lock()
	s.paused = false
	s.mu.Unlock()
	return poll.Until(ctx, 60*time.Second, 100*time.Millisecond, s.ready)
}

func (s *procService) Exec(ctx context.Context, cmd ...string) (ExecResult, error) {
	if len(cmd) == 0 {
		return ExecResult{ExitCode: -1}, errors.New("exec: empty command")
	}
	if s.execArgs != nil {
		cmd = s.execArgs(cmd)
	}
	c := exec.CommandContext(ctx, cmd[0], cmd[1:]...)
	c.Env = append(append([]string{}, s.env...), s.execEnv...)
	c.Dir = s.dir
	// Its own process group, so a cancelled Exec ends the command's children.
	c.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	c.Cancel = func() error { return syscall.Kill(-c.Process.Pid, syscall.SIGKILL) }
	c.WaitDelay = 5 * time.Second
	out, err := c.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return ExecResult{ExitCode: exit.ExitCode(), Output: string(out)}, nil
	}
	if err != nil {
		return ExecResult{ExitCode: -1, Output: string(out)}, fmt.Errorf("exec in %s: %w", s.name, err)
	}
	return ExecResult{Output: string(out)}, nil
}

func (s *procService) ensureRunning(ctx context.Context) error { return s.Start(ctx) }
