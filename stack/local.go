package stack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/firedrill/firedrill/config"
)

// Local is the provider that runs the stack as processes on this host, for
// machines without Docker: a throwaway PostgreSQL cluster (initdb) and
// redis-server on free loopback ports, the exporters, and the app. Every
// process carries FIREDRILL_RUN=<run id> in its environment and its own
// process group, so stop, pause (SIGSTOP) and Cleanup reach all of it.
type Local struct {
	runID    string
	progress Progress
	// AppBinary overrides how the demo app is found (tests set it).
	AppBinary string
}

// NewLocal returns the local provider for one run.
func NewLocal(runID string, progress Progress) *Local {
	return &Local{runID: runID, progress: progress}
}

// Name is "local".
func (l *Local) Name() string { return "local" }

// pgBinDirs are where PostgreSQL's server binaries live on Debian, newest
// first, after PATH.
func pgBin(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Sort(sort.Reverse(sort.StringSlice(dirs)))
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s not found", name)
}

// Available checks for the PostgreSQL server binaries and redis-server.
// Exporter binaries are checked at Start, against the configuration.
func (l *Local) Available(context.Context) error {
	var missing []string
	for _, b := range []string{"initdb", "postgres"} {
		if _, err := pgBin(b); err != nil {
			missing = append(missing, b+" (Debian: apt-get install postgresql)")
		}
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		missing = append(missing, "redis-server (Debian: apt-get install redis-server)")
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: local: missing %s", ErrUnavailable, strings.Join(missing, ", "))
	}
	return nil
}

// Start runs the stack as processes under a temporary directory that Close
// removes.
func (l *Local) Start(ctx context.Context, cfg config.Stack) (*Env, error) {
	env := &Env{RunID: l.runID, Provider: l.Name(), Config: cfg}
	if err := l.start(ctx, env); err != nil {
		return env, fmt.Errorf("start local stack: %w", err)
	}
	return env, nil
}

func (l *Local) start(ctx context.Context, env *Env) error {
	if err := l.Available(ctx); err != nil {
		return err
	}
	cfg := env.Config
	dir, err := os.MkdirTemp("", runDirPrefix+l.runID+"-")
	if err != nil {
		return err
	}
	env.onClose(func(context.Context) error { return os.RemoveAll(dir) })
	// Files a drill leaves where the service runs (a data-deletion fault's
	// backup) are on this host with the local provider.
	env.onClose(func(context.Context) error { return removeRunFiles(l.runID) })
	if err := os.Chmod(dir, 0o755); err != nil {
		return err
	}
	// PostgreSQL refuses to run as root: run it as the postgres (or nobody) user.
	cred, err := unprivileged()
	if err != nil {
		return err
	}
	hp, err := wireHost(env)
	if err != nil {
		return err
	}
	pgPort, redisPort, appPort, pgExpPort, redisExpPort := hp.postgres, hp.redis, hp.app, hp.postgresExporter, hp.redisExporter
	pg := cfg.Postgres
	runEnv := "FIREDRILL_RUN=" + l.runID

	newService := func(name string, cmd []string, extraEnv []string, ready func(context.Context) error) *procService {
		s := &procService{
			name: name, cmd: cmd, dir: dir, log: filepath.Join(dir, name+".log"), ready: ready,
			env: append(append(os.Environ(), runEnv), extraEnv...), stopSignal: syscall.SIGTERM,
		}
		env.onClose(s.kill)
		env.addService(s)
		return s
	}

	// Postgres: initdb, then the server.
	l.progress.say("initdb (local postgres)")
	initdb, _ := pgBin("initdb")
	postgres, _ := pgBin("postgres")
	data := filepath.Join(dir, "pgdata")
	sock := filepath.Join(dir, "pgsock")
	pwfile := filepath.Join(dir, "pgpass")
	for _, d := range []string{data, sock} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return err
		}
	}
	if err := os.WriteFile(pwfile, []byte(pg.Password+"\n"), 0o600); err != nil {
		return err
	}
	if cred != nil {
		for _, p := range []string{data, sock, pwfile} {
			if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
				return err
			}
		}
	}
	ic := exec.CommandContext(ctx, initdb, "-D", data, "-U", pg.User, "--pwfile", pwfile, "--auth=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C")
	ic.Env = append(os.Environ(), runEnv)
	ic.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := ic.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %w: %s", err, tail(out))
	}
	adminURL := withDatabase(env.PostgresURL, "postgres")
	l.progress.say("starting postgres on 127.0.0.1:%d", pgPort)
	pgs := newService(Postgres, []string{postgres, "-D", data, "-p", strconv.Itoa(pgPort), "-k", sock,
		"-c", "listen_addresses=127.0.0.1", "-c", "max_connections=" + strconv.Itoa(pg.MaxConnections), "-c", "fsync=off"},
		nil, func(ctx context.Context) error { return pingPostgres(ctx, adminURL) })
	pgs.cred = cred
	pgs.stopSignal = syscall.SIGINT // fast shutdown
	pgs.execEnv = []string{"PGHOST=127.0.0.1", "PGPORT=" + strconv.Itoa(pgPort), "PGUSER=" + pg.User,
		"PGPASSWORD=" + pg.Password, "PGDATABASE=" + pg.Database}
	if err := pgs.Start(ctx); err != nil {
		return err
	}
	if err := createDatabase(ctx, adminURL, pg.Database); err != nil {
		return err
	}

	l.progress.say("starting redis on 127.0.0.1:%d", redisPort)
	redisDir := filepath.Join(dir, "redis")
	if err := os.Mkdir(redisDir, 0o700); err != nil {
		return err
	}
	rs := newService(Redis, []string{"redis-server", "--port", strconv.Itoa(redisPort), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", redisDir},
		nil, func(ctx context.Context) error { return pingRedis(ctx, env.RedisURL) })
	rs.execArgs = func(cmd []string) []string {
		if len(cmd) > 0 && cmd[0] == "redis-cli" {
			return append([]string{"redis-cli", "-p", strconv.Itoa(redisPort)}, cmd[1:]...)
		}
		return cmd
	}
	if err := rs.Start(ctx); err != nil {
		return err
	}

	// Debian's postgres_exporter 0.11 needs the pg_stat_user_tables queries
	// the newer exporter collects by itself (see postgres_exporter_queries.yaml).
	queriesFile := filepath.Join(dir, "postgres_exporter_queries.yaml")
	if err := os.WriteFile(queriesFile, PostgresExporterQueries, 0o644); err != nil {
		return err
	}
	exporters := []struct {
		name     string
		exp      config.Exporter
		hostPort int
		env      []string
		job      string
		instance string
		up       string
	}{
		{PostgresExporter, cfg.Exporters.Postgres, pgExpPort, []string{
			"DATA_SOURCE_NAME=" + env.PostgresURL,
			"PG_EXPORTER_EXTEND_QUERY_PATH=" + queriesFile,
		}, "postgres", PostgresExporter + ":9187", "pg_up"},
		{RedisExporter, cfg.Exporters.Redis, redisExpPort, []string{
			fmt.Sprintf("REDIS_ADDR=redis://127.0.0.1:%d", redisPort),
		}, "redis", RedisExporter + ":9121", "redis_up"},
	}
	for _, x := range exporters {
		if !x.exp.On() {
			continue
		}
		bin, err := exec.LookPath(x.exp.Binary)
		if err != nil {
			return fmt.Errorf("%w: local: %s not found (Debian: apt-get install %s, or disable stack.exporters in firedrill.yaml)", ErrUnavailable, x.exp.Binary, x.exp.Binary)
		}
		metricsURL := fmt.Sprintf("http://127.0.0.1:%d/metrics", x.hostPort)
		l.progress.say("starting %s on 127.0.0.1:%d", x.name, x.hostPort)
		listen := fmt.Sprintf("--web.listen-address=127.0.0.1:%d", x.hostPort)
		s := newService(x.name, []string{bin, listen}, x.env, func(ctx context.Context) error { return httpOK(ctx, metricsURL) })
		if err := s.Start(ctx); err != nil {
			return err
		}
		env.Targets = append(env.Targets, MetricsTarget{Job: x.job, Instance: x.instance, URL: metricsURL, UpMetric: x.up})
	}

	app := cfg.App
	cmd := app.Command
	if len(cmd) == 0 {
		bin, err := l.demoappBinary(ctx, dir)
		if err != nil {
			return err
		}
		cmd = []string{bin}
	}
	appEnv, err := appEnvironment(app, env.PostgresURL, env.RedisURL, appPort)
	if err != nil {
		return err
	}
	var envList []string
	for k, v := range appEnv {
		envList = append(envList, k+"="+v)
	}
	sort.Strings(envList)
	l.progress.say("starting app on 127.0.0.1:%d", appPort)
	as := newService(App, cmd, envList, func(ctx context.Context) error { return httpAnswers(ctx, env.AppURL+app.HealthPath) })
	if err := as.Start(ctx); err != nil {
		return err
	}
	env.Targets = append([]MetricsTarget{{Job: "app", Instance: App + ":" + strconv.Itoa(app.Port), URL: env.AppURL + app.MetricsPath}}, env.Targets...)
	return finishStart(ctx, env, l.progress)
}

// demoappBinary finds the demo app: AppBinary, FIREDRILL_DEMOAPP_BINARY,
// "demoapp" beside the running executable or on PATH, or else a build of
// ./cmd/demoapp when this module's source and a Go toolchain are here.
func (l *Local) demoappBinary(ctx context.Context, dir string) (string, error) {
	for _, p := range []string{l.AppBinary, os.Getenv("FIREDRILL_DEMOAPP_BINARY")} {
		if p != "" {
			return p, nil
		}
	}
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), "demoapp")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	if p, err := exec.LookPath("demoapp"); err == nil {
		return p, nil
	}
	src := moduleRoot()
	goBin, err := exec.LookPath("go")
	if src == "" || err != nil {
		return "", fmt.Errorf("%w: local: no demoapp binary (build one with `make build`, or set stack.app.command)", ErrUnavailable)
	}
	out := filepath.Join(dir, "demoapp")
	l.progress.say("building the demo app")
	b := exec.CommandContext(ctx, goBin, "build", "-o", out, "./cmd/demoapp")
	b.Dir = src
	if o, err := b.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build demoapp: %w: %s", err, tail(o))
	}
	return out, nil
}

// moduleRoot finds this module's source from the working directory up.
func moduleRoot() string {
	d, err := os.Getwd()
	if err != nil {
		return ""
	}
	for {
		if b, err := os.ReadFile(filepath.Join(d, "go.mod")); err == nil && bytes.Contains(b, []byte("module github.com/firedrill/firedrill\n")) {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

func createDatabase(ctx context.Context, adminURL, db string) error {
	conn, err := connectAdmin(ctx, adminURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, db).Scan(&exists); err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	if exists {
		return nil
	}
	if _, err := conn.Exec(ctx, `CREATE DATABASE `+quoteIdent(db)); err != nil {
		return fmt.Errorf("create database: %w", err)
	}
	return nil
}

// unprivileged is the identity PostgreSQL runs as when we are root.
func unprivileged() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, _ := strconv.ParseUint(u.Uid, 10, 32)
		gid, _ := strconv.ParseUint(u.Gid, 10, 32)
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, fmt.Errorf("%w: local: running as root and there is no postgres or nobody user to run PostgreSQL as", ErrUnavailable)
}

func tail(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 2000 {
		s = "…" + s[len(s)-2000:]
	}
	return s
}

// procService is one process of the local stack.
type procService struct {
	name       string
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

	mu     sync.Mutex
	proc   *os.Process
	done   chan struct{}
	paused bool
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
	logf, err := os.OpenFile(s.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		s.mu.Unlock()
		return fmt.Errorf("start %s: %w", s.name, err)
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
		s.mu.Unlock()
		return fmt.Errorf("start %s: %w", s.name, err)
	}
	done := make(chan struct{})
	s.proc, s.done, s.paused = c.Process, done, false
	go func() {
		_ = c.Wait()
		logf.Close()
		close(done)
	}()
	s.mu.Unlock()
	err = poll(ctx, 60*time.Second, 100*time.Millisecond, func(ctx context.Context) error {
		select {
		case <-done:
			return permanent{fmt.Errorf("exited")}
		default:
		}
		return s.ready(ctx)
	})
	if err != nil {
		out, _ := os.ReadFile(s.log)
		return fmt.Errorf("start %s: %w\n%s", s.name, err, tail(out))
	}
	return nil
}

func (s *procService) signal(sig syscall.Signal) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running() {
		return fmt.Errorf("%s is not running", s.name)
	}
	return syscall.Kill(-s.proc.Pid, sig)
}

func (s *procService) Stop(ctx context.Context) error {
	s.mu.Lock()
	if !s.running() {
		s.mu.Unlock()
		return nil
	}
	done, pid, paused := s.done, s.proc.Pid, s.paused
	s.mu.Unlock()
	_ = syscall.Kill(-pid, s.stopSignal)
	if paused {
		_ = syscall.Kill(-pid, syscall.SIGCONT)
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
	_ = syscall.Kill(-pid, syscall.SIGCONT)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pid, syscall.SIGKILL)
		<-done
	}
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
	return poll(ctx, 60*time.Second, 100*time.Millisecond, s.ready)
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
