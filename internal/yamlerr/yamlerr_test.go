package yamlerr

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"
)

func TestProblemNamesTheKeyInASentence(t *testing.T) {
	t.Parallel()
	var root yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte("a:\n  b: x\n  c: [1]\n  d: {e: 1, f: two}\n"), &root))
	ix := NewIndex(&root)
	known := func(typ string) []string {
		if typ == "pkg.A" {
			return []string{"b", "c"}
		}
		return nil
	}
	for msg, want := range map[string]Problem{
		"line 2: cannot unmarshal !!str `x` into int":    {2, "a.b", `"x" is not a whole number`},
		"line 3: cannot unmarshal !!seq into string":     {3, "a.c", "want text, not a list"},
		"line 4: cannot unmarshal !!str `two` into bool": {4, "a.d.f", `"two" is not true or false`},
		"line 4: field d not found in type pkg.A":        {4, "a.d", `unknown key "d" (known: b, c)`},
		"line 2: cannot unmarshal !!str `x` into pkg.A":  {2, "a.b", `"x" is not a mapping (key: value lines)`},
		"line 2: cannot unmarshal !!str `x` into x.Mode": {2, "a.b", `"x" is not a mode`},
		"something else": {0, "", "something else"},
	} {
		assert.Equal(t, want, ix.Problem(msg, known), msg)
	}
}

// An alias that holds itself is not followed.
func TestIndexStopsAtAliases(t *testing.T) {
	t.Parallel()
	var root yaml.Node
	require.NoError(t, yaml.Unmarshal([]byte("a: &x\n  b: *x\n"), &root))
	assert.NotNil(t, NewIndex(&root))
}
