// Package features runs the shipped drills under go test: each scenario is
// a subtest (go test ./features -run 'TestFeatures/Database_connection').
// They run on the stack provider the host has (docker under CI).
package features

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/cucumber/godog"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/config"
	"github.com/firedrill/firedrill/internal/stacktest"
	"github.com/firedrill/firedrill/scenarios"
)

func TestFeatures(t *testing.T) {
	// Paths in the features (rule files, playbooks) are relative to the
	// repository root, as when firedrill runs there.
	root, err := filepath.Abs("..")
	require.NoError(t, err)
	t.Chdir(root)
	cfg, err := config.Load("", os.Getenv)
	require.NoError(t, err)
	// No provider here: skip saying why (under CI, fail).
	stacktest.Provider(t, cfg.Stack.Provider)
	suite := scenarios.NewSuite(scenarios.Options{Config: cfg, Progress: func(f string, a ...any) { t.Logf(f, a...) }})
	t.Cleanup(func() { _ = suite.Close(context.Background()) })
	ts := godog.TestSuite{
		Name:                 "firedrill",
		TestSuiteInitializer: suite.InitializeTestSuite,
		ScenarioInitializer:  suite.InitializeScenario,
		Options: &godog.Options{
			Format: "pretty",
			Paths:  []string{filepath.Join(root, "features")},
			// Game days wait for people; they run by hand with --clock
			// realtime. @slow drills wait out a starved service's timeouts
			// every tick (minutes each): `make drill` runs them.
			Tags:     "~@gameday && ~@slow",
			TestingT: t,
			Strict:   true,
		},
	}
	// FIREDRILL_FEATURE_TAGS picks other drills: `make test-slow` runs the
	// @slow ones (CI runs it after `make test`, to keep that under its
	// budget).
	if tags := os.Getenv("FIREDRILL_FEATURE_TAGS"); tags != "" {
		ts.Options.Tags = tags
	}
	if ts.Run() != 0 {
		t.Fatal("drills failed")
	}
}
