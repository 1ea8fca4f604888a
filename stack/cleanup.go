package stack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// Leftovers is what carries a run's label: containers, networks, processes.
type Leftovers struct {
	Containers []string
	Networks   []string
	Processes  []int
}

// Count is the number of leftovers.
func (l Leftovers) Count() int { return len(l.Containers) + len(l.Networks) + len(l.Processes) }

// FindLeftovers lists what carries firedrill.run=runID (any run when runID
// is empty). Docker is skipped when no daemon answers.
func FindLeftovers(ctx context.Context, runID string) (Leftovers, error) {
	configureTestcontainers()
	var l Leftovers
	l.Processes = findProcesses(runID)
	if pingDocker(ctx) != nil {
		return l, nil
	}
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return l, err
	}
	defer cli.Close()
	label := RunLabel
	if runID != "" {
		label += "=" + runID
	}
	f := make(client.Filters).Add("label", label)
	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return l, fmt.Errorf("list containers: %w", err)
	}
	for _, c := range cs.Items {
		l.Containers = append(l.Containers, c.ID)
	}
	ns, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	if err != nil {
		return l, fmt.Errorf("list networks: %w", err)
	}
	for _, n := range ns.Items {
		l.Networks = append(l.Networks, n.ID)
	}
	return l, nil
}

// Cleanup removes what a run (every run, when runID is empty) left behind:
// its containers, networks and processes, and the local provider's
// directories. It returns what it removed.
func Cleanup(ctx context.Context, runID string) (Leftovers, error) {
	l, err := FindLeftovers(ctx, runID)
	if err != nil {
		return l, err
	}
	var errs []error
	for _, pid := range l.Processes {
		if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			errs = append(errs, fmt.Errorf("kill %d: %w", pid, err))
		}
	}
	if len(l.Containers)+len(l.Networks) > 0 {
		cli, err := testcontainers.NewDockerClientWithOpts(ctx)
		if err != nil {
			return l, err
		}
		defer cli.Close()
		for _, id := range l.Containers {
			if _, err := cli.ContainerRemove(ctx, id, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil {
				errs = append(errs, fmt.Errorf("remove container %.12s: %w", id, err))
			}
		}
		for _, id := range l.Networks {
			if _, err := cli.NetworkRemove(ctx, id, client.NetworkRemoveOptions{}); err != nil {
				errs = append(errs, fmt.Errorf("remove network %.12s: %w", id, err))
			}
		}
	}
	if err := removeRunFiles(runID); err != nil {
		errs = append(errs, err)
	}
	return l, errors.Join(errs...)
}

// findProcesses lists the processes whose environment holds
// FIREDRILL_RUN=runID (any value when runID is empty).
func findProcesses(runID string) []int {
	want := []byte("FIREDRILL_RUN=" + runID)
	entries, _ := os.ReadDir("/proc")
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil {
			continue
		}
		for _, kv := range bytes.Split(env, []byte{0}) {
			if runID == "" && bytes.HasPrefix(kv, want) || runID != "" && bytes.Equal(kv, want) {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}
