package responders

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/prometheus/alertmanager/alert"
	amv2 "github.com/prometheus/alertmanager/api/v2"
	"github.com/prometheus/alertmanager/api/v2/models"
	"github.com/prometheus/alertmanager/matcher/compat"
	amlabels "github.com/prometheus/alertmanager/pkg/labels"
	"github.com/prometheus/common/model"
)

// resendDelay is Prometheus' default --rules.alert.resend-delay: an alert
// it sends is valid for four times the longer of it and the evaluation
// interval, which is the endsAt Alertmanager shows for a firing alert.
const resendDelay = time.Minute

// AlertmanagerAPI serves Alertmanager's GET /api/v2/alerts on the alerts
// the pager holds, so a runbook script's `curl $ALERTMANAGER_URL/api/v2/alerts`
// sees in a drill what it sees in production: the firing alerts, each with
// its receivers from the team's routing and its status (active, or
// suppressed and inhibitedBy the inhibiting alert's fingerprint), built by
// Alertmanager's own conversion into its own API model. The query
// parameters are Alertmanager's: active, inhibited, silenced, unprocessed,
// filter (matchers, repeated) and receiver (a regular expression). Times
// are drill timestamps. /api/v1 answers 410 Gone, as Alertmanager has since
// 0.27; everything else 404.
func (p *Pager) AlertmanagerAPI() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v2/alerts", p.serveAlerts)
	mux.HandleFunc("/api/v1/", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusGone, map[string]string{"status": "deprecated",
			"error": "The Alertmanager v1 API was deprecated in version 0.16.0 and is removed as of version 0.27.0 - please use the equivalent route in the v2 API"})
	})
	return mux
}

func (p *Pager) serveAlerts(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	want := map[string]bool{}
	for _, name := range []string{"active", "inhibited", "silenced", "unprocessed"} {
		want[name] = true
		if v := q.Get(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				writeJSON(w, http.StatusBadRequest, fmt.Sprintf("%s in query must be of type boolean: %q", name, v))
				return
			}
			want[name] = b
		}
	}
	var matchers []*amlabels.Matcher
	for _, f := range q["filter"] {
		m, err := compat.Matcher(f, "api")
		if err != nil {
			writeJSON(w, http.StatusBadRequest, err.Error())
			return
		}
		matchers = append(matchers, m)
	}
	var receiver *regexp.Regexp
	if v := q.Get("receiver"); v != "" {
		re, err := regexp.Compile("^(?:" + v + ")$")
		if err != nil {
			writeJSON(w, http.StatusBadRequest, "failed to parse receiver param: "+err.Error())
			return
		}
		receiver = re
	}
	out := models.GettableAlerts{}
	for _, a := range p.heldAlerts() {
		if !matchAll(matchers, a.labels) {
			continue
		}
		if receiver != nil && !slices.ContainsFunc(a.receivers, receiver.MatchString) {
			continue
		}
		if len(a.status.InhibitedBy) > 0 && !want["inhibited"] || len(a.status.InhibitedBy) == 0 && !want["active"] {
			continue
		}
		out = append(out, amv2.AlertToOpenAPIAlert(a.alert, a.status, a.receivers, nil))
	}
	writeJSON(w, http.StatusOK, out)
}

// matchAll applies Alertmanager's filter matchers; a label that is absent
// has the empty value, as in Alertmanager.
func matchAll(ms []*amlabels.Matcher, labels map[string]string) bool {
	for _, m := range ms {
		if !m.Matches(labels[m.Name]) {
			return false
		}
	}
	return true
}

type heldAlert struct {
	labels    map[string]string
	alert     *alert.Alert
	status    alert.AlertStatus
	receivers []string
}

// heldAlerts are the firing alerts, in key order, as Alertmanager holds
// them after the last tick.
func (p *Pager) heldAlerts() []heldAlert {
	p.mu.Lock()
	defer p.mu.Unlock()
	valid := 4 * max(resendDelay, p.tl.Clock().Tick())
	var out []heldAlert
	for _, st := range p.sortedAlerts() {
		if !st.firing {
			continue
		}
		a := &alert.Alert{Alert: model.Alert{Labels: labelSet(st.labels), Annotations: labelSet(st.annotations),
			StartsAt: st.startsAt, EndsAt: p.lastAt.Add(valid)}, UpdatedAt: st.updatedAt}
		status := alert.AlertStatus{State: alert.AlertStateActive, SilencedBy: []string{}, InhibitedBy: []string{}}
		if st.inhibitor != nil {
			status.State = alert.AlertStateSuppressed
			status.InhibitedBy = []string{labelSet(st.inhibitor).Fingerprint().String()}
		}
		var receivers []string
		for _, rt := range p.routing.Routes(st.labels) {
			if !slices.Contains(receivers, rt.Receiver) {
				receivers = append(receivers, rt.Receiver)
			}
		}
		out = append(out, heldAlert{labels: st.labels, alert: a, status: status, receivers: receivers})
	}
	return out
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
