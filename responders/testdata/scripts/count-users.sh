#!/bin/sh
# A team's runbook script, unchanged: it reads DATABASE_URL like it would on
# a real incident.
set -eu
echo "connecting to $DATABASE_URL"
psql "$DATABASE_URL" -X -A -t -c 'SELECT count(*) FROM users'
