package scenarios

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every scenario of the shipped drills falls to exactly one shard, the
// same one every time, whatever N.
func TestShardsPartitionTheScenarios(t *testing.T) {
	t.Parallel()
	all, err := Locate([]string{"../features"})
	require.NoError(t, err)
	require.Greater(t, len(all), 8)
	for n := 1; n <= 5; n++ {
		seen := map[string]int{}
		for k := 1; k <= n; k++ {
			shard := Shard(all, k, n, nil)
			assert.Equal(t, shard, Shard(all, k, n, nil), "deterministic")
			for _, l := range shard {
				seen[l.Path()]++
			}
			// By count: shards differ by at most one scenario.
			assert.InDelta(t, float64(len(all))/float64(n), len(shard), 1, "shard %d/%d", k, n)
		}
		require.Len(t, seen, len(all), "n=%d: every scenario runs", n)
		for p, c := range seen {
			assert.Equal(t, 1, c, "n=%d: %s runs once", n, p)
		}
	}
}

// With the drill times of a previous run, shards balance by time: the
// longest-first greedy split keeps the heaviest and lightest shard within
// one scenario's weight of each other.
func TestShardsBalanceByDrillTime(t *testing.T) {
	t.Parallel()
	all := []Located{
		{File: "a.feature", Line: 3, Feature: "a.feature", Scenario: "long"},
		{File: "a.feature", Line: 9, Feature: "a.feature", Scenario: "short 1"},
		{File: "b.feature", Line: 3, Feature: "b.feature", Scenario: "short 2"},
		{File: "b.feature", Line: 9, Feature: "b.feature", Scenario: "short 3"},
		{File: "c.feature", Line: 3, Feature: "c.feature", Scenario: "unknown"},
	}
	weights := map[string]float64{
		WeightKey("a.feature", "long"): 2400, WeightKey("a.feature", "short 1"): 300,
		WeightKey("b.feature", "short 2"): 300, WeightKey("b.feature", "short 3"): 600,
	}
	one, two := Shard(all, 1, 2, weights), Shard(all, 2, 2, weights)
	assert.Equal(t, []Located{all[0]}, one, "the 40-minute drill alone")
	assert.Len(t, two, 4, "the rest, the unknown one weighing the mean (900)")
}

func TestParseShard(t *testing.T) {
	t.Parallel()
	k, n, err := ParseShard("2/4")
	require.NoError(t, err)
	assert.Equal(t, [2]int{2, 4}, [2]int{k, n})
	for _, bad := range []string{"", "2", "0/3", "4/3", "a/b", "1/0"} {
		_, _, err := ParseShard(bad)
		assert.Error(t, err, bad)
	}
}
