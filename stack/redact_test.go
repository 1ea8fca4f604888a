package stack

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"postgres://firedrill:s3cret@127.0.0.1:5432/app?sslmode=disable": "postgres://firedrill:xxxxx@127.0.0.1:5432/app?sslmode=disable",
		"redis://:pw@127.0.0.1:6379/0":                                   "redis://:xxxxx@127.0.0.1:6379/0",
		"DATABASE_URL=postgres://u:p@h/db and REDIS_URL=redis://h:6379":  "DATABASE_URL=postgres://u:xxxxx@h/db and REDIS_URL=redis://h:6379",
		"host=h password='a b' dbname=app":                               "host=h password=xxxxx dbname=app",
		"PGPASSWORD=hunter2 psql":                                        "PGPASSWORD=xxxxx psql",
		"http://127.0.0.1:8080/health":                                   "http://127.0.0.1:8080/health",
		"GET http://u:p@127.0.0.1:9187/metrics: 503":                     "GET http://u:xxxxx@127.0.0.1:9187/metrics: 503",
		"postgres://firedrill@127.0.0.1/app":                             "postgres://firedrill@127.0.0.1/app",
	} {
		assert.Equal(t, want, Redact(in), in)
	}
}
