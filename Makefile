# firedrill's front door: every target has a `## help` line (`make help`).
# CI runs `make test`, the same command the README gives a person.

SHELL := /bin/bash
GO    ?= go
BIN   := bin

# This host has no registry: the stack runs on the stand-in images that
# `make images` builds (images/README.md). Override any of them to use the
# official images where a registry answers.
export FIREDRILL_POSTGRES_IMAGE          ?= firedrill/postgres:15
export FIREDRILL_REDIS_IMAGE             ?= firedrill/redis:7
export FIREDRILL_POSTGRES_EXPORTER_IMAGE ?= firedrill/postgres-exporter:0.11
export FIREDRILL_REDIS_EXPORTER_IMAGE    ?= firedrill/redis-exporter:1.45
export FIREDRILL_APP_IMAGE               ?= firedrill/demoapp:dev
# Never let testcontainers guess a Docker host off this machine, and do not
# pull its reaper: firedrill labels and removes what it starts.
export TESTCONTAINERS_HOST_OVERRIDE      ?= 127.0.0.1
export TESTCONTAINERS_RYUK_DISABLED      ?= true

.PHONY: help build test test-slow fuzz soak drill images mocks lint bench cleanup setup

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

setup: ## install what the stack needs on a Debian host (Docker engine, debootstrap, PostgreSQL, Redis, exporters) and start dockerd
	@scripts/setup.sh

build: ## build bin/firedrill and bin/demoapp
	$(GO) build -o $(BIN)/firedrill ./cmd/firedrill
	$(GO) build -o $(BIN)/demoapp ./cmd/demoapp

images: setup ## build the stand-in stack images (debootstrap base, postgres, redis, exporters, demo app)
	@images/build.sh

test: images ## run every test against real containers and processes (does all setup first); the last line counts those that ran on a real stack and those that skipped, and why
	$(GO) vet ./...
	@# One go test run: -json goes through testsummary, which prints what plain
	@# go test would, then the count of stack tests; pipefail keeps the verdict.
	$(GO) build -o $(BIN)/testsummary ./internal/testsummary
	set -o pipefail; $(GO) test -json -count=1 -timeout 20m ./... | $(BIN)/testsummary

test-slow: images ## the slow tests, after `make test` in CI: the @slow shipped drills (starved services' timeouts every tick) and the tests built with -tags slow (two runs at once, the daemon stopping, decoys beside every fault)
	$(GO) build -o $(BIN)/testsummary ./internal/testsummary
	set -o pipefail; FIREDRILL_FEATURE_TAGS='@slow && ~@gameday' $(GO) test -json -count=1 -timeout 40m -tags slow \
	  -run 'TestFeatures|TestTwoRunsAtOnce|TestRunEndsWithExit3WhenTheDaemonStops|TestFaultsLeaveDecoysUntouched' \
	  ./features ./internal/cli ./injectors | $(BIN)/testsummary

# Each fuzz target runs this long (go's -fuzztime: 5s, 1m, or 1000x).
# A count of inputs, not a duration: a timed run that ends while a worker is
# busy fails with "context deadline exceeded" on a loaded machine, which is
# no finding.
FUZZTIME ?= 2000x

fuzz: ## run every fuzz target (func Fuzz* of the *_fuzz_test.go files) for FUZZTIME each (default 2000x: inputs), one after another; a crasher lands in its package's testdata/fuzz
	@# go test runs one fuzz target at a time; plain `go test` (make test)
	@# already runs every target's seed corpus as a test.
	@set -e; for f in $$(find . -name '*_fuzz_test.go' -not -path './.git/*' | sort); do \
	  for t in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f); do \
	    echo "fuzz: $$(dirname $$f) $$t for $(FUZZTIME)"; \
	    $(GO) test -run='^$$' -fuzz="^$$t\$$" -fuzztime=$(FUZZTIME) $$(dirname $$f); \
	  done; \
	done

# Tries per provider; not part of make test (it takes minutes per try).
SOAK_N ?= 20

soak: images build ## interrupt drills at random moments (SIGINT, SIGTERM, SIGKILL then cleanup) SOAK_N times per provider (default 20) and print what was left behind; run before each release
	SOAK_N=$(SOAK_N) BIN=$(BIN) scripts/soak.sh

drill: images build ## run the shipped drills (features/) and write the HTML score report
	@# Exit 1 means the drills ran and one missed a target: that is a finding
	@# to read in the report, not a broken demo. Bad input (2) or a host that
	@# cannot run the stack (3) still fails.
	@$(BIN)/firedrill run features --tags '~@gameday && ~@calibration'; code=$$?; \
	if [ $$code -eq 1 ]; then echo "make drill: a drill missed its targets (exit 1): see the report above"; fi; \
	[ $$code -le 1 ]

mocks: ## regenerate the mockery mocks of the project's interfaces
	$(GO) run github.com/vektra/mockery/v2@v2.53.5

lint: ## gofmt, go vet, and promtool check rules when promtool is installed
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	@if command -v promtool >/dev/null; then promtool check rules rules/*.yml; \
	else echo "lint: no promtool (Debian: prometheus); go test ./monitors checks the rule files with Prometheus' parser"; fi

bench: images ## stack start/reset per provider, monitoring cost per tick, wall time per drill (prints numbers)
	$(GO) test -run '^$$' -bench . -benchtime 3x -timeout 20m ./stack
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 20m ./monitors ./features

cleanup: ## remove every container, network and process a firedrill run left behind
	$(GO) run ./cmd/firedrill cleanup
