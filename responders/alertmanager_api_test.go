package responders_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-openapi/strfmt"
	amclient "github.com/prometheus/alertmanager/api/v2/client"
	"github.com/prometheus/alertmanager/api/v2/client/alert"
	"github.com/prometheus/alertmanager/api/v2/models"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/firedrill/firedrill/incident"
	"github.com/firedrill/firedrill/responders"
)

// TestAlertmanagerAPIShowsThePagersAlerts asks the pager's Alertmanager API
// what a runbook script asks, through Alertmanager's own Go client (its
// generated models validate the JSON), on 127.0.0.1: the firing alerts with
// their receivers from the team's routing, the inhibited one suppressed by
// the inhibiting alert's fingerprint, drill timestamps, and Alertmanager's
// filters.
func TestAlertmanagerAPIShowsThePagersAlerts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock, tl := drillClock()
	p := responders.NewPager(tl, nil, responders.WithRouting(routing(t, teamRouting)))

	critical := alertOf("HighErrorRate", incident.StateFiring, map[string]string{"severity": "critical", "instance": "a"})
	critical.Annotations = map[string]string{"summary": "errors on a"}
	critical.FiredAt = clock.At(15 * time.Second)
	warning := alertOf("SlowQueries", incident.StateFiring, map[string]string{"severity": "warning", "instance": "a"})
	db := alertOf("DatabaseDown", incident.StateFiring, map[string]string{"severity": "critical", "team": "database", "instance": "db"})
	tick(ctx, t, clock, p, critical, warning, db)
	gone := alertOf("Flapping", incident.StateFiring, nil)
	tick(ctx, t, clock, p, gone)
	gone.State = incident.StateResolved
	last := tick(ctx, t, clock, p, gone)

	srv := httptest.NewServer(p.AlertmanagerAPI())
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1", u.Hostname())
	am := amclient.NewHTTPClientWithConfig(strfmt.Default, amclient.DefaultTransportConfig().WithHost(u.Host).WithSchemes([]string{"http"}))

	get := func(params *alert.GetAlertsParams) map[string]*models.GettableAlert {
		t.Helper()
		ok, err := am.Alert.GetAlerts(params.WithContext(ctx))
		require.NoError(t, err)
		out := map[string]*models.GettableAlert{}
		for _, a := range ok.Payload {
			require.NoError(t, a.Validate(strfmt.Default), "Alertmanager's model accepts it")
			out[a.Labels["alertname"]] = a
		}
		return out
	}
	all := get(alert.NewGetAlertsParams())
	require.Len(t, all, 3, "the firing alerts; the resolved one is gone")

	hi := all["HighErrorRate"]
	assert.Equal(t, "active", *hi.Status.State)
	assert.Equal(t, []string{"on-call"}, receiverNames(hi))
	assert.Equal(t, "errors on a", hi.Annotations["summary"])
	assert.Equal(t, clock.At(15*time.Second), time.Time(*hi.StartsAt).UTC(), "startsAt is when it fired, in drill time")
	assert.Equal(t, clock.At(15*time.Second), time.Time(*hi.UpdatedAt).UTC())
	assert.Equal(t, clock.At(last+4*time.Minute), time.Time(*hi.EndsAt).UTC(), "valid for 4× the resend delay after the last tick, as Prometheus sends it")

	slow := all["SlowQueries"]
	assert.Equal(t, "suppressed", *slow.Status.State)
	assert.Equal(t, []string{*hi.Fingerprint}, slow.Status.InhibitedBy, "inhibited by HighErrorRate, named by its fingerprint")

	assert.Equal(t, []string{"dba"}, receiverNames(all["DatabaseDown"]), "the team's route")

	f := true
	assert.Len(t, get(alert.NewGetAlertsParams().WithFilter([]string{`instance="a"`})), 2)
	assert.Len(t, get(alert.NewGetAlertsParams().WithReceiver(strPtr("d.a"))), 1)
	notInhibited := get(alert.NewGetAlertsParams().WithInhibited(new(bool)).WithActive(&f))
	assert.NotContains(t, notInhibited, "SlowQueries")
	assert.Len(t, notInhibited, 2)

	resp, err := http.Get(srv.URL + "/api/v2/alerts?filter=" + url.QueryEscape("instance=~("))
	require.NoError(t, err)
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)

	resp, err = http.Get(srv.URL + "/api/v1/alerts")
	require.NoError(t, err)
	var gone410 map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&gone410))
	_ = resp.Body.Close()
	assert.Equal(t, http.StatusGone, resp.StatusCode, "Alertmanager removed API v1 in 0.27")
	assert.True(t, strings.Contains(gone410["error"], "v2 API"))
}

func receiverNames(a *models.GettableAlert) []string {
	var out []string
	for _, r := range a.Receivers {
		out = append(out, *r.Name)
	}
	return out
}

func strPtr(s string) *string { return &s }
