package responders

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

func init() { Register("exec", func() Step { return new(ExecStep) }) }

// ExecStep runs a command where a stack service runs: inside its container
// with the docker provider, on this host with the service's environment
// with the local provider. It is how a playbook reaches what only the
// service sees, such as the backup the data-deletion fault left in the
// Postgres service's file system. Give command (argv) or script (run by
// sh -c). A non-zero exit fails the step.
type ExecStep struct {
	Service string   `yaml:"service" required:"true"`
	Command []string `yaml:"command"`
	Script  string   `yaml:"script"`
}

// Validate checks exactly one of command and script is given.
func (s *ExecStep) Validate() error {
	if (len(s.Command) == 0) == (strings.TrimSpace(s.Script) == "") {
		return errors.New("give either command (a list) or script (text for sh -c)")
	}
	return nil
}

// Run runs the command in the service.
func (s *ExecStep) Run(ctx context.Context, rt *Runtime) (bool, string, error) {
	if rt.Env == nil {
		return false, "", errors.New("run exec: no stack")
	}
	svc, err := rt.Env.Service(s.Service)
	if err != nil {
		return false, "", fmt.Errorf("run exec: %w", err)
	}
	cmd := s.Command
	if len(cmd) == 0 {
		cmd = []string{"sh", "-c", s.Script}
	}
	res, err := svc.Exec(ctx, cmd...)
	out := strings.TrimRight(res.Output, "\n")
	if err != nil {
		return false, out, fmt.Errorf("run exec in %s: %w", s.Service, err)
	}
	if res.ExitCode != 0 {
		return false, out, fmt.Errorf("run exec in %s: %s exited with %d", s.Service, cmd[0], res.ExitCode)
	}
	return false, out, nil
}
