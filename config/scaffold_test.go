package config

import (
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// scaffoldConfig is a configuration with every kind of value set, as
// `firedrill init` renders one.
func scaffoldConfig() Config {
	c := Default()
	on := true
	c.Stack.Exporters.Postgres.Enabled, c.Stack.Exporters.Redis.Enabled = &on, &on
	// Empty, not nil: the file shows [] and {}, which read back empty.
	c.Stack.App.Command, c.Stack.App.Env, c.Traffic.Requests = []string{}, map[string]string{}, []Request{}
	c.Targets = Targets{MTTD: Duration(5 * time.Minute), MTTA: Duration(15 * time.Minute), MTTR: Duration(time.Hour),
		Drill: DrillTargets{Alert: Duration(2 * time.Minute), Ack: Duration(5 * time.Minute), Diagnosis: Duration(15 * time.Minute),
			Mitigation: Duration(20 * time.Minute), Restored: Duration(90 * time.Second)},
		GameDay: GameDayTargets{FirstUpdate: Duration(15 * time.Minute), FirstNotice: Duration(15 * time.Minute), UpdateEvery: Duration(30 * time.Minute)}}
	return c
}

// uncomment removes what Commented adds: the leading "# " of each line.
func uncomment(doc []byte) []byte {
	var out []string
	for _, l := range strings.Split(string(doc), "\n") {
		out = append(out, strings.TrimPrefix(strings.TrimPrefix(l, "#"), " "))
	}
	return []byte(strings.Join(out, "\n"))
}

func TestCommentedLoadsAsTheDefaultsAndUncommentedAsItsConfig(t *testing.T) {
	t.Parallel()
	c := scaffoldConfig()
	doc, err := Commented(c)
	require.NoError(t, err)
	path := t.TempDir() + "/firedrill.yaml"
	require.NoError(t, os.WriteFile(path, doc, 0o644))
	got, err := Load(path, nil)
	require.NoError(t, err)
	assert.Equal(t, Default(), got, "every key is commented out")

	back, err := Parse("uncommented", uncomment(doc))
	require.NoError(t, err, "%s", uncomment(doc))
	assert.Equal(t, c, back, "uncommented, the file says every value it shows")
}

func TestEveryKeyIsExplained(t *testing.T) {
	t.Parallel()
	doc, err := Commented(scaffoldConfig())
	require.NoError(t, err)
	keys := Keys()
	sort.Strings(keys)
	for _, k := range keys {
		help := keyHelp[k]
		if assert.NotEmpty(t, help, "keyHelp has no help for %s", k) {
			last := k[strings.LastIndexByte(k, '.')+1:]
			assert.True(t, strings.Contains(string(doc), last+":"), "the file shows %s", k)
			assert.True(t, strings.Contains(string(doc), "# "+help), "the file explains %s", k)
		}
	}
	for k := range keyHelp {
		assert.Contains(t, keys, k, "keyHelp explains %s, which is not a key", k)
	}
}
