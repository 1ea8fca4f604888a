// Built with -tags slow (make test-slow, CI after make test): a minute or
// more of real stacks, kept out of make test's 15-minute budget.

//go:build slow

package injectors

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/moby/moby/api/types/container"
	mobynet "github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/testcontainers/testcontainers-go"
	tcpostgres "github.com/testcontainers/testcontainers-go/modules/postgres"
	tcredis "github.com/testcontainers/testcontainers-go/modules/redis"
	"github.com/testcontainers/testcontainers-go/network"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/firedrill/firedrill/stack"
)

// decoys are a Postgres, a Redis and an app started outside firedrill,
// from the stack's own images, with the stack's credentials, on the
// stack's network: what a team's machine or a shared CI runner has
// beside a drill.
type decoys struct {
	pg, rd, app testcontainers.Container
	pgURL       string
	appURL      string
	// held are sessions the decoys' users keep open through the faults.
	session *pgx.Conn
	redis   *redis.Client
	pid     uint32
	client  int64
}

// loopback publishes the container's port on 127.0.0.1 only, on a port
// the daemon picks.
func loopback(port string) testcontainers.CustomizeRequestOption {
	return testcontainers.WithHostConfigModifier(func(hc *container.HostConfig) {
		hc.PortBindings = mobynet.PortMap{mobynet.MustParsePort(port): {{HostIP: netip.MustParseAddr("127.0.0.1")}}}
	})
}

func startDecoys(ctx context.Context, t *testing.T, env *stack.Env) *decoys {
	t.Helper()
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	require.NoError(t, err)
	defer cli.Close()
	nets, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: make(client.Filters).Add("label", stack.RunLabel+"="+env.RunID)})
	require.NoError(t, err)
	require.Len(t, nets.Items, 1, "the stack's network")
	nw := nets.Items[0].Name
	mark := testcontainers.WithLabels(map[string]string{"firedrill.test": "decoy"})
	pgc := env.Config.Postgres
	d := &decoys{}

	pg, err := tcpostgres.Run(ctx, pgc.Image, mark, network.WithNetworkName([]string{"decoy-postgres"}, nw), loopback("5432/tcp"),
		tcpostgres.WithDatabase(pgc.Database), tcpostgres.WithUsername(pgc.User), tcpostgres.WithPassword(pgc.Password),
		tcpostgres.BasicWaitStrategies())
	if pg != nil {
		d.pg = pg.Container
		testcontainers.CleanupContainer(t, pg.Container)
	}
	require.NoError(t, err)
	d.pgURL, err = pg.ConnectionString(ctx, "sslmode=disable")
	require.NoError(t, err)

	rd, err := tcredis.Run(ctx, env.Config.Redis.Image, mark, network.WithNetworkName([]string{"decoy-redis"}, nw), loopback("6379/tcp"))
	if rd != nil {
		d.rd = rd.Container
		testcontainers.CleanupContainer(t, rd.Container)
	}
	require.NoError(t, err)
	redisURL, err := rd.ConnectionString(ctx)
	require.NoError(t, err)

	app := env.Config.App
	d.app, err = testcontainers.Run(ctx, app.Image, mark, network.WithNetworkName([]string{"decoy-app"}, nw), loopback("8080/tcp"),
		testcontainers.WithExposedPorts("8080/tcp"),
		testcontainers.WithEnv(map[string]string{
			app.DatabaseURLEnv: fmt.Sprintf("postgres://%s:%s@decoy-postgres:5432/%s?sslmode=disable", pgc.User, pgc.Password, pgc.Database),
			app.RedisURLEnv:    "redis://decoy-redis:6379/0", app.PortEnv: "8080",
		}),
		testcontainers.WithWaitStrategyAndDeadline(2*time.Minute, wait.ForHTTP(app.HealthPath).WithPort("8080/tcp")))
	testcontainers.CleanupContainer(t, d.app)
	require.NoError(t, err)
	d.appURL, err = d.app.PortEndpoint(ctx, "8080/tcp", "http")
	require.NoError(t, err)

	// The decoys' own state: rows, keys, flags and secrets of their own,
	// and a session each that their users keep open.
	d.session, err = pgx.Connect(ctx, d.pgURL+"&application_name=decoy-user")
	require.NoError(t, err)
	t.Cleanup(func() { _ = d.session.Close(context.Background()) })
	_, err = d.session.Exec(ctx, `CREATE TABLE decoy_ledger (id int PRIMARY KEY, note text);
		INSERT INTO decoy_ledger SELECT i, 'decoy row ' || i FROM generate_series(1, 500) i`)
	require.NoError(t, err)
	require.NoError(t, d.session.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&d.pid))
	d.redis = redis.NewClient(&redis.Options{Addr: strings.TrimPrefix(redisURL, "redis://")})
	t.Cleanup(func() { _ = d.redis.Close() })
	for i := range 100 {
		require.NoError(t, d.redis.Set(ctx, fmt.Sprintf("decoy:key:%d", i), i, 0).Err())
	}
	// The key the traffic-surge fault would set on its own Redis.
	require.NoError(t, d.redis.Set(ctx, "ratelimit:global:limit", 1000, 0).Err())
	d.client, err = d.redis.ClientID(ctx).Result()
	require.NoError(t, err)
	code, err := call(ctx, http.MethodPost, d.appURL+"/admin/flags",
		`{"features":{"decoy_feature":true,"new_feature":false},"failure":{"percent":7,"endpoints":["/api/decoy"]}}`)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, code)
	return d
}

// decoyState is everything a fault must not change of the decoys.
type decoyState struct {
	Tables     map[string]string // table: row count and checksum
	Killed     int64             // pg_stat_database.sessions_killed of the decoy's database
	Settings   string            // non-default settings of the decoy server
	Keys       map[string]string // the decoy Redis' keys and values
	RedisRunID string
	Flags      string
	Secrets    string
	Version    string
	Containers map[string]string // state, start time and restart count of each
}

func (d *decoys) state(ctx context.Context, t *testing.T) decoyState {
	t.Helper()
	s := decoyState{Tables: map[string]string{}, Keys: map[string]string{}, Containers: map[string]string{}}
	// The held session still answers, as the same backend.
	var pid uint32
	require.NoError(t, d.session.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid), "the decoy's held session")
	require.Equal(t, d.pid, pid)
	rows, err := d.session.Query(ctx, `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`)
	require.NoError(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.Contains(t, tables, "decoy_ledger")
	for _, tbl := range tables {
		var sum string
		require.NoError(t, d.session.QueryRow(ctx, fmt.Sprintf(
			`SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, ',' ORDER BY t::text)), '') FROM %s t`,
			pgx.Identifier{tbl}.Sanitize())).Scan(&sum))
		s.Tables[tbl] = sum
	}
	require.NoError(t, d.session.QueryRow(ctx,
		`SELECT sessions_killed FROM pg_stat_database WHERE datname = current_database()`).Scan(&s.Killed))
	require.NoError(t, d.session.QueryRow(ctx,
		`SELECT string_agg(name || '=' || setting, ',' ORDER BY name) FROM pg_settings WHERE source NOT IN ('default', 'override', 'client', 'session')`).Scan(&s.Settings))

	id, err := d.redis.ClientID(ctx).Result()
	require.NoError(t, err, "the decoy Redis' held connection")
	require.Equal(t, d.client, id, "the same connection, never dropped")
	keys, err := d.redis.Keys(ctx, "*").Result()
	require.NoError(t, err)
	sort.Strings(keys)
	for _, k := range keys {
		if strings.HasPrefix(k, "decoy:") || strings.HasPrefix(k, "ratelimit:global") || strings.HasPrefix(k, "security:") {
			s.Keys[k] = d.redis.Get(ctx, k).Val()
		}
	}
	info, err := d.redis.Info(ctx, "server").Result()
	require.NoError(t, err)
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, "run_id:"); ok {
			s.RedisRunID = v
		}
	}

	get := func(path string) string {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.appURL+path, nil)
		require.NoError(t, err)
		resp, err := httpClient.Do(req)
		require.NoError(t, err, "the decoy app answers %s", path)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s: %s", path, b)
		return string(b)
	}
	s.Flags = get("/admin/flags")
	s.Secrets = get("/admin/webhook-secret") + get("/admin/token-secret")
	s.Version = get("/version")
	get("/health")

	for name, c := range map[string]testcontainers.Container{"postgres": d.pg, "redis": d.rd, "app": d.app} {
		in, err := c.Inspect(ctx)
		require.NoError(t, err)
		require.True(t, in.State.Running && !in.State.Paused, "decoy %s runs, unpaused", name)
		s.Containers[name] = fmt.Sprintf("%s started %s restarts %d", in.State.Status, in.State.StartedAt, in.RestartCount)
	}
	return s
}

// Blast radius: every shipped fault, in every mode that takes a service
// down, injected and recovered on a firedrill stack with decoys beside it
// (same images, same credentials, same network, a Postgres, a Redis and
// an app of their own): the decoys' sessions, rows, settings, keys, flags,
// secrets and containers are exactly as before, after each fault.
func TestFaultsLeaveDecoysUntouched(t *testing.T) {
	env, ctx := startStack(t)
	d := startDecoys(ctx, t, env)
	want := d.state(ctx, t)

	type run struct {
		fault  string
		params map[string]string
	}
	var runs []run
	for _, name := range Names() {
		f, err := Lookup(name)
		require.NoError(t, err)
		modes := []string{""}
		for _, p := range f.Params {
			if p.Name == "mode" {
				modes = p.Enum
			}
		}
		for _, m := range modes {
			var params map[string]string
			if m != "" {
				params = map[string]string{"mode": m}
			}
			runs = append(runs, run{name, params})
		}
	}
	target := Target{Env: env, Rate: 20}
	for _, r := range runs {
		t.Run(fmt.Sprintf("%s %v", r.fault, r.params), func(t *testing.T) {
			inj, err := New(r.fault, r.params)
			require.NoError(t, err)
			defer func() {
				require.NoError(t, inj.Recover(ctx, target), "recover")
				require.NoError(t, env.Reset(ctx), "reset the stack for the next fault")
				assert.Equal(t, want, d.state(ctx, t), "the decoys after %s", r.fault)
			}()
			require.NoError(t, inj.Inject(ctx, target), "inject")
			if tk, ok := inj.(Ticker); ok {
				require.NoError(t, tk.Tick(ctx, target, time.Now(), 2*time.Second))
			}
		})
	}
}
