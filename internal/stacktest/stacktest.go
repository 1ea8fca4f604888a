// Package stacktest starts a real drill stack for tests: the provider a test
// asks for, with this host's images and binaries, torn down (and checked for
// leftovers) when the test ends. A provider that cannot run here fails the
// test under CI (CI=true) and skips it, saying why, elsewhere.
package stacktest

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/stack"
)

// Config is the configuration tests run with: defaults, overridden by this
// host's FIREDRILL_* variables (the Makefile points them at the stand-in
// images), with a small seed so starts stay quick.
func Config(t testing.TB) config.Config {
	t.Helper()
	cfg, err := config.Load("", os.Getenv)
	require.NoError(t, err)
	return cfg
}

// The lines a test logs through this package, which `make test`'s summary
// (internal/cmd/testsummary) counts: every test that needs a stack asks
// for it here, so none can skip, or pass without one, unseen.
const (
	// MarkerProvider starts the line of a test that runs against a real
	// provider, followed by its name (docker or local).
	MarkerProvider = "stacktest: provider "
	// MarkerUnavailable starts the reason of a test skipped (or, under CI,
	// failed) because its provider cannot run on this host.
	MarkerUnavailable = "stacktest: unavailable: "
)

// Provider returns the named provider, or skips (fails under CI) when it
// cannot run on this host. Tests that start the stack some other way (the
// CLI, godog) call it first, so that they skip and are counted the same.
func Provider(t testing.TB, name string) stack.Stack {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	p, err := stack.Select(ctx, name, stack.NewRunID(), func(f string, a ...any) { t.Logf(f, a...) })
	if errors.Is(err, stack.ErrUnavailable) {
		if os.Getenv("CI") != "" {
			t.Fatalf("%sprovider %s must run in CI: %v", MarkerUnavailable, name, err)
		}
		t.Skipf("%sprovider %s: %v", MarkerUnavailable, name, err)
	}
	require.NoError(t, err)
	t.Logf("%s%s", MarkerProvider, p.Name())
	asked.Store(t.Name(), true)
	return p
}

// asked holds the names of the tests that got a provider from Provider.
var asked sync.Map

// Asked reports whether t, or a test it is a subtest of, got its provider
// from Provider: helpers that can start a real stack (the CLI tests'
// runCLI) refuse to for a test that did not, since it would neither skip
// nor be counted.
func Asked(t testing.TB) bool {
	name := t.Name()
	for {
		if _, ok := asked.Load(name); ok {
			return true
		}
		i := strings.LastIndexByte(name, '/')
		if i < 0 {
			return false
		}
		name = name[:i]
	}
}

// Start starts a stack on the named provider and registers its teardown,
// which also asserts that nothing with the run's label is left.
func Start(t testing.TB, name string, cfg config.Stack) *stack.Env {
	t.Helper()
	p := Provider(t, name)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	env, err := p.Start(ctx, cfg)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if env != nil {
			require.NoError(t, env.Close(ctx))
			left, err := stack.FindLeftovers(ctx, env.RunID)
			require.NoError(t, err)
			require.Zero(t, left.Count(), "leftovers of run %s: %+v", env.RunID, left)
		}
	})
	require.NoError(t, err)
	return env
}
