package demoapp

import (
	"context"
	"errors"
	"fmt"
	"html"
	"net/http"
	"sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Version is the version this build of the app is, unless a release says
// otherwise (set at build time with -ldflags "-X ...demoapp.Version=...").
var Version = "1.4.0"

// Release is what a deploy made current: the version the app runs and the
// defect that version carries. The app keeps its release history in the
// deployments table, as a deploy tool keeps its own: the last row is the
// release the app runs when it starts, every earlier one stays for a
// rollback. A release's Defect stands in for the bug a new build ships
// with — "errors" (ErrorPercent of the API requests fail with 500) or
// "crash" (the app refuses to start) — so one binary can play every version.
type Release struct {
	ID           int64  `json:"id"`
	Version      string `json:"version"`
	Defect       string `json:"defect,omitempty"`
	ErrorPercent int    `json:"error_percent,omitempty"`
	Note         string `json:"note,omitempty"`
}

// Release defects.
const (
	DefectErrors = "errors"
	DefectCrash  = "crash"
)

// ErrReleaseCrash is the start-up failure of a release whose defect is
// "crash": a real release would fail its config check or panic in init.
var ErrReleaseCrash = errors.New("release fails on start")

const releaseSchema = `
CREATE TABLE IF NOT EXISTS deployments (
	id            bigserial PRIMARY KEY,
	version       text NOT NULL,
	defect        text NOT NULL DEFAULT '' CHECK (defect IN ('', 'errors', 'crash')),
	error_percent integer NOT NULL DEFAULT 0 CHECK (error_percent BETWEEN 0 AND 100),
	note          text NOT NULL DEFAULT '',
	deployed_at   timestamptz NOT NULL DEFAULT now()
);
`

// recordInitialRelease makes this build the first release of an empty
// history, so a rollback always has a version to go back to.
func recordInitialRelease(ctx context.Context, conn *pgxpool.Conn) error {
	if _, err := conn.Exec(ctx, releaseSchema); err != nil {
		return fmt.Errorf("deployments: %w", err)
	}
	_, err := conn.Exec(ctx, `INSERT INTO deployments (version, note, deployed_at)
		SELECT $1, 'initial', timestamptz '2026-01-01 00:00:00+00' WHERE NOT EXISTS (SELECT 1 FROM deployments)`, Version)
	if err != nil {
		return fmt.Errorf("deployments: initial release: %w", err)
	}
	return nil
}

// CurrentRelease is the release the app runs when it starts now: the last
// deployment recorded.
func CurrentRelease(ctx context.Context, pool *pgxpool.Pool) (Release, error) {
	var r Release
	err := pool.QueryRow(ctx, `SELECT id, version, defect, error_percent, note FROM deployments ORDER BY id DESC LIMIT 1`).
		Scan(&r.ID, &r.Version, &r.Defect, &r.ErrorPercent, &r.Note)
	if errors.Is(err, pgx.ErrNoRows) {
		return Release{Version: Version}, nil
	}
	if err != nil {
		return r, fmt.Errorf("current release: %w", err)
	}
	return r, nil
}

// releaseFailure fails an exact share of API requests for a release whose
// defect is "errors", as the failure flag does.
type releaseFailure struct {
	mu      sync.Mutex
	percent uint64
	n       uint64
}

func (f *releaseFailure) fail() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.percent == 0 {
		return false
	}
	fail := (f.n+1)*f.percent/100 > f.n*f.percent/100
	f.n++
	return fail
}

// loadRelease reads the release to run and applies it: the version the app
// reports, the share of requests an "errors" release fails, and the refusal
// to start of a "crash" release.
func (a *App) loadRelease(ctx context.Context) error {
	r, err := CurrentRelease(ctx, a.pool)
	if err != nil {
		return err
	}
	if r.Defect == DefectCrash {
		a.log.Error("release fails on start", "version", r.Version, "deployment", r.ID)
		return fmt.Errorf("release %s (deployment %d): %w", r.Version, r.ID, ErrReleaseCrash)
	}
	a.release = r
	a.relFail.mu.Lock()
	a.relFail.percent, a.relFail.n = 0, 0
	if r.Defect == DefectErrors {
		a.relFail.percent = uint64(r.ErrorPercent)
	}
	a.relFail.mu.Unlock()
	a.metrics.buildInfo.Reset()
	a.metrics.buildInfo.WithLabelValues(r.Version).Set(1)
	a.log.Info("release", "version", r.Version, "deployment", r.ID, "defect", r.Defect)
	return nil
}

// home is the website's front page: the playbook's first assessment step
// checks it beside /health ("Website DOWN" when it does not answer).
func (a *App) home(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = fmt.Fprintf(w, "<!doctype html><title>mustbeviral</title><p>mustbeviral demo app %s</p>\n", html.EscapeString(a.release.Version))
}

func (a *App) version(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, a.release)
}
