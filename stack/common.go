package stack

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"text/template"

	"github.com/jackc/pgx/v5"
	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/logging"

	"github.com/firedrill/firedrill/config"
)

// go-redis writes each failed dial to stderr itself. The drill's probes,
// pings and playbook steps get the same errors as values and report them
// where they belong; the library's own lines would only interleave with a
// run's progress while Redis is down (every tick of the cache-loss drill).
func init() { logging.Disable() }

// freePorts reserves n distinct free TCP ports on 127.0.0.1. They are free
// when returned; a service binds them right after.
func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	var held []net.Listener
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("find a free port: %w", err)
		}
		held = append(held, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}

func pingPostgres(ctx context.Context, url string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	return conn.Ping(ctx)
}

func pingRedis(ctx context.Context, url string) error {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return err
	}
	c := redis.NewClient(opt)
	defer c.Close()
	return c.Ping(ctx).Err()
}

// httpAnswers succeeds on any HTTP answer: the server is up, healthy or not.
func httpAnswers(ctx context.Context, u string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// appEnvironment is the app's environment: its wiring variables, then the
// configured extras with their templates filled in.
func appEnvironment(app config.App, databaseURL, redisURL string, port int) (map[string]string, error) {
	env := map[string]string{
		app.DatabaseURLEnv: databaseURL,
		app.RedisURLEnv:    redisURL,
		app.PortEnv:        strconv.Itoa(port),
	}
	data := map[string]any{"DatabaseURL": databaseURL, "RedisURL": redisURL, "Port": port}
	for k, v := range app.Env {
		t, err := template.New(k).Option("missingkey=error").Parse(v)
		if err != nil {
			return nil, fmt.Errorf("stack.app.env.%s: %w", k, err)
		}
		var b bytes.Buffer
		if err := t.Execute(&b, data); err != nil {
			return nil, fmt.Errorf("stack.app.env.%s: %w", k, err)
		}
		env[k] = b.String()
	}
	return env, nil
}

func connectAdmin(ctx context.Context, url string) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	return conn, nil
}

func quoteIdent(s string) string { return pgx.Identifier{s}.Sanitize() }
