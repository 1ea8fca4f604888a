package a

import "testing"

func TestDockerStack(t *testing.T) {
	t.Log("stacktest: provider docker")
	t.Log("some progress")
}

func TestLocalStack(t *testing.T) { t.Log("stacktest: provider local") }

func TestPlain(t *testing.T) {
	t.Run("sub", func(t *testing.T) { t.Log("quiet") })
}

func TestParallelOne(t *testing.T) { t.Parallel(); t.Log("stacktest: provider docker") }
func TestParallelTwo(t *testing.T) { t.Parallel() }
