package injectors

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/firedrill/firedrill/stack"
)

// Service fault modes: how a service of the stack is taken down.
const (
	modeKill  = "kill"  // SIGKILL, no shutdown: a crash, the OOM killer
	modeStop  = "stop"  // an orderly stop, as `docker stop` does
	modePause = "pause" // frozen (SIGSTOP, docker pause): up, but answering nothing
)

// downService takes the named service of this run's stack down the way
// mode says. Only the run's own services are reachable through env, so a
// fault can touch nothing else on the host.
func downService(ctx context.Context, env *stack.Env, name, mode string) error {
	if env == nil {
		return errors.New("no stack")
	}
	svc, err := env.Service(name)
	if err != nil {
		return err
	}
	switch mode {
	case modeKill:
		k, ok := svc.(stack.Killer)
		if !ok {
			return fmt.Errorf("kill %s: the %s provider cannot kill a service", name, env.Provider)
		}
		return k.Kill(ctx)
	case modeStop:
		return svc.Stop(ctx)
	case modePause:
		return svc.Pause(ctx)
	}
	return fmt.Errorf("%s: unknown mode %q", name, mode)
}

// upService brings the named service back whatever state a fault, a
// half-done inject or a playbook left it in: Start starts a stopped or
// killed service, unpauses a paused one, does nothing to a running one,
// and waits until it answers. So it is safe to call twice.
func upService(ctx context.Context, env *stack.Env, name string) error {
	if env == nil {
		return errors.New("no stack")
	}
	svc, err := env.Service(name)
	if err != nil {
		return err
	}
	return svc.Start(ctx)
}

// notRunning says whether err is a provider telling that the service was
// not running (a kill of a service already gone).
func notRunning(err error) bool {
	return err != nil && strings.Contains(err.Error(), "is not running")
}
