// Package gcpolicy sets the Go garbage collector's policy for the mosaic
// process.
//
// Go's default (GOGC=100: collect when the heap has grown by as much as
// was live) suits a program with memory to spare poorly. Resolution and
// linking allocate steadily while records stream in, and on two cores the
// collector's marking and the assists it asks of allocating goroutines
// land on the urgent path as well: at 5,000 records/s the screening
// alerts' p99 was 163-354 ms under the default against 135-172 ms with
// GOGC=300, for 6% less CPU in all and 1.4 GB more peak memory on a
// 20,000-person world (docs/benchmarks/alerts.md). So mosaic collects
// less often, and bounds the heap instead with a soft memory limit, half
// the memory the machine (or its container) has, which the collector works
// harder to keep under.
//
// The usual environment variables win: with GOGC or GOMEMLIMIT set, that
// setting is left as the user gave it.
package gcpolicy

import (
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// Percent is the GOGC value mosaic uses when GOGC is not set.
const Percent = 300

// Policy says what Apply did.
type Policy struct {
	GCPercent   int   // 0: GOGC was set and left alone
	MemoryLimit int64 // bytes; 0: GOMEMLIMIT was set, or the memory is unknown
}

// Apply sets the collector's policy unless the environment does.
func Apply() Policy {
	var p Policy
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(Percent)
		p.GCPercent = Percent
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		if m := available(); m > 0 {
			debug.SetMemoryLimit(m / 2)
			p.MemoryLimit = m / 2
		}
	}
	return p
}

// available returns the memory this process may use: the machine's, or
// less when a cgroup (a container) limits it; 0 when unknown.
func available() int64 {
	m := physical()
	for _, f := range []string{"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err == nil && v > 0 && (m == 0 || v < m) {
			m = v
		}
	}
	return m
}
