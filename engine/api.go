package engine

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"time"
)

// apiServers serve the drill's Prometheus and Alertmanager HTTP APIs, each
// on a free port of 127.0.0.1 (never a fixed one: drills run side by side,
// and nothing of a drill listens beyond this host). The listeners open
// before anything else of the drill, so their URLs can go to the
// responder's runtime (PROMETHEUS_URL, ALERTMANAGER_URL); serving starts
// once monitoring and the pager exist.
type apiServers struct {
	prom, am       net.Listener
	servers        []*http.Server
	promURL, amURL string

	closeOnce sync.Once
	closeErr  error
}

func listenAPIs() (*apiServers, error) {
	a := &apiServers{}
	var err error
	if a.prom, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return nil, fmt.Errorf("listen prometheus api: %w", err)
	}
	if a.am, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		_ = a.prom.Close()
		return nil, fmt.Errorf("listen alertmanager api: %w", err)
	}
	a.promURL, a.amURL = "http://"+a.prom.Addr().String(), "http://"+a.am.Addr().String()
	return a, nil
}

// serve answers on the listeners until close.
func (a *apiServers) serve(prom, am http.Handler) {
	for _, s := range []struct {
		ln net.Listener
		h  http.Handler
	}{{a.prom, prom}, {a.am, am}} {
		srv := &http.Server{Handler: s.h, ReadHeaderTimeout: 10 * time.Second}
		a.servers = append(a.servers, srv)
		go func() { _ = srv.Serve(s.ln) }()
	}
}

// close stops both servers, letting requests in flight finish for a few
// seconds (the storage they read closes next), and closes the listeners
// even when serve never ran.
func (a *apiServers) close() error {
	a.closeOnce.Do(func() { a.closeErr = a.shutdown() })
	return a.closeErr
}

func (a *apiServers) shutdown() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var errs []error
	for _, s := range a.servers {
		if err := s.Shutdown(ctx); err != nil {
			errs = append(errs, err, s.Close())
		}
	}
	for _, ln := range []net.Listener{a.prom, a.am} {
		if err := ln.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close drill apis: %w", err)
	}
	return nil
}
