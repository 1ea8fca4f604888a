package stack

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/moby/moby/api/types/container"
	mobynet "github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
	tcpostgres "github.com/testcontainers/testcontainers-go/modules/postgres"
	tcredis "github.com/testcontainers/testcontainers-go/modules/redis"
	"github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/firedrill/firedrill/config"
)

// Docker is the provider that runs the stack in containers through
// testcontainers-go, all on one network of their own, each service published
// on a fixed port of 127.0.0.1 so that its address survives a restart.
type Docker struct {
	runID    string
	progress Progress
}

// NewDocker returns the Docker provider for one run. It changes nothing
// until used: the provider may not be (auto falls back to local).
func NewDocker(runID string, progress Progress) *Docker {
	return &Docker{runID: runID, progress: progress}
}

// configureTestcontainers sets two testcontainers defaults in the process
// environment, unless the user set them. testcontainers reads them once, so
// everything that talks to Docker through it (Available, Start,
// FindLeftovers) calls this first, and nothing that does not:
//   - TESTCONTAINERS_HOST_OVERRIDE=127.0.0.1 when the Docker socket is local,
//     or testcontainers may guess the default gateway as the Docker host, and
//     nothing may ever be sent to an address outside this machine;
//   - TESTCONTAINERS_RYUK_DISABLED=true: the reaper image must be pulled,
//     which hosts without a registry cannot do; firedrill labels everything
//     it starts and removes it itself (Env.Close, `firedrill cleanup`).
func configureTestcontainers() {
	host := os.Getenv("DOCKER_HOST")
	if os.Getenv("TESTCONTAINERS_HOST_OVERRIDE") == "" && (host == "" || strings.HasPrefix(host, "unix://")) {
		os.Setenv("TESTCONTAINERS_HOST_OVERRIDE", "127.0.0.1")
	}
	if os.Getenv("TESTCONTAINERS_RYUK_DISABLED") == "" {
		os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
	}
	// firedrill reports progress itself; FIREDRILL_DEBUG shows testcontainers' log.
	if os.Getenv("FIREDRILL_DEBUG") == "" {
		tclog.SetDefault(tclog.NewNoopLogger())
	}
}

// Name is "docker".
func (d *Docker) Name() string { return "docker" }

// Available pings the Docker daemon.
func (d *Docker) Available(ctx context.Context) error {
	configureTestcontainers()
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := pingDocker(ctx); err != nil {
		return fmt.Errorf("%w: docker: no daemon answers (%v); install Docker (Debian: apt-get install docker.io) and start dockerd", ErrUnavailable, err)
	}
	return nil
}

func pingDocker(ctx context.Context) (err error) {
	// A DOCKER_HOST the user set is the daemon they asked for: do not let
	// testcontainers fall back to another socket when it does not answer.
	if host := os.Getenv("DOCKER_HOST"); host != "" {
		cli, err := client.New(client.WithHost(host), client.WithAPIVersionNegotiation())
		if err != nil {
			return err
		}
		defer cli.Close()
		if _, err := cli.Ping(ctx, client.PingOptions{}); err != nil {
			return fmt.Errorf("DOCKER_HOST=%s: %w", host, err)
		}
	}
	// testcontainers panics rather than erring on some malformed hosts.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return err
	}
	defer cli.Close()
	_, err = cli.Ping(ctx, client.PingOptions{})
	return err
}

// Start runs Postgres, Redis, the exporters and the app, in that order, and
// returns once the app is healthy and the seeded database is snapshotted.
func (d *Docker) Start(ctx context.Context, cfg config.Stack) (*Env, error) {
	env := &Env{RunID: d.runID, Provider: d.Name(), Config: cfg, serviceTempDir: containerTempDir}
	if err := d.start(ctx, env); err != nil {
		return env, fmt.Errorf("start docker stack: %w", err)
	}
	return env, nil
}

// dockerRun is one Start of the docker provider: the stack's network and
// the client its services' controls share.
type dockerRun struct {
	*Docker
	env     *Env
	cli     *testcontainers.DockerClient
	nw      *testcontainers.DockerNetwork
	timeout time.Duration
}

func (d *Docker) start(ctx context.Context, env *Env) error {
	r, err := d.prepare(ctx, env)
	if err != nil {
		return err
	}
	for _, step := range []func(context.Context) error{r.startPostgres, env.createAppLogin, r.startRedis, r.startExporters, r.startApp} {
		if err := step(ctx); err != nil {
			return err
		}
	}
	return finishStart(ctx, env, d.progress)
}

// prepare opens the client, creates the run's network and reserves the
// ports.
func (d *Docker) prepare(ctx context.Context, env *Env) (*dockerRun, error) {
	configureTestcontainers()
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return nil, fmt.Errorf("docker client: %w", err)
	}
	env.onClose(func(context.Context) error { return cli.Close() })
	d.progress.say("creating network")
	nw, err := network.New(ctx, network.WithLabels(map[string]string{RunLabel: d.runID, OwnerLabel: owner()}))
	if err != nil {
		return nil, fmt.Errorf("network: %w", err)
	}
	env.onClose(func(ctx context.Context) error { return nw.Remove(ctx) })
	// Run after the tracked containers' Terminate, before the network goes.
	env.onClose(func(ctx context.Context) error { return sweepContainers(ctx, cli, d.runID) })
	if err := wireHost(env); err != nil {
		return nil, err
	}
	r := &dockerRun{Docker: d, env: env, cli: cli, nw: nw, timeout: env.Config.StartupTimeout.D()}
	env.gone = r.dockerGone
	return r, nil
}

// sweepContainers removes the run's containers that no handle tracks: one
// whose create a Ctrl-C cancelled on this side while the daemon went on to
// make it (seen by make soak: a SIGINT 2 s into a run left a container).
func sweepContainers(ctx context.Context, cli *testcontainers.DockerClient, runID string) error {
	f := make(client.Filters).Add("label", RunLabel+"="+runID)
	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return fmt.Errorf("list the run's containers: %w", err)
	}
	var errs []error
	for _, c := range cs.Items {
		_, err := cli.ContainerRemove(ctx, c.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true})
		if err = ignoreNotFound(err); err != nil {
			errs = append(errs, fmt.Errorf("remove container %.12s: %w", c.ID, err))
		}
	}
	return errors.Join(errs...)
}

// inNetwork are the addresses of Postgres and Redis on the run's network,
// as the exporters (pgURL: the stack's own login) and the app (appURL: its
// login) reach them.
func (r *dockerRun) inNetwork() (pgURL, appURL, redisURL string) {
	pg := r.env.Config.Postgres
	addr := Postgres + ":" + strconv.Itoa(spec(Postgres).port)
	return postgresURL(addr, pg.User, pg.Password, pg.Database), r.env.appLogin.url(addr, pg.Database),
		fmt.Sprintf("redis://%s:%d/0", Redis, spec(Redis).port)
}

// common are the options of every container: the network, the run's
// labels and name, and the service's port published on 127.0.0.1.
func (r *dockerRun) common(service string, containerPort int) []testcontainers.ContainerCustomizer {
	return []testcontainers.ContainerCustomizer{
		network.WithNetwork([]string{service}, r.nw),
		testcontainers.WithLabels(map[string]string{RunLabel: r.runID, OwnerLabel: owner(), "firedrill.service": service}),
		testcontainers.WithName("firedrill-" + r.runID + "-" + service),
		bindLoopback(tcpPort(containerPort), r.env.hostPorts[service]),
	}
}

func tcpPort(p int) string { return strconv.Itoa(p) + "/tcp" }

// track has Close terminate c, which a failed run may return half made
// and someone else may have removed already.
func (r *dockerRun) track(c testcontainers.Container) {
	if c != nil {
		r.env.onClose(func(ctx context.Context) error { return ignoreNotFound(c.Terminate(ctx)) })
	}
}

// control registers the table's service name, run in c.
func (r *dockerRun) control(name string, c testcontainers.Container) {
	r.env.addService(&dockerService{name: name, run: r.runID, c: c, cli: r.cli, ready: spec(name).readiness(r.env)})
}

func (r *dockerRun) startPostgres(ctx context.Context) error {
	pg := r.env.Config.Postgres
	r.progress.say("starting postgres (%s)", pg.Image)
	c, err := tcpostgres.Run(ctx, pg.Image, append(r.common(Postgres, spec(Postgres).port),
		tcpostgres.WithDatabase(pg.Database), tcpostgres.WithUsername(pg.User), tcpostgres.WithPassword(pg.Password),
		testcontainers.WithCmdArgs("-c", "max_connections="+strconv.Itoa(pg.MaxConnections)),
		tcpostgres.BasicWaitStrategies(),
		testcontainers.WithAdditionalWaitStrategyAndDeadline(r.timeout))...)
	if c != nil {
		r.track(c.Container)
	}
	if err != nil {
		return imageHint(ctx, r.cli, pg.Image, err)
	}
	r.control(Postgres, c.Container)
	return nil
}

func (r *dockerRun) startRedis(ctx context.Context) error {
	image := r.env.Config.Redis.Image
	r.progress.say("starting redis (%s)", image)
	c, err := tcredis.Run(ctx, image, append(r.common(Redis, spec(Redis).port),
		testcontainers.WithCmdArgs("--save", "", "--appendonly", "no"))...)
	if c != nil {
		r.track(c.Container)
	}
	if err != nil {
		return imageHint(ctx, r.cli, image, err)
	}
	r.control(Redis, c.Container)
	return nil
}

// startExporters runs the exporters the configuration turns on.
func (r *dockerRun) startExporters(ctx context.Context) error {
	pgURL, _, redisURL := r.inNetwork()
	addr := map[string]string{PostgresExporter: pgURL, RedisExporter: redisURL}
	for _, x := range exporters() {
		exp := x.exporter(r.env.Config.Exporters)
		if !exp.On() {
			continue
		}
		r.progress.say("starting %s (%s)", x.name, exp.Image)
		port := tcpPort(x.port)
		c, err := testcontainers.Run(ctx, exp.Image, append(r.common(x.name, x.port),
			testcontainers.WithExposedPorts(port),
			testcontainers.WithEnv(map[string]string{x.addrEnv: addr[x.name]}),
			testcontainers.WithWaitStrategyAndDeadline(r.timeout, wait.ForHTTP("/metrics").WithPort(port)))...)
		r.track(c)
		if err != nil {
			return imageHint(ctx, r.cli, exp.Image, err)
		}
		r.control(x.name, c)
		r.env.addTarget(x)
	}
	return nil
}

func (r *dockerRun) startApp(ctx context.Context) error {
	app := r.env.Config.App
	_, appURL, redisURL := r.inNetwork()
	appEnv, err := appEnvironment(app, appURL, redisURL, app.Port)
	if err != nil {
		return err
	}
	port := tcpPort(app.Port)
	r.progress.say("starting app (%s)", app.Image)
	c, err := testcontainers.Run(ctx, app.Image, append(r.common(App, app.Port),
		testcontainers.WithExposedPorts(port),
		testcontainers.WithEnv(appEnv),
		// Any answer means the server is up; Start waits for health after.
		testcontainers.WithWaitStrategyAndDeadline(r.timeout, wait.ForHTTP(app.HealthPath).
			WithPort(port).WithStatusCodeMatcher(func(int) bool { return true })))...)
	r.track(c)
	if err != nil {
		return imageHint(ctx, r.cli, app.Image, err)
	}
	r.control(App, c)
	r.env.addAppTarget()
	return nil
}

// finishStart is the part of a start both providers share: clients, health,
// and the snapshot Reset copies from.
func finishStart(ctx context.Context, env *Env, progress Progress) error {
	if err := env.connectClients(ctx); err != nil {
		return err
	}
	progress.say("waiting for the app to be healthy")
	if err := env.WaitHealthy(ctx, env.Config.StartupTimeout.D()); err != nil {
		return fmt.Errorf("app health: %w", err)
	}
	if err := env.snapshot(ctx); err != nil {
		return fmt.Errorf("snapshot seeded database: %w", err)
	}
	if err := env.WaitHealthy(ctx, env.Config.StartupTimeout.D()); err != nil {
		return fmt.Errorf("app health: %w", err)
	}
	return env.waitExporters(ctx, env.Config.StartupTimeout.D())
}

// imageHint adds what to do when an image is neither here nor pullable: a
// host environment problem, with the stand-ins it has, if any.
func imageHint(ctx context.Context, cli *testcontainers.DockerClient, image string, err error) error {
	msg := err.Error()
	if strings.Contains(msg, "pull") || strings.Contains(msg, "registry") || strings.Contains(msg, "No such image") || strings.Contains(msg, "not found") {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		have, _ := localStandIns(lctx, cli) // without them, the advice is to build them
		return fmt.Errorf("%w: %w (image %s is not on this host and could not be pulled; %s)", ErrUnavailable, err, image, standInAdvice(have))
	}
	return err
}

func bindLoopback(containerPort string, hostPort int) testcontainers.CustomizeRequestOption {
	return testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
		hc.PortBindings = mobynet.PortMap{
			mobynet.MustParsePort(containerPort): {{HostIP: netip.MustParseAddr("127.0.0.1"), HostPort: strconv.Itoa(hostPort)}},
		}
	})
}
