package stack

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Making the docker provider, or selecting the local one, must not change
// the process's environment: only talking to Docker does.
func TestNewDockerLeavesTheEnvironmentAlone(t *testing.T) {
	for _, k := range []string{"TESTCONTAINERS_RYUK_DISABLED", "TESTCONTAINERS_HOST_OVERRIDE", "DOCKER_HOST"} {
		t.Setenv(k, "")
		require.NoError(t, os.Unsetenv(k))
	}
	_ = NewDocker(NewRunID(), nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _ = Select(ctx, "local", NewRunID(), nil)
	for _, k := range []string{"TESTCONTAINERS_RYUK_DISABLED", "TESTCONTAINERS_HOST_OVERRIDE"} {
		_, set := os.LookupEnv(k)
		assert.False(t, set, "%s set by constructing a provider", k)
	}

	// Asking Docker whether it runs is talking to it.
	_ = NewDocker(NewRunID(), nil).Available(ctx)
	assert.Equal(t, "true", os.Getenv("TESTCONTAINERS_RYUK_DISABLED"))
	assert.Equal(t, "127.0.0.1", os.Getenv("TESTCONTAINERS_HOST_OVERRIDE"))
}
