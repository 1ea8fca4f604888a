package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/firedrill/firedrill/internal/defaults"
	"github.com/firedrill/firedrill/responders"
)

// drillSet is the feature paths a command reads, as godog and the validator
// can open them: each as given when it is on disk, and a relative path that
// is not but names drills firedrill ships ("features",
// "features/error_spike.feature") extracted from the binary into a
// temporary directory. So `firedrill run` works in any repository, and a
// repository's own features/ replaces the shipped drills.
type drillSet struct {
	Paths []string
	// Origin names where each path came from: itself, or "embedded".
	Origin []string
	tmp    string
}

// resolveDrills resolves paths (features/ when there are none). Close
// removes what it extracted.
func resolveDrills(paths []string) (*drillSet, error) {
	if len(paths) == 0 {
		paths = []string{"features"}
	}
	d := &drillSet{}
	for _, p := range paths {
		if defaults.Source(p) != defaults.Embedded {
			// On disk, or nowhere: the validator names a missing path.
			d.Paths, d.Origin = append(d.Paths, p), append(d.Origin, p)
			continue
		}
		if d.tmp == "" {
			tmp, err := os.MkdirTemp("", "firedrill-drills-")
			if err != nil {
				return nil, fmt.Errorf("extract shipped drills: %w", err)
			}
			d.tmp = tmp
		}
		out, err := defaults.Extract(d.tmp, p)
		if err != nil {
			d.Close()
			return nil, err
		}
		d.Paths, d.Origin = append(d.Paths, out...), append(d.Origin, defaults.Embedded+" "+p)
	}
	return d, nil
}

// Close removes the extracted drills.
func (d *drillSet) Close() {
	if d.tmp != "" {
		_ = os.RemoveAll(d.tmp)
	}
}

// String says where the drills come from, as a person reads it.
func (d *drillSet) String() string { return strings.Join(d.Origin, ", ") }

// checkPlaybookDir refuses a --playbooks directory that is not there: the
// shipped playbooks would stand in for the user's unseen. The default
// directory may be missing; then the shipped playbooks are the playbooks.
func checkPlaybookDir(cmd *cobra.Command, dir string) error {
	if !cmd.Flags().Changed("playbooks") {
		return nil
	}
	st, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: --playbooks %s: no such directory; name the directory of your playbook YAML files, "+
			"or leave --playbooks out for ./playbooks and the shipped playbooks", ErrUsage, dir)
	case err != nil:
		return fmt.Errorf("%w: --playbooks: %w", ErrUsage, err)
	case !st.IsDir():
		return fmt.Errorf("%w: --playbooks %s: not a directory; name the directory that holds the playbook YAML files", ErrUsage, dir)
	}
	return nil
}

// ruleSources names each rule file with where it is read from.
func ruleSources(files []string) string {
	out := make([]string, len(files))
	for i, f := range files {
		switch src := defaults.Source(f); src {
		case defaults.Embedded:
			out[i] = f + " (embedded)"
		case "":
			out[i] = f + " (missing)"
		default:
			out[i] = f
		}
	}
	return strings.Join(out, ", ")
}

// playbookSources says how many playbooks come from dir and how many are
// the shipped ones.
func playbookSources(dir string, pbs map[string]*responders.Playbook) string {
	var own, shipped int
	for _, pb := range pbs {
		if pb.Embedded {
			shipped++
		} else {
			own++
		}
	}
	return fmt.Sprintf("%d in %s, %d embedded", own, dir, shipped)
}

// playbookOrigin is where a playbook was read from, for `firedrill list`.
func playbookOrigin(pb *responders.Playbook) string {
	if pb.Embedded {
		return defaults.Embedded
	}
	return pb.File
}

// sortedNames are a map's keys in order.
func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
