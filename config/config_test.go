package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseOverDefaults(t *testing.T) {
	t.Parallel()
	c, err := Parse("firedrill.yaml", []byte(`
stack:
  provider: docker
  startup_timeout: 2 minutes
  postgres:
    max_connections: 40
  app:
    image: registry.example/shop:1.2
    port: 3000
    env:
      SHOP_DB: "{{.DatabaseURL}}"
`))
	require.NoError(t, err)
	assert.Equal(t, "docker", c.Stack.Provider)
	assert.Equal(t, 2*time.Minute, c.Stack.StartupTimeout.D())
	assert.Equal(t, 40, c.Stack.Postgres.MaxConnections)
	assert.Equal(t, "app", c.Stack.Postgres.Database, "unset keys keep their default")
	assert.Equal(t, 3000, c.Stack.App.Port)
	assert.Equal(t, "/health", c.Stack.App.HealthPath)
	assert.True(t, c.Stack.Exporters.Postgres.On())
}

func TestBadInputNamesFileLineAndKey(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		doc  string
		want []string
	}{
		"unknown key":  {"stack:\n  postgres:\n    max_conections: 40\n", []string{"firedrill.yaml:3:", `unknown key "max_conections"`}},
		"bad type":     {"stack:\n  app:\n    port: eighty\n", []string{"firedrill.yaml:3:", "eighty"}},
		"bad value":    {"stack:\n  provider: docker\n  postgres:\n    max_connections: 2\n", []string{"firedrill.yaml:4:", "stack.postgres.max_connections", "from 5 to 10000"}},
		"bad provider": {"stack:\n  provider: kubernetes\n", []string{"firedrill.yaml:2:", "stack.provider", `"kubernetes"`}},
		"bad duration": {"stack:\n  startup_timeout: soon\n", []string{"firedrill.yaml:2:", "soon"}},
		"bad path":     {"stack:\n  app:\n    health_path: health\n", []string{"firedrill.yaml:3:", "stack.app.health_path"}},
		"not yaml":     {"stack: [\n", []string{"firedrill.yaml:"}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("firedrill.yaml", []byte(tc.doc))
			require.Error(t, err)
			assert.True(t, errors.Is(err, ErrInvalid), "errors.Is(err, ErrInvalid): %v", err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestLoadAppliesEnvironmentOverrides(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "firedrill.yaml")
	require.NoError(t, os.WriteFile(path, []byte("stack:\n  redis:\n    image: redis:6\n"), 0o644))
	env := map[string]string{"FIREDRILL_REDIS_IMAGE": "firedrill/redis:7", "FIREDRILL_PROVIDER": "local"}
	c, err := Load(path, func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, "firedrill/redis:7", c.Stack.Redis.Image)
	assert.Equal(t, "local", c.Stack.Provider)

	env["FIREDRILL_PROVIDER"] = "nomad"
	_, err = Load(path, func(k string) string { return env[k] })
	require.ErrorIs(t, err, ErrInvalid)
	assert.Contains(t, err.Error(), "environment: stack.provider")

	_, err = Load(filepath.Join(t.TempDir(), "missing.yaml"), nil)
	require.Error(t, err)
}

// Every problem of the file in one pass, sorted by line, each naming its
// key in a sentence: no decoder's "cannot unmarshal !!str" and no Go type.
func TestEveryProblemInOnePass(t *testing.T) {
	t.Parallel()
	_, err := Parse("firedrill.yaml", []byte(`stack:
  provider: dockr
  postgres:
    max_connections: many
  bogus: 1
  app:
    image: [a, b]
targets:
  mttd: abc
  mtta: -5m
traffic:
  rate: fast
  mix: {content: heavy, checkout: 2}
clock:
  mode: warp
escalation:
  ack_timeout: [1m]
`))
	require.ErrorIs(t, err, ErrInvalid)
	assert.Equal(t, `invalid configuration: firedrill.yaml:2: stack.provider: must be auto, docker or local, not "dockr"
firedrill.yaml:4: stack.postgres.max_connections: "many" is not a whole number
firedrill.yaml:5: stack.bogus: unknown key "bogus" (known: provider, startup_timeout, postgres, redis, app, exporters)
firedrill.yaml:7: stack.app.image: want text, not a list
firedrill.yaml:9: targets.mttd: "abc" is not a duration (e.g. 5m or 2 minutes)
firedrill.yaml:10: targets.mtta: "-5m" is not a duration: negative
firedrill.yaml:12: traffic.rate: "fast" is not a number
firedrill.yaml:13: traffic.mix.checkout: unknown traffic endpoint "checkout" (want content, auth_status, login, webhook, health)
firedrill.yaml:13: traffic.mix.content: weight "heavy" is not a number
firedrill.yaml:15: clock.mode: must be compressed, paced or realtime, not "warp"
firedrill.yaml:17: escalation.ack_timeout: want a duration (e.g. 5m or 2 minutes), not a list`, err.Error())
	for _, raw := range []string{"cannot unmarshal", "!!", "config.", "time.Duration"} {
		assert.NotContains(t, err.Error(), raw)
	}
}

// Lines sort as numbers: line 10 comes after line 9.
func TestProblemsSortByLineNumber(t *testing.T) {
	t.Parallel()
	doc := strings.Repeat("\n", 8) + "clock:\n  mode: warp\nstack:\n  provider: nomad\n"
	_, err := Parse("f.yaml", []byte(doc))
	require.Error(t, err)
	assert.Regexp(t, `f\.yaml:10: clock\.mode.*\nf\.yaml:12: stack\.provider`, err.Error())
}
