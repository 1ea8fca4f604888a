package stack

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"sync"
)

// OwnerLabel (FIREDRILL_OWNER in a process's environment) names the
// firedrill process that started a run: host, pid and that process's
// start time. `firedrill cleanup` of every run leaves alone the runs whose
// owner still runs on this host: on a machine or CI runner shared by
// several runs, one run's cleanup must not take another's stack away.
const OwnerLabel = "firedrill.owner"

var (
	ownerOnce sync.Once
	ownerID   string
)

// owner is this process's owner mark: "host/pid/start".
func owner() string {
	ownerOnce.Do(func() {
		host, _ := os.Hostname()
		pid := os.Getpid()
		ownerID = host + "/" + strconv.Itoa(pid) + "/" + procStart(pid)
	})
	return ownerID
}

// procStart is when pid started, in clock ticks after boot (field 22 of
// /proc/pid/stat): with the pid, it names one process, never a later one
// that reused the pid. Empty when pid does not run.
func procStart(pid int) string {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 20 || f[0] == "Z" || f[0] == "X" {
		return ""
	}
	return f[19]
}

// ownerAlive says whether the owner mark names a process that still runs
// on this host. A mark from another host (a CI job in a container of its
// own) cannot be checked from here: it counts as not alive, so cleanup
// removes that run as it always did.
func ownerAlive(mark string) bool {
	parts := strings.Split(mark, "/")
	if len(parts) != 3 || parts[2] == "" {
		return false
	}
	host, _ := os.Hostname()
	pid, err := strconv.Atoi(parts[1])
	if parts[0] != host || err != nil {
		return false
	}
	return procStart(pid) == parts[2]
}
