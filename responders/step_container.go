package responders

import (
	"context"
	"errors"
	"fmt"
	"slices"
)

func init() { Register("container", func() Step { return new(ContainerStep) }) }

// ContainerStep acts on a stack service by name (the playbook's quick fix
// 1, "restart service"): restart, stop, start, pause or unpause. It returns
// once the change took effect (a started service answers again).
type ContainerStep struct {
	Service string `yaml:"service" required:"true"`
	Action  string `yaml:"action" required:"true"`
}

var containerActions = []string{"restart", "stop", "start", "pause", "unpause"}

// Validate checks the action.
func (s *ContainerStep) Validate() error {
	if !slices.Contains(containerActions, s.Action) {
		return fmt.Errorf("action: %q is not one of %v", s.Action, containerActions)
	}
	if s.Service == "" {
		return errors.New("service: empty")
	}
	return nil
}

// Run acts on the service.
func (s *ContainerStep) Run(ctx context.Context, rt *Runtime) (bool, string, error) {
	if rt.Env == nil {
		return false, "", errors.New("run container: no stack")
	}
	svc, err := rt.Env.Service(s.Service)
	if err != nil {
		return false, "", fmt.Errorf("%s %s: %w", s.Action, s.Service, err)
	}
	act := map[string]func(context.Context) error{
		"restart": svc.Restart, "stop": svc.Stop, "start": svc.Start, "pause": svc.Pause, "unpause": svc.Unpause,
	}[s.Action]
	if err := act(ctx); err != nil {
		return false, "", fmt.Errorf("%s %s: %w", s.Action, s.Service, err)
	}
	return false, fmt.Sprintf("%s: %s done", s.Service, s.Action), nil
}
