package eval

import (
	"os"
	"runtime"
	"strconv"
	"testing"
)

// TestSpeed1M measures latency and throughput against a large synthetic
// list. It runs only with MOSAIC_LONG=1 (size from MOSAIC_SPEED_NAMES,
// default 1,000,000); `mosaic screen eval --speed` prints the same figures.
func TestSpeed1M(t *testing.T) {
	if os.Getenv("MOSAIC_LONG") == "" {
		t.Skip("set MOSAIC_LONG=1 for the 1M-name speed run")
	}
	n := 1_000_000
	if v, err := strconv.Atoi(os.Getenv("MOSAIC_SPEED_NAMES")); err == nil {
		n = v
	}
	entries := loadUN(t)
	ix, build := BuildLarge(entries, n, 11)
	qs := SpeedQueries(entries, 20000, 12)
	s := MeasureSpeed(ix, qs, SpeedQueries(entries, 20000, 13), runtime.GOMAXPROCS(0))
	t.Logf("names %d built in %v; heap %.0f MB; %d queries: p50 %v p95 %v p99 %v, CPU %v per query (screening thread: p50 %v, p99 %v); %.0f q/s (fresh queries) and %.0f q/s (again) with %d workers",
		s.Names, build, s.HeapMB, s.Queries, s.P50, s.P95, s.P99, s.CPUPerQuery, s.ThreadCPUP50, s.ThreadCPUP99, s.FreshQPS, s.QPS, s.Workers)
}
