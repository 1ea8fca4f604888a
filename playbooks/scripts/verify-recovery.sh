#!/bin/bash
# Recovery verification
#
# The incident playbook's "Verification Scripts", run by the shipped
# playbooks' `verify-recovery` step against the drill's Prometheus
# ("$PROMETHEUS_URL", http://prometheus:9090 in the original). What had to
# change for it to verify anything, and nothing else:
# - the query goes with curl -G --data-urlencode: unencoded, curl reads
#   [5m] and {quantile="0.95"} as its own URL globs and sends nothing;
# - the queries name the drilled app's metrics: the error rate is the share
#   of 5xx answers in http_requests_total, the response time the 95th
#   percentile of the http_request_duration_seconds histogram, "active
#   users" the requests it answers successfully; each over the last minute,
#   so a recovered service passes once its last minute is clean (over 5
#   minutes the outage would still count);
# - a query with no answer fails its check (bc reads "null" as 0, so the
#   original passed when the metric did not exist);
# - the services are the drill's blackbox probes (app health, Postgres,
#   Redis: probe_success), not `docker ps` names, so this works with either
#   stack provider; one not up fails;
# - any failed check makes the script exit 1 (the original always exited
#   0, so it could never fail a verification).

echo "=== Verifying Recovery ==="
status=0

# Function to check metric
check_metric() {
    local name=$1
    local query=$2
    local threshold=$3
    local operator=$4

    value=$(curl -s -G "$PROMETHEUS_URL/api/v1/query" --data-urlencode "query=$query" | jq -r '.data.result[0].value[1]')

    if [ -z "$value" ] || [ "$value" = null ]; then
        echo "✗ $name: no data (FAIL)"
        return 1
    fi
    if (( $(echo "$value $operator $threshold" | bc -l) )); then
        echo "✓ $name: $value (OK)"
    else
        echo "✗ $name: $value (FAIL)"
        return 1
    fi
}

# Check error rate < 1%
check_metric "Error Rate" '(sum(rate(http_requests_total{job="app",code=~"5.."}[1m])) or vector(0)) / sum(rate(http_requests_total{job="app"}[1m]))' "0.01" "<" || status=1

# Check response time < 500ms
check_metric "Response Time" 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="app"}[1m])))' "0.5" "<" || status=1

# Check active users > 0
check_metric "Active Users" 'sum(rate(http_requests_total{job="app",code=~"2.."}[1m]))' "0" ">" || status=1

# Check all services up
services=("app-health" "postgres" "redis")
for service in "${services[@]}"; do
    if check_metric "$service" "probe_success{probe=\"$service\"}" "0" ">" >/dev/null; then
        echo "✓ $service: Running"
    else
        echo "✗ $service: Not running"
        status=1
    fi
done

echo "=== Verification Complete ==="
exit $status
