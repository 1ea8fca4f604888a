package injectors

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/firedrill/firedrill/stack"
)

func init() {
	Register("service-outage", func() Injector { return new(ServiceOutage) })
}

// ServiceOutage is the playbook's Complete Service Outage: the app itself
// goes away. Mode says how:
//
//   - kill: SIGKILL, no shutdown (a crash, the OOM killer); the container
//     or process has exited.
//   - stop: an orderly stop (`docker stop`); exited too.
//   - pause: frozen (docker pause, SIGSTOP): the port still accepts
//     connections but nothing answers, so every request and scrape waits
//     for its timeout.
//   - crash-loop: killed, and killed again each time it comes back (a
//     restart by the on-call, or anyone) as soon as it answers at all,
//     until Recover: a restart alone does not end it.
//
// Recover stops the crash loop and starts (or unpauses) the app; it waits
// until the app answers again.
type ServiceOutage struct {
	Mode string `param:"mode" default:"kill" enum:"kill,stop,pause,crash-loop" help:"how the app goes down: kill (SIGKILL), stop (orderly), pause (frozen), crash-loop (killed again each time it comes back, until recovered)"`

	mu      sync.Mutex
	stop    context.CancelFunc
	loop    sync.WaitGroup
	crashes int
}

// Description is for `firedrill list`.
func (*ServiceOutage) Description() string {
	return "takes the app down: killed, stopped, frozen, or killed again each time it comes back (crash loop)"
}

const modeCrashLoop = "crash-loop"

// Inject takes the app down; in a crash loop it also starts the watcher
// that kills it again whenever it answers.
func (s *ServiceOutage) Inject(ctx context.Context, t Target) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stop != nil {
		return errors.New("inject service-outage: already injected; recover first")
	}
	mode := s.Mode
	if mode == modeCrashLoop {
		mode = modeKill
	}
	if err := downService(ctx, t.Env, stack.App, mode); err != nil {
		return fmt.Errorf("inject service-outage: %w", err)
	}
	if s.Mode == modeCrashLoop {
		s.crashes = 1
		lctx, stop := context.WithCancel(context.WithoutCancel(ctx))
		s.stop = stop
		s.loop.Go(func() { s.crashLoop(lctx, t.Env) })
	} else {
		s.stop = func() {}
	}
	return nil
}

// crashLoop kills the app whenever it answers on its health path, until
// ctx ends.
func (s *ServiceOutage) crashLoop(ctx context.Context, env *stack.Env) {
	svc, err := env.Service(stack.App)
	if err != nil {
		return
	}
	k, ok := svc.(stack.Killer)
	if !ok {
		return
	}
	client := &http.Client{Timeout: time.Second}
	url := env.AppURL + env.Config.App.HealthPath
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if !answers(ctx, client, url) {
			continue
		}
		if err := k.Kill(ctx); err == nil || notRunning(err) {
			s.mu.Lock()
			s.crashes++
			s.mu.Unlock()
		}
	}
}

// answers says whether anything answers HTTP at url.
func answers(ctx context.Context, client *http.Client, url string) bool {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return true
}

// Crashes is how many times the app was killed since the last Inject (1
// for a plain kill's crash loop that nobody restarted).
func (s *ServiceOutage) Crashes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.crashes
}

// Recover ends a crash loop and brings the app back, from whatever state
// it is in: starting a running app does nothing, so twice is harmless.
func (s *ServiceOutage) Recover(ctx context.Context, t Target) error {
	s.mu.Lock()
	stop := s.stop
	s.stop = nil
	s.mu.Unlock()
	if stop != nil {
		stop()
	}
	s.loop.Wait()
	if err := upService(ctx, t.Env, stack.App); err != nil {
		return fmt.Errorf("recover service-outage: %w", err)
	}
	return nil
}
