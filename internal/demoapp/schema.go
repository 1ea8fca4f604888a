package demoapp

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgxpool"
)

// SeededTables are the tables the app seeds, in the order a restore must
// refill them (foreign keys point up this list).
var SeededTables = []string{"users", "content", "analytics", "payments"}

const schema = `
CREATE TABLE IF NOT EXISTS users (
	id         bigint PRIMARY KEY,
	email      text NOT NULL UNIQUE,
	name       text NOT NULL,
	password   text NOT NULL,
	created_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS content (
	id         bigint PRIMARY KEY,
	author_id  bigint NOT NULL REFERENCES users(id),
	title      text NOT NULL,
	body       text NOT NULL,
	public     boolean NOT NULL,
	created_at timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS analytics (
	id         bigint PRIMARY KEY,
	content_id bigint NOT NULL REFERENCES content(id),
	day        date NOT NULL,
	views      integer NOT NULL
);
CREATE TABLE IF NOT EXISTS payments (
	id           bigserial PRIMARY KEY,
	stripe_id    text NOT NULL UNIQUE,
	user_id      bigint REFERENCES users(id),
	amount_cents integer NOT NULL,
	currency     text NOT NULL,
	status       text NOT NULL,
	created_at   timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS content_public_created ON content (public, created_at DESC);
`

// seed fills the tables from generate_series with values derived from the row
// number only, so every seeded database holds exactly the same rows. The
// fixed epoch keeps created_at independent of when the seed ran.
const seed = `
INSERT INTO users (id, email, name, password, created_at)
SELECT i, 'user' || i || '@example.com', 'User ' || i,
       md5('password-' || i),
       timestamptz '2026-01-01 00:00:00+00' + i * interval '1 minute'
FROM generate_series(1, 2000 * $1::int) AS i;

INSERT INTO content (id, author_id, title, body, public, created_at)
SELECT i, 1 + (i * 7919) % (2000 * $1::int), 'Post ' || i,
       repeat(md5(i::text), 4), i % 5 <> 0,
       timestamptz '2026-01-01 00:00:00+00' + i * interval '30 seconds'
FROM generate_series(1, 10000 * $1::int) AS i;

INSERT INTO analytics (id, content_id, day, views)
SELECT i, 1 + (i * 104729) % (10000 * $1::int), date '2026-01-01' + (i % 90), (i * 31) % 1000
FROM generate_series(1, 10000 * $1::int) AS i;

INSERT INTO payments (stripe_id, user_id, amount_cents, currency, status, created_at)
SELECT 'pi_seed_' || i, 1 + (i * 13) % (2000 * $1::int), 500 + (i * 37) % 10000, 'usd', 'succeeded',
       timestamptz '2026-01-01 00:00:00+00' + i * interval '5 minutes'
FROM generate_series(1, 3000 * $1::int) AS i;
`

// Migrate creates the schema and seeds it when the users table is empty, so a
// restarted app neither fails nor seeds twice.
func Migrate(ctx context.Context, pool *pgxpool.Pool, scale int) error {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Release()
	// One app at a time: two replicas starting together must not both seed.
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(7461)`); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7461)`) //nolint:errcheck
	if _, err := conn.Exec(ctx, schema); err != nil {
		return fmt.Errorf("migrate: schema: %w", err)
	}
	if err := recordInitialRelease(ctx, conn); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var seeded bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users)`).Scan(&seeded); err != nil {
		return fmt.Errorf("migrate: check seed: %w", err)
	}
	if seeded {
		return nil
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migrate: seed: %w", err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck
	for _, stmt := range splitStatements(seed) {
		if _, err := tx.Exec(ctx, stmt, scale); err != nil {
			return fmt.Errorf("migrate: seed: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("migrate: seed: %w", err)
	}
	return nil
}

func splitStatements(sql string) []string {
	var out []string
	start := 0
	for i, r := range sql {
		if r == ';' {
			if s := strings.TrimSpace(sql[start:i]); s != "" {
				out = append(out, s)
			}
			start = i + 1
		}
	}
	return out
}
