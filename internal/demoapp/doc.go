// Package demoapp is the service firedrill drills by default. It stands in for
// the application of the incident playbook: a content API read through a
// Redis cache, auth, payment webhooks, feature flags, and Prometheus metrics,
// backed by Postgres and Redis.
//
// Its contract with the harness: configuration from the environment
// (DATABASE_URL, REDIS_URL, PORT, DB_MAX_CONNS, DB_ACQUIRE_TIMEOUT); a
// deterministic seed, so a reset stack is byte-for-byte the same; requests
// that cannot reach a dependency within a bounded time fail with a 5xx
// instead of hanging, so every fault is visible in its metrics; and an admin
// API through which faults and playbooks flip its flags (/admin/flags) and
// rotate its secrets while it serves: the token and webhook secrets, and
// the database password its new connections log in with
// (/admin/db-password, taken only once Postgres accepts it).
// TrafficProfile is the steady traffic the harness sends it, as generic
// requests; the app, not the harness, knows its endpoints, seeded
// credentials and webhook signing.
package demoapp
