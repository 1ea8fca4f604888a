package stack

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
)

// ErrGone means something the run started disappeared under it: a
// service's container was removed by someone else, the Docker daemon
// stopped answering, the local provider's directory was deleted. It is
// the host misbehaving (exit 3), not a fault: a service a fault stopped,
// killed or paused is down, not gone.
var ErrGone = errors.New("stack gone")

// Gone reports ErrGone, wrapped with what disappeared, when the stack is
// no longer there to drill; nil while it is (whatever state its services
// are in) and for providers that cannot tell. It is cheap enough to call
// every second: one question to the Docker daemon.
func (e *Env) Gone(ctx context.Context) error {
	if e == nil || e.gone == nil {
		return nil
	}
	return e.gone(ctx)
}

// containerLister is the part of the Docker client that goneCheck needs;
// tests give it a daemon that does not answer.
type containerLister interface {
	ContainerList(ctx context.Context, options client.ContainerListOptions) (client.ContainerListResult, error)
}

// daemonPatience is how long the daemon may fail to answer before the
// stack counts as gone: a loaded daemon's slow answer is not a stopped one.
var daemonPatience = 5 * time.Second

// goneCheck asks the daemon for the run's containers (every state) and
// reports the services in want (service name to container id) whose
// container is missing or being removed. Stopped, exited and paused
// containers are there: faults put them in those states on purpose.
func goneCheck(ctx context.Context, cli containerLister, runID string, want map[string]string) error {
	f := make(client.Filters).Add("label", RunLabel+"="+runID)
	deadline := time.Now().Add(daemonPatience)
	var res client.ContainerListResult
	for {
		lctx, cancel := context.WithTimeout(ctx, daemonPatience)
		var err error
		res, err = cli.ContainerList(lctx, client.ContainerListOptions{All: true, Filters: f})
		cancel()
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			return nil // the caller is stopping anyway; not the host's fault
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: the Docker daemon stopped answering (%v); the run's containers are out of reach: "+
				"once it is back, `firedrill cleanup --run %s` removes them", ErrGone, err, runID)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(500 * time.Millisecond):
		}
	}
	present := map[string]bool{}
	for _, c := range res.Items {
		if c.State != "removing" && c.State != "dead" {
			present[c.ID] = true
		}
	}
	var missing []string
	for name, id := range want {
		if !present[id] {
			missing = append(missing, fmt.Sprintf("%s (container firedrill-%s-%s, %.12s)", name, runID, name, id))
		}
	}
	if len(missing) == 0 {
		return nil
	}
	sort.Strings(missing)
	return fmt.Errorf("%w: removed outside firedrill while the drill ran: %s", ErrGone, strings.Join(missing, ", "))
}

// dockerGone is the docker provider's Gone: the run's containers, as
// Start made them, asked for in one call.
func (r *dockerRun) dockerGone(ctx context.Context) error {
	want := map[string]string{}
	for name, s := range r.env.services {
		if ds, ok := s.(*dockerService); ok {
			want[name] = ds.c.GetContainerID()
		}
	}
	return goneCheck(ctx, r.cli, r.runID, want)
}

// localGone is the local provider's Gone: its processes are this
// process's children, and one that vanished is a crash (what faults
// model), so only the run's directory (data, sockets, logs) can be gone.
func localGone(dir string) func(context.Context) error {
	return func(context.Context) error {
		if _, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%w: the run's directory %s was deleted while the drill ran", ErrGone, dir)
		}
		return nil
	}
}

// ignoreNotFound: removing what someone else already removed is done.
func ignoreNotFound(err error) error {
	if cerrdefs.IsNotFound(err) {
		return nil
	}
	return err
}
