#!/bin/bash
# Quick assessment script
#
# The incident playbook's "Initial Assessment Checklist", run by the
# shipped playbooks' `assess` step with the drill's addresses in the
# environment (APP_URL, DATABASE_URL, PROMETHEUS_URL, ALERTMANAGER_URL).
# Adapted in its URLs only:
# - https://api.mustbeviral.com/health and https://mustbeviral.com are the
#   app under drill, "$APP_URL/health" and "$APP_URL/";
# - http://prometheus:9090 is "$PROMETHEUS_URL"; the query names the
#   drilled app's errors (http_requests_total with a 5xx code: it has no
#   http_errors_total) and is URL-encoded, since bash reads ( and curl reads
#   [ ] in an unquoted URL;
# - http://alertmanager:9093/api/v1/alerts is "$ALERTMANAGER_URL/api/v2/alerts":
#   Alertmanager removed its v1 API in 0.27.

echo "=== Incident Initial Assessment ==="
echo "Time: $(date)"

# 1. Service Status
echo -e "\n[1] Checking service status..."
curl -s "$APP_URL/health" || echo "API DOWN"
curl -s "$APP_URL/" || echo "Website DOWN"

# 2. Error Rates
echo -e "\n[2] Checking error rates..."
curl -s "$PROMETHEUS_URL/api/v1/query?query=sum%20by%20(endpoint%2C%20code)%20(rate(http_requests_total%7Bcode%3D~%225..%22%7D%5B5m%5D))"

# 3. Database Status
echo -e "\n[3] Checking database..."
psql $DATABASE_URL -c "SELECT 1" || echo "Database UNREACHABLE"

# 4. Recent Deployments
echo -e "\n[4] Recent deployments..."
git log --oneline -n 5

# 5. Active Alerts
echo -e "\n[5] Active alerts..."
curl -s "$ALERTMANAGER_URL/api/v2/alerts"

echo -e "\n=== Assessment Complete ==="
