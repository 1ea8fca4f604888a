package injectors

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

func init() {
	Register("error-spike", func() Injector { return new(ErrorSpike) })
}

// ErrorSpike makes a share of the app's API requests fail with 500 through
// the app's failure flag (POST /admin/flags). The flag is counter-based, so
// exactly Percent of every 100 requests it judges fail.
//
// The failure belongs to Feature (default new_feature): it applies only
// while that feature flag is on, so the shipped disable-feature playbook,
// which turns the feature off, is a real fix. Inject turns the feature on,
// since an earlier drill's playbook may have left it off and the fault
// would then do nothing. Recover clears the failure flag and leaves the
// feature flags as they are (turning a feature off is a mitigation, not
// part of the fault).
type ErrorSpike struct {
	Percent   int      `param:"percent" default:"50" min:"0" max:"100" help:"share of the app's API requests that fail with 500"`
	Endpoints []string `param:"endpoints" zero:"every API endpoint" help:"comma-separated API paths that fail, e.g. /api/content/public"`
	Feature   string   `param:"feature" default:"new_feature" help:"feature flag the failure belongs to; turning it off stops the failures (empty: no feature)"`
}

// Description is for `firedrill list`.
func (*ErrorSpike) Description() string {
	return "makes a share of the app's API requests fail with 500, through its failure flag, tied to a feature flag"
}

// Validate checks the endpoints look like the app's paths.
func (e *ErrorSpike) Validate() error {
	for _, ep := range e.Endpoints {
		if !strings.HasPrefix(ep, "/") {
			return fmt.Errorf("endpoints: %q must be a path starting with /", ep)
		}
	}
	return nil
}

type failureFlag struct {
	Percent   int      `json:"percent"`
	Endpoints []string `json:"endpoints,omitempty"`
	Feature   string   `json:"feature,omitempty"`
}

type flagsUpdate struct {
	Features map[string]bool `json:"features,omitempty"`
	Failure  failureFlag     `json:"failure"`
}

// Inject sets the failure flag (and turns its feature on).
func (e *ErrorSpike) Inject(ctx context.Context, t Target) error {
	u := flagsUpdate{Failure: failureFlag{Percent: e.Percent, Endpoints: e.Endpoints, Feature: e.Feature}}
	if e.Feature != "" {
		u.Features = map[string]bool{e.Feature: true}
	}
	if err := setFlags(ctx, t, u); err != nil {
		return fmt.Errorf("inject error-spike: %w", err)
	}
	return nil
}

// Recover clears the failure flag; setting it to 0 twice is harmless.
func (e *ErrorSpike) Recover(ctx context.Context, t Target) error {
	if err := setFlags(ctx, t, flagsUpdate{}); err != nil {
		return fmt.Errorf("recover error-spike: %w", err)
	}
	return nil
}

func setFlags(ctx context.Context, t Target, u flagsUpdate) error {
	if t.Env == nil {
		return errors.New("no stack")
	}
	body, err := json.Marshal(u)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.Env.AppURL+"/admin/flags", bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("set app flags: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("set app flags: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("set app flags: %s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}
