package stack

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Name prefixes of the files a run leaves in the host's temporary
// directory; removeRunFiles globs for them.
const (
	runDirPrefix = "firedrill-"        // the local provider's directory
	backupPrefix = "firedrill-backup-" // a drill's database backup
)

// containerTempDir is the temporary directory inside the docker provider's
// containers: theirs, not this host's TMPDIR.
const containerTempDir = "/tmp"

// BackupPath is where a drill leaves a backup of the app's database (the
// data-deletion fault's pg_dump, which the data-restore playbook restores
// from), in the Postgres service's file system: inside its container with
// the docker provider, and on this host with the local provider, under
// os.TempDir() (TMPDIR), where Close and Cleanup look for it. Faults and
// playbooks reach it the same way either way, through
// env.Service(Postgres).Exec. The run's id keeps concurrent runs apart.
func (e *Env) BackupPath() string {
	dir, id := os.TempDir(), ""
	if e != nil {
		id = e.RunID
		if e.serviceTempDir != "" {
			dir = e.serviceTempDir
		}
	}
	if id == "" {
		return filepath.Join(dir, "firedrill-backup.dump")
	}
	return filepath.Join(dir, backupPrefix+id+".dump")
}

// removeRunFiles removes a run's files in the host's temporary directory
// (every run's when runID is empty, but those of the runs in keep): the
// local provider's directory, the drill's monitoring storage and the
// backups a drill left there (BackupPath).
func removeRunFiles(runID string, keep ...string) error {
	id := runID
	if id == "" {
		id = "2" // run ids start with the year
	}
	var errs []error
	for _, pattern := range []string{runDirPrefix + id + "*", backupPrefix + id + "*"} {
		paths, _ := filepath.Glob(filepath.Join(os.TempDir(), pattern))
		for _, p := range paths {
			if slices.ContainsFunc(keep, func(run string) bool { return strings.Contains(filepath.Base(p), run) }) {
				continue
			}
			if err := os.RemoveAll(p); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
