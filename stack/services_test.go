package stack

import (
	"fmt"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/config"
)

// The service table gives every service its own loopback port, and the
// scraped targets the job and instance labels rules match on, whichever
// provider runs them.
func TestServiceTableWiresPortsAndTargets(t *testing.T) {
	t.Parallel()
	env := &Env{Config: config.Default().Stack}
	require.NoError(t, wireHost(env))
	seen := map[int]string{}
	for _, s := range services {
		p := env.hostPorts[s.name]
		require.NotZero(t, p, s.name)
		require.NotContains(t, seen, p, "%s and %s share a port", s.name, seen[p])
		seen[p] = s.name
	}
	assert.Equal(t, fmt.Sprintf("http://127.0.0.1:%d", env.hostPorts[App]), env.AppURL)
	assert.Equal(t, fmt.Sprintf("redis://127.0.0.1:%d/0", env.hostPorts[Redis]), env.RedisURL)
	assert.Contains(t, env.PostgresURL, fmt.Sprintf("@127.0.0.1:%d/", env.hostPorts[Postgres]))
	// The app logs in as its own role, with a password of the run's.
	assert.Contains(t, env.AppDatabaseURL, fmt.Sprintf("postgres://app:%s@127.0.0.1:%d/app?", env.appLogin.password, env.hostPorts[Postgres]))
	assert.Len(t, env.appLogin.password, 48)

	for _, x := range exporters() {
		env.addTarget(x)
	}
	env.addAppTarget()
	metrics := func(name string) string { return fmt.Sprintf("http://127.0.0.1:%d/metrics", env.hostPorts[name]) }
	assert.Equal(t, []MetricsTarget{
		{Job: "app", Instance: "app:" + strconv.Itoa(env.Config.App.Port), URL: env.AppURL + env.Config.App.MetricsPath},
		{Job: "postgres", Instance: "postgres-exporter:9187", URL: metrics(PostgresExporter), UpMetric: "pg_up"},
		{Job: "redis", Instance: "redis-exporter:9121", URL: metrics(RedisExporter), UpMetric: "redis_up"},
	}, env.Targets)
}
