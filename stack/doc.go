// Package stack starts the services a drill runs against: Postgres, Redis,
// the application, and the Prometheus exporters beside them.
//
// One contract, Stack, has two providers: Docker (testcontainers-go) and
// Local (processes on this machine, for hosts without Docker). Both return an
// Env: the URLs and clients of the running services, per-service control
// (stop, start, restart, pause, unpause, exec) for faults and playbooks, a
// Reset that puts Postgres back to its seeded state, flushes Redis and gives
// the app's database login back its start password without restarting
// anything (but an app that cannot be handed it), and Close. The app logs in
// with a role of its own (stack.postgres.app_user, its password generated
// per run: Env.AppDatabaseURL); the harness keeps the stack's user
// (Env.PostgresURL), so a drill can rotate the app's password under it. Everything a run creates carries the label
// (or, for processes, the environment variable) firedrill.run=<run id>, so
// Cleanup can find what a killed run left behind. Every service action
// checks its target first and refuses (ErrNotOurs) a container without the
// run's label, or a process other than the one the run spawned. Env.Gone tells a stack that
// disappeared (a container removed, the Docker daemon stopped: ErrGone)
// from services that are merely down.
package stack
