package monitors

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A burst of requests can end no sooner than its slowest answer, and no
// sooner than the machine's cores can do the work the stack does for it:
// on a host the stack saturates (two cores, three hundred requests a tick),
// the second bound is the larger one. Phase measures both for one part of a
// tick. What the rest of the machine (the stack's containers or processes,
// and anything else running on the host) used of the CPU is the machine's
// CPU time less this process's own; that divided by the cores is the least
// wall time the part could have taken. Where the machine's CPU time cannot
// be read, the bound is the slowest answer alone.

// Phase is one part of a tick being measured: Start it, do the part, then
// ask Floor.
type Phase struct {
	start time.Time
	cpu   cpuTimes
}

// StartPhase reads the clocks at the start of a part of a tick.
func StartPhase() Phase { return Phase{start: time.Now(), cpu: readCPU()} }

// Floor is the least wall time the part allowed since StartPhase: the
// larger of slowest (its slowest real answer) and the CPU time the rest of
// the machine spent meanwhile, spread over every core. busy says the
// second was the larger: the stack's throughput, not one slow answer,
// bounded the part. It never exceeds the part's wall time.
func (p Phase) Floor(slowest time.Duration) (floor time.Duration, busy bool) {
	return phaseFloor(time.Since(p.start), slowest, p.cpu, readCPU(), runtime.NumCPU())
}

// phaseFloor is Floor from a part's wall time, its slowest answer, the CPU
// times at its start and end, and the number of cores.
func phaseFloor(wall, slowest time.Duration, from, to cpuTimes, cores int) (floor time.Duration, busy bool) {
	floor = slowest
	if from.ok && to.ok && cores > 0 {
		others := (to.machine - from.machine) - (to.self - from.self)
		if byCPU := others / time.Duration(cores); byCPU > floor {
			floor, busy = byCPU, true
		}
	}
	return min(floor, max(wall, slowest)), busy
}

// cpuTimes are the CPU time the whole machine and this process have used.
type cpuTimes struct {
	machine, self time.Duration
	ok            bool
}

// cpuSources are where the machine's CPU time is read, the finest first:
// the root cgroup's accounting (nanoseconds on cgroup v1, microseconds on
// v2), then /proc/stat (ticks of 10 ms).
var cpuSources = []func() (time.Duration, bool){
	func() (time.Duration, bool) { return readInt("/sys/fs/cgroup/cpuacct/cpuacct.usage", time.Nanosecond) },
	func() (time.Duration, bool) {
		return readKey("/sys/fs/cgroup/cpu.stat", "usage_usec", time.Microsecond)
	},
	procStat,
}

// cpuSource is the first of cpuSources that answers on this machine.
var cpuSource = func() func() (time.Duration, bool) {
	for _, f := range cpuSources {
		if _, ok := f(); ok {
			return f
		}
	}
	return func() (time.Duration, bool) { return 0, false }
}()

func readCPU() cpuTimes {
	machine, ok := cpuSource()
	if !ok {
		return cpuTimes{}
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return cpuTimes{}
	}
	self := time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return cpuTimes{machine: machine, self: self, ok: true}
}

func readInt(path string, unit time.Duration) (time.Duration, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return time.Duration(n) * unit, true
}

func readKey(path, key string, unit time.Duration) (time.Duration, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), " "); ok && k == key {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				return 0, false
			}
			return time.Duration(n) * unit, true
		}
	}
	return 0, false
}

// procStat is the machine's busy time from /proc/stat's first line: user,
// nice, system, irq, softirq and steal, in USER_HZ ticks (100 a second on
// every Linux that Go runs on).
func procStat() (time.Duration, bool) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadString('\n')
	if err != nil {
		return 0, false
	}
	fields := strings.Fields(line)
	if len(fields) < 9 || fields[0] != "cpu" {
		return 0, false
	}
	var ticks int64
	for _, i := range []int{1, 2, 3, 6, 7, 8} { // user nice system irq softirq steal
		n, err := strconv.ParseInt(fields[i], 10, 64)
		if err != nil {
			return 0, false
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond, true
}
