package stack

import (
	"context"
	"fmt"
	"net/url"
	"strconv"

	"github.com/firedrill/firedrill/config"
)

// serviceSpec is one row of the stack's service table: what both providers
// need to know to publish a service, wait for it and scrape it. How each
// provider runs it (a container, a process) stays with the provider.
type serviceSpec struct {
	name string
	// port is where the service listens in its container; the app's is
	// stack.app.port. Exporters also name their instance label by it.
	port int
	// ready reports whether the service answers, for Start, Unpause and
	// Reset to wait on.
	ready func(ctx context.Context, e *Env) error

	// Exporters only: the configuration that turns the exporter on, the
	// job of its metrics, its "can I reach my service" gauge, and the
	// variable it reads its service's address from.
	exporter func(config.Exporters) config.Exporter
	job      string
	up       string
	addrEnv  string
}

// services is the service table, in start order.
var services = []serviceSpec{
	{name: Postgres, port: 5432, ready: func(ctx context.Context, e *Env) error { return pingPostgres(ctx, e.AdminURL()) }},
	{name: Redis, port: 6379, ready: func(ctx context.Context, e *Env) error { return pingRedis(ctx, e.RedisURL) }},
	{
		name: PostgresExporter, port: 9187, ready: exporterReady(PostgresExporter),
		exporter: func(x config.Exporters) config.Exporter { return x.Postgres },
		job:      "postgres", up: "pg_up", addrEnv: "DATA_SOURCE_NAME",
	},
	{
		name: RedisExporter, port: 9121, ready: exporterReady(RedisExporter),
		exporter: func(x config.Exporters) config.Exporter { return x.Redis },
		job:      "redis", up: "redis_up", addrEnv: "REDIS_ADDR",
	},
	// Any answer means the server is up; Start waits for health after.
	{name: App, ready: func(ctx context.Context, e *Env) error { return httpAnswers(ctx, e.AppURL+e.Config.App.HealthPath) }},
}

// spec is the named row of the service table.
func spec(name string) serviceSpec {
	for _, s := range services {
		if s.name == name {
			return s
		}
	}
	panic("stack: no service " + name)
}

// exporters are the exporter rows of the service table.
func exporters() []serviceSpec {
	var out []serviceSpec
	for _, s := range services {
		if s.exporter != nil {
			out = append(out, s)
		}
	}
	return out
}

func exporterReady(name string) func(context.Context, *Env) error {
	return func(ctx context.Context, e *Env) error { return httpOK(ctx, e.metricsURL(name)) }
}

// readiness is s's ready check on e, as a service's control keeps it.
func (s serviceSpec) readiness(e *Env) func(context.Context) error {
	return func(ctx context.Context) error { return s.ready(ctx, e) }
}

// metricsURL is where an exporter's metrics are reached from this host.
func (e *Env) metricsURL(name string) string {
	return fmt.Sprintf("http://127.0.0.1:%d/metrics", e.hostPorts[name])
}

// addTarget adds exporter s to the scraped targets, with the job and
// instance labels it has whichever provider runs it.
func (e *Env) addTarget(s serviceSpec) {
	e.Targets = append(e.Targets, MetricsTarget{Job: s.job, Instance: s.name + ":" + strconv.Itoa(s.port), URL: e.metricsURL(s.name), UpMetric: s.up})
}

// addAppTarget puts the app first among the scraped targets.
func (e *Env) addAppTarget() {
	app := e.Config.App
	t := MetricsTarget{Job: "app", Instance: App + ":" + strconv.Itoa(app.Port), URL: e.AppURL + app.MetricsPath}
	e.Targets = append([]MetricsTarget{t}, e.Targets...)
}

// wireHost reserves a loopback port for each service of the table and sets
// the Env's URLs from them, as both providers publish every service on
// 127.0.0.1.
func wireHost(env *Env) error {
	ports, err := freePorts(len(services))
	if err != nil {
		return err
	}
	env.hostPorts = map[string]int{}
	for i, s := range services {
		env.hostPorts[s.name] = ports[i]
	}
	pg := env.Config.Postgres
	hostAddr := "127.0.0.1:" + strconv.Itoa(env.hostPorts[Postgres])
	env.PostgresURL = postgresURL(hostAddr, pg.User, pg.Password, pg.Database)
	env.appLogin = appLogin{user: pg.User, password: pg.Password}
	if pg.AppUser != "" {
		env.appLogin = appLogin{user: pg.AppUser, password: newPassword(), own: true}
	}
	env.AppDatabaseURL = env.appLogin.url(hostAddr, pg.Database)
	env.RedisURL = fmt.Sprintf("redis://127.0.0.1:%d/0", env.hostPorts[Redis])
	env.AppURL = fmt.Sprintf("http://127.0.0.1:%d", env.hostPorts[App])
	return nil
}

// postgresURL is a URL of database db at addr (host:port), logging in as
// user.
func postgresURL(addr, user, password, db string) string {
	u := url.URL{Scheme: "postgres", User: url.UserPassword(user, password), Host: addr, Path: "/" + db, RawQuery: "sslmode=disable"}
	return u.String()
}
