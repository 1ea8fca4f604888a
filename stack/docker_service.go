package stack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tcexec "github.com/testcontainers/testcontainers-go/exec"

	"github.com/firedrill/firedrill/internal/poll"
)

// dockerService controls one container of run.
type dockerService struct {
	name  string
	run   string
	c     testcontainers.Container
	cli   *testcontainers.DockerClient
	ready func(context.Context) error
}

func (s *dockerService) Name() string { return s.name }

// owned is the last check before acting on the container (stop, kill,
// pause, exec, start): it must carry the run's label, or the action is
// refused. The handle comes from the run's own Start; this makes sure no
// mistake, now or later, turns a fault on a container another run, a
// person or another program owns.
func (s *dockerService) owned(ctx context.Context, action string) error {
	res, err := s.cli.ContainerInspect(ctx, s.c.GetContainerID(), client.ContainerInspectOptions{})
	if err != nil {
		return fmt.Errorf("%s %s: %w", action, s.name, err)
	}
	var got string
	if cfg := res.Container.Config; cfg != nil {
		got = cfg.Labels[RunLabel]
	}
	if s.run == "" || got != s.run {
		return fmt.Errorf("%s %s: %w: container %s (%.12s) carries %s=%q, not this run's %q",
			action, s.name, ErrNotOurs, strings.TrimPrefix(res.Container.Name, "/"), s.c.GetContainerID(), RunLabel, got, s.run)
	}
	return nil
}

func (s *dockerService) Stop(ctx context.Context) error {
	if err := s.owned(ctx, "stop"); err != nil {
		return err
	}
	timeout := 10 * time.Second
	if err := s.c.Stop(ctx, &timeout); err != nil {
		return fmt.Errorf("stop %s: %w", s.name, err)
	}
	return nil
}

// Kill sends SIGKILL (the daemon unpauses a paused container to deliver it)
// and waits until the container has exited.
func (s *dockerService) Kill(ctx context.Context) error {
	if err := s.owned(ctx, "kill"); err != nil {
		return err
	}
	if _, err := s.cli.ContainerKill(ctx, s.c.GetContainerID(), client.ContainerKillOptions{Signal: "KILL"}); err != nil {
		return fmt.Errorf("kill %s: %w", s.name, err)
	}
	err := poll.Until(ctx, 30*time.Second, 50*time.Millisecond, func(ctx context.Context) error {
		st, err := s.c.State(ctx)
		if err != nil {
			return poll.Permanent(err)
		}
		if st.Running {
			return errors.New("still running")
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("kill %s: %w", s.name, err)
	}
	return nil
}

func (s *dockerService) Start(ctx context.Context) error {
	if err := s.owned(ctx, "start"); err != nil {
		return err
	}
	st, err := s.c.State(ctx)
	if err != nil {
		return fmt.Errorf("start %s: %w", s.name, err)
	}
	if st.Paused {
		return s.Unpause(ctx)
	}
	if !st.Running {
		if err := s.c.Start(ctx); err != nil {
			return fmt.Errorf("start %s: %w", s.name, err)
		}
	}
	if err := poll.Until(ctx, 60*time.Second, 100*time.Millisecond, s.ready); err != nil {
		return fmt.Errorf("start %s: %w", s.name, err)
	}
	return nil
}

func (s *dockerService) Restart(ctx context.Context) error {
	if err := s.Stop(ctx); err != nil {
		return err
	}
	return s.Start(ctx)
}

func (s *dockerService) Pause(ctx context.Context) error {
	if err := s.owned(ctx, "pause"); err != nil {
		return err
	}
	if _, err := s.cli.ContainerPause(ctx, s.c.GetContainerID(), client.ContainerPauseOptions{}); err != nil {
		return fmt.Errorf("pause %s: %w", s.name, err)
	}
	return nil
}

func (s *dockerService) Unpause(ctx context.Context) error {
	if err := s.owned(ctx, "unpause"); err != nil {
		return err
	}
	if _, err := s.cli.ContainerUnpause(ctx, s.c.GetContainerID(), client.ContainerUnpauseOptions{}); err != nil {
		return fmt.Errorf("unpause %s: %w", s.name, err)
	}
	if err := poll.Until(ctx, 60*time.Second, 100*time.Millisecond, s.ready); err != nil {
		return fmt.Errorf("unpause %s: %w", s.name, err)
	}
	return nil
}

func (s *dockerService) Exec(ctx context.Context, cmd ...string) (ExecResult, error) {
	if err := s.owned(ctx, "exec in"); err != nil {
		return ExecResult{ExitCode: -1}, err
	}
	code, r, err := s.c.Exec(ctx, cmd, tcexec.Multiplexed())
	if err != nil {
		return ExecResult{ExitCode: -1}, fmt.Errorf("exec in %s: %w", s.name, err)
	}
	var out bytes.Buffer
	_, _ = io.Copy(&out, r)
	return ExecResult{ExitCode: code, Output: out.String()}, nil
}

// ensureRunning starts or unpauses the container if a drill left it down.
func (s *dockerService) ensureRunning(ctx context.Context) error { return s.Start(ctx) }
