package stack

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

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

// pgBin finds a PostgreSQL server binary: on PATH, else where Debian keeps
// them, newest version first.
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

// localRun is one Start of the local provider: the stack's directory and
// what its processes share.
type localRun struct {
	*Local
	env  *Env
	dir  string
	cred *syscall.Credential // whom PostgreSQL runs as; nil: as we do
}

func (l *Local) start(ctx context.Context, env *Env) error {
	if err := l.Available(ctx); err != nil {
		return err
	}
	r, err := l.prepare(env)
	if err != nil {
		return err
	}
	for _, step := range []func(context.Context) error{r.startPostgres, env.createAppLogin, r.startRedis, r.startExporters, r.startApp} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return finishStart(ctx, env, l.progress)
}

// prepare makes the run's directory (removed, with the run's other files,
// by Close), picks whom PostgreSQL runs as and reserves the ports.
func (l *Local) prepare(env *Env) (*localRun, error) {
	dir, err := os.MkdirTemp("", runDirPrefix+l.runID+"-")
	if err != nil {
		return nil, err
	}
	env.onClose(func(context.Context) error { return os.RemoveAll(dir) })
	env.gone = localGone(dir)
	// Files a drill leaves where the service runs (a data-deletion fault's
	// backup) are on this host with the local provider.
	env.onClose(func(context.Context) error { return removeRunFiles(l.runID) })
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	// PostgreSQL refuses to run as root: run it as the postgres (or nobody) user.
	cred, err := unprivileged()
	if err != nil {
		return nil, err
	}
	if err := wireHost(env); err != nil {
		return nil, err
	}
	return &localRun{Local: l, env: env, dir: dir, cred: cred}, nil
}

// runEnv marks every process of the run, for Cleanup.
func (r *localRun) runEnv() []string {
	return []string{"FIREDRILL_RUN=" + r.runID, "FIREDRILL_OWNER=" + owner()}
}

// service registers a process of the table's service name, to be closed
// with the stack.
func (r *localRun) service(name string, cmd, extraEnv []string) *procService {
	s := &procService{
		name: name, run: r.runID, cmd: cmd, dir: r.dir, log: filepath.Join(r.dir, name+".log"), ready: spec(name).readiness(r.env),
		env: append(append(os.Environ(), r.runEnv()...), extraEnv...), stopSignal: syscall.SIGTERM,
	}
	r.env.onClose(s.kill)
	r.env.addService(s)
	return s
}

func (r *localRun) port(name string) string { return strconv.Itoa(r.env.hostPorts[name]) }

// startPostgres makes a cluster, runs its server and creates the app's
// database.
func (r *localRun) startPostgres(ctx context.Context) error {
	r.progress.say("initdb (local postgres)")
	data, sock, err := r.initdb(ctx)
	if err != nil {
		return err
	}
	pg, port := r.env.Config.Postgres, r.port(Postgres)
	postgres, _ := pgBin("postgres")
	r.progress.say("starting postgres on 127.0.0.1:%s", port)
	s := r.service(Postgres, []string{postgres, "-D", data, "-p", port, "-k", sock,
		"-c", "listen_addresses=127.0.0.1", "-c", "max_connections=" + strconv.Itoa(pg.MaxConnections), "-c", "fsync=off"}, nil)
	s.cred = r.cred
	s.stopSignal = syscall.SIGINT // fast shutdown
	s.execEnv = []string{"PGHOST=127.0.0.1", "PGPORT=" + port, "PGUSER=" + pg.User,
		"PGPASSWORD=" + pg.Password, "PGDATABASE=" + pg.Database}
	if err := s.Start(ctx); err != nil {
		return err
	}
	return createDatabase(ctx, r.env.AdminURL(), pg.Database)
}

// initdb makes the cluster's data and socket directories, owned by whom
// PostgreSQL runs as, and runs initdb with the configured role.
func (r *localRun) initdb(ctx context.Context) (data, sock string, err error) {
	pg := r.env.Config.Postgres
	data, sock = filepath.Join(r.dir, "pgdata"), filepath.Join(r.dir, "pgsock")
	pwfile := filepath.Join(r.dir, "pgpass")
	for _, d := range []string{data, sock} {
		if err := os.Mkdir(d, 0o700); err != nil {
			return "", "", err
		}
	}
	if err := os.WriteFile(pwfile, []byte(pg.Password+"\n"), 0o600); err != nil {
		return "", "", err
	}
	if r.cred != nil {
		for _, p := range []string{data, sock, pwfile} {
			if err := os.Chown(p, int(r.cred.Uid), int(r.cred.Gid)); err != nil {
				return "", "", err
			}
		}
	}
	initdb, _ := pgBin("initdb")
	c := exec.CommandContext(ctx, initdb, "-D", data, "-U", pg.User, "--pwfile", pwfile, "--auth=scram-sha-256", "--no-sync", "-E", "UTF8", "--locale=C")
	c.Env = append(os.Environ(), r.runEnv()...)
	c.SysProcAttr = &syscall.SysProcAttr{Credential: r.cred}
	if out, err := c.CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("initdb: %w: %s", err, tail(out))
	}
	return data, sock, nil
}

func (r *localRun) startRedis(ctx context.Context) error {
	port := r.port(Redis)
	r.progress.say("starting redis on 127.0.0.1:%s", port)
	redisDir := filepath.Join(r.dir, "redis")
	if err := os.Mkdir(redisDir, 0o700); err != nil {
		return err
	}
	s := r.service(Redis, []string{"redis-server", "--port", port, "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--dir", redisDir}, nil)
	s.execArgs = func(cmd []string) []string {
		if len(cmd) > 0 && cmd[0] == "redis-cli" {
			return append([]string{"redis-cli", "-p", port}, cmd[1:]...)
		}
		return cmd
	}
	return s.Start(ctx)
}

// startExporters runs the exporters the configuration turns on.
func (r *localRun) startExporters(ctx context.Context) error {
	// Debian's postgres_exporter 0.11 needs the pg_stat_user_tables queries
	// the newer exporter collects by itself (see postgres_exporter_queries.yaml).
	queries := filepath.Join(r.dir, "postgres_exporter_queries.yaml")
	if err := os.WriteFile(queries, PostgresExporterQueries, 0o644); err != nil {
		return err
	}
	extra := map[string][]string{
		PostgresExporter: {"PG_EXPORTER_EXTEND_QUERY_PATH=" + queries},
	}
	addr := map[string]string{
		PostgresExporter: r.env.PostgresURL,
		RedisExporter:    "redis://127.0.0.1:" + r.port(Redis),
	}
	for _, x := range exporters() {
		exp := x.exporter(r.env.Config.Exporters)
		if !exp.On() {
			continue
		}
		if err := r.startExporter(ctx, x, exp, append([]string{x.addrEnv + "=" + addr[x.name]}, extra[x.name]...)); err != nil {
			return err
		}
	}
	return nil
}

func (r *localRun) startExporter(ctx context.Context, x serviceSpec, exp config.Exporter, env []string) error {
	bin, err := exec.LookPath(exp.Binary)
	if err != nil {
		return fmt.Errorf("%w: local: %s not found (Debian: apt-get install %s, or disable stack.exporters in firedrill.yaml)", ErrUnavailable, exp.Binary, exp.Binary)
	}
	r.progress.say("starting %s on 127.0.0.1:%s", x.name, r.port(x.name))
	s := r.service(x.name, []string{bin, "--web.listen-address=127.0.0.1:" + r.port(x.name)}, env)
	if err := s.Start(ctx); err != nil {
		return err
	}
	r.env.addTarget(x)
	return nil
}

// startApp runs the configured command, or the demo app.
func (r *localRun) startApp(ctx context.Context) error {
	app := r.env.Config.App
	cmd := app.Command
	if len(cmd) == 0 {
		bin, err := r.demoappBinary(ctx, r.dir)
		if err != nil {
			return err
		}
		cmd = []string{bin}
	}
	port := r.env.hostPorts[App]
	appEnv, err := appEnvironment(app, r.env.AppDatabaseURL, r.env.RedisURL, port)
	if err != nil {
		return err
	}
	envList := make([]string, 0, len(appEnv))
	for k, v := range appEnv {
		envList = append(envList, k+"="+v)
	}
	sort.Strings(envList)
	r.progress.say("starting app on 127.0.0.1:%d", port)
	if err := r.service(App, cmd, envList).Start(ctx); err != nil {
		return err
	}
	r.env.addAppTarget()
	return nil
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
