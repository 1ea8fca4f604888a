package injectors

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/firedrill/firedrill/stack"
)

func init() {
	Register("bad-deploy", func() Injector { return new(BadDeploy) })
}

// BadDeploy redeploys the app as a new version that is broken: the app
// keeps its release history in its deployments table (as a deploy tool
// keeps its own), runs the last release recorded when it starts, and a
// release's defect stands in for the bug the new build ships with. Inject
// records the new release and restarts the app on it:
//
//   - failure errors: the new version fails Percent of its API requests
//     with 500 (HighErrorRate);
//   - failure crash: the new version refuses to start, so the app is down
//     (CompleteServiceOutage).
//
// The previous releases stay in the history: rolling back is recording
// the previous one again and restarting (the rollback playbook). Recover
// does the same whenever the release the app would start is a broken one,
// and restarts the app when it does not run the release recorded last; it
// does nothing more when the app already runs a good release, so it is
// idempotent and safe after a failed Inject.
type BadDeploy struct {
	Version string `param:"version" default:"2.0.0" help:"the version the broken release reports"`
	Failure string `param:"failure" default:"errors" enum:"errors,crash" help:"how the new version fails: errors (a share of its requests fail with 500) or crash (it fails on start)"`
	Percent int    `param:"percent" default:"50" min:"1" max:"100" help:"share of the API requests the new version fails, with failure errors"`
}

// Description is for `firedrill list`.
func (*BadDeploy) Description() string {
	return "redeploys the app as a new version that fails a share of its requests or fails to start; the previous version stays in its release history"
}

// Inject records the broken release and restarts the app on it.
func (b *BadDeploy) Inject(ctx context.Context, t Target) error {
	if t.Env == nil || t.Env.Postgres == nil {
		return errors.New("inject bad-deploy: no stack")
	}
	app, err := t.Env.Service(stack.App)
	if err != nil {
		return fmt.Errorf("inject bad-deploy: %w", err)
	}
	percent := 0
	if b.Failure == "errors" {
		percent = b.Percent
	}
	if _, err := t.Env.Postgres.Exec(ctx, `INSERT INTO deployments (version, defect, error_percent, note)
		VALUES ($1, $2, $3, 'deployed by firedrill bad-deploy')`, b.Version, b.Failure, percent); err != nil {
		return fmt.Errorf("inject bad-deploy: record release: %w", err)
	}
	err = app.Restart(ctx)
	switch {
	case ctx.Err() != nil:
		return fmt.Errorf("inject bad-deploy: restart app: %w", ctx.Err())
	case b.Failure == "crash" && err == nil:
		return errors.New("inject bad-deploy: the crashing release started")
	case b.Failure == "crash":
		return nil // it failed to start, as it should
	case err != nil:
		return fmt.Errorf("inject bad-deploy: restart app: %w", err)
	}
	return nil
}

// Recover rolls back to the last good release when the last one recorded
// is broken, and makes sure the app runs the last release recorded.
func (b *BadDeploy) Recover(ctx context.Context, t Target) error {
	if t.Env == nil || t.Env.Postgres == nil {
		return errors.New("recover bad-deploy: no stack")
	}
	app, err := t.Env.Service(stack.App)
	if err != nil {
		return fmt.Errorf("recover bad-deploy: %w", err)
	}
	var current int64
	var defect string
	if err := t.Env.Postgres.QueryRow(ctx, `SELECT id, defect FROM deployments ORDER BY id DESC LIMIT 1`).Scan(&current, &defect); err != nil {
		return fmt.Errorf("recover bad-deploy: current release: %w", err)
	}
	if defect != "" {
		err := t.Env.Postgres.QueryRow(ctx, `INSERT INTO deployments (version, defect, error_percent, note)
			SELECT version, '', 0, 'rolled back by firedrill to deployment ' || id
			FROM deployments WHERE defect = '' ORDER BY id DESC LIMIT 1
			RETURNING id`).Scan(&current)
		if err != nil {
			return fmt.Errorf("recover bad-deploy: roll back: %w", err)
		}
	}
	running, ok := runningRelease(ctx, t.Env)
	switch {
	case !ok:
		// Down (a crashed start): start it on the release now recorded.
		err = app.Restart(ctx)
	case running != current:
		err = app.Restart(ctx)
	}
	if err != nil {
		return fmt.Errorf("recover bad-deploy: restart app: %w", err)
	}
	return nil
}

// runningRelease is the deployment id the app says it runs; ok is false
// when it does not answer.
func runningRelease(ctx context.Context, env *stack.Env) (int64, bool) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, env.AppURL+"/version", nil)
	if err != nil {
		return 0, false
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, false
	}
	defer resp.Body.Close()
	var v struct {
		ID int64 `json:"id"`
	}
	if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&v) != nil {
		return 0, false
	}
	return v.ID, true
}
