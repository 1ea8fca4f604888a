package stack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
)

// Leftovers is what carries a run's label: containers, networks, processes.
type Leftovers struct {
	Containers []string
	Networks   []string
	Processes  []int
	// Live are the runs left alone by a search of every run: their owner
	// (OwnerLabel) still runs on this host.
	Live []string
}

// Count is the number of leftovers.
func (l Leftovers) Count() int { return len(l.Containers) + len(l.Networks) + len(l.Processes) }

// marked is one thing that carries a run's label, and its owner's mark.
type marked struct {
	run, owner string
}

// FindLeftovers lists what carries firedrill.run=runID. With an empty
// runID it lists every run's, except the runs still going on this host
// (Live). Docker is skipped when no daemon answers.
func FindLeftovers(ctx context.Context, runID string) (Leftovers, error) {
	configureTestcontainers()
	var l Leftovers
	marks := map[any]marked{}
	for _, p := range findProcesses(runID) {
		l.Processes = append(l.Processes, p.pid)
		marks[p.pid] = p.marked
	}
	if pingDocker(ctx) == nil {
		if err := findDocker(ctx, runID, &l, marks); err != nil {
			return l, err
		}
	}
	if runID == "" {
		l = withoutLive(l, marks)
	}
	return l, nil
}

func findDocker(ctx context.Context, runID string, l *Leftovers, marks map[any]marked) error {
	cli, err := testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return err
	}
	defer cli.Close()
	label := RunLabel
	if runID != "" {
		label += "=" + runID
	}
	f := make(client.Filters).Add("label", label)
	cs, err := cli.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: f})
	if err != nil {
		return fmt.Errorf("list containers: %w", err)
	}
	for _, c := range cs.Items {
		l.Containers = append(l.Containers, c.ID)
		marks[c.ID] = marked{run: c.Labels[RunLabel], owner: c.Labels[OwnerLabel]}
	}
	ns, err := cli.NetworkList(ctx, client.NetworkListOptions{Filters: f})
	if err != nil {
		return fmt.Errorf("list networks: %w", err)
	}
	for _, n := range ns.Items {
		l.Networks = append(l.Networks, n.ID)
		marks[n.ID] = marked{run: n.Labels[RunLabel], owner: n.Labels[OwnerLabel]}
	}
	return nil
}

// withoutLive drops everything of the runs whose owner still runs here.
func withoutLive(l Leftovers, marks map[any]marked) Leftovers {
	live := map[string]bool{}
	for _, m := range marks {
		if m.run != "" && m.owner != "" && !live[m.run] && ownerAlive(m.owner) {
			live[m.run] = true
		}
	}
	if len(live) == 0 {
		return l
	}
	keep := func(key any) bool { return !live[marks[key].run] }
	out := Leftovers{}
	for _, id := range l.Containers {
		if keep(id) {
			out.Containers = append(out.Containers, id)
		}
	}
	for _, id := range l.Networks {
		if keep(id) {
			out.Networks = append(out.Networks, id)
		}
	}
	for _, pid := range l.Processes {
		if keep(pid) {
			out.Processes = append(out.Processes, pid)
		}
	}
	for run := range live {
		out.Live = append(out.Live, run)
	}
	sort.Strings(out.Live)
	return out
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
	if err := removeRunFiles(runID, l.Live...); err != nil {
		errs = append(errs, err)
	}
	return l, errors.Join(errs...)
}

// process is a process of a run.
type process struct {
	pid int
	marked
}

// findProcesses lists the processes whose environment holds
// FIREDRILL_RUN=runID (any value when runID is empty).
func findProcesses(runID string) []process {
	entries, _ := os.ReadDir("/proc")
	var out []process
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		env, err := os.ReadFile(filepath.Join("/proc", e.Name(), "environ"))
		if err != nil {
			continue
		}
		p := process{pid: pid}
		found := false
		for _, kv := range bytes.Split(env, []byte{0}) {
			if v, ok := bytes.CutPrefix(kv, []byte("FIREDRILL_RUN=")); ok && (runID == "" || string(v) == runID) {
				p.run, found = string(v), true
			}
			if v, ok := bytes.CutPrefix(kv, []byte("FIREDRILL_OWNER=")); ok {
				p.owner = string(v)
			}
		}
		if !found && !bytes.Contains(env, []byte("PATH=")) {
			// Redis and PostgreSQL write their process titles over their
			// environment (no PATH is left of it); they run in the run's
			// directory. A process with its environment intact (a shell
			// someone opened there) is not the run's.
			p.run, found = runOfDir(pid, runID)
		}
		if found {
			out = append(out, p)
		}
	}
	return out
}

// runOfDir is the run whose directory (firedrill-<run id>-…, see
// runDirPrefix) pid runs in, if it is runID's (any run's when runID is
// empty).
func runOfDir(pid int, runID string) (string, bool) {
	cwd, err := os.Readlink(filepath.Join("/proc", strconv.Itoa(pid), "cwd"))
	if err != nil {
		return "", false
	}
	const idLen = len("20060102-150405-abcdef")
	for _, part := range strings.Split(cwd, "/") {
		id, ok := strings.CutPrefix(part, runDirPrefix)
		if !ok || len(id) <= idLen || id[idLen] != '-' || id[0] != '2' {
			continue
		}
		id = id[:idLen]
		if runID == "" || id == runID {
			return id, true
		}
	}
	return "", false
}
