package demoapp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Run migrates (retrying while Postgres is not up yet, for up to
// startupTimeout), then serves until ctx is cancelled and shuts down
// gracefully. ready, when not nil, receives the listening address.
func Run(ctx context.Context, cfg Config, log *slog.Logger, ready func(addr string)) error {
	app, err := New(cfg)
	if err != nil {
		return err
	}
	defer app.Close()
	app.log = log

	const startupTimeout = 60 * time.Second
	deadline := time.Now().Add(startupTimeout)
	for {
		mctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err = Migrate(mctx, app.Pool(), cfg.SeedScale)
		cancel()
		if err == nil {
			break
		}
		if ctx.Err() != nil || time.Now().After(deadline) {
			return fmt.Errorf("run: %w", err)
		}
		log.Warn("database not ready, retrying", "err", err)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}

	lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err = app.loadRelease(lctx)
	cancel()
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("run: listen: %w", err)
	}
	srv := &http.Server{Handler: app.Handler(), ReadHeaderTimeout: 5 * time.Second}
	log.Info("demoapp listening", "addr", ln.Addr().String())
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("run: serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("demoapp shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("run: shutdown: %w", err)
	}
	return nil
}
