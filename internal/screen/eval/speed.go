package eval

import (
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mosaic-intel/mosaic/internal/screen"
	"github.com/mosaic-intel/mosaic/internal/watchlist"
)

// Speed is the result of a speed run.
type Speed struct {
	Names         int
	BuildTime     time.Duration
	Queries       int
	P50, P95, P99 time.Duration
	CPUPerQuery   time.Duration // process CPU time (all threads, GC included) per query in the one-at-a-time pass
	// CPU time of the screening thread per query in the one-at-a-time
	// pass (Linux; background garbage collection on other threads is not
	// in it): latency without the waits for a core of a loaded machine.
	ThreadCPUP50, ThreadCPUP99 time.Duration
	QPS                        float64 // with Workers goroutines, the same queries again
	FreshQPS                   float64 // with Workers goroutines, queries not screened before
	Workers                    int
	HeapMB                     float64
}

// BuildLarge indexes base plus n synthetic person names.
func BuildLarge(base []watchlist.Entry, n int, seed uint64) (*screen.Index, time.Duration) {
	ix := screen.NewIndex()
	start := time.Now()
	ix.ReplaceList("un", base)
	ix.ReplaceList("synthetic", Synthetic(n, seed))
	return ix, time.Since(start)
}

// MeasureSpeed screens qs one at a time for latency, then fresh (queries
// not screened before, whose tokens' matches are not yet cached) and qs
// again with workers goroutines for throughput.
func MeasureSpeed(ix *screen.Index, qs, fresh []screen.Query, workers int) Speed {
	var s Speed
	s.Queries = len(qs)
	lat := make([]time.Duration, len(qs))
	tcpu := make([]time.Duration, len(qs))
	runtime.LockOSThread()
	cpu0 := cpuTime()
	for i, q := range qs {
		c := threadCPU()
		t := time.Now()
		ix.Screen(q)
		lat[i] = time.Since(t)
		tcpu[i] = threadCPU() - c
	}
	s.CPUPerQuery = (cpuTime() - cpu0) / time.Duration(max(1, len(qs)))
	runtime.UnlockOSThread()
	pct := func(d []time.Duration, p float64) time.Duration {
		sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
		return d[min(len(d)-1, int(p*float64(len(d))))]
	}
	s.P50, s.P95, s.P99 = pct(lat, 0.50), pct(lat, 0.95), pct(lat, 0.99)
	s.ThreadCPUP50, s.ThreadCPUP99 = pct(tcpu, 0.50), pct(tcpu, 0.99)
	s.Workers = workers
	if len(fresh) > 0 {
		s.FreshQPS = throughput(ix, fresh, workers)
	}
	s.QPS = throughput(ix, qs, workers)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	s.HeapMB = float64(ms.HeapAlloc) / (1 << 20)
	_, s.Names = ix.Len()
	return s
}

// throughput screens qs with workers goroutines and returns queries per
// second.
func throughput(ix *screen.Index, qs []screen.Query, workers int) float64 {
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(len(qs)) {
					return
				}
				ix.Screen(qs[i])
			}
		}()
	}
	wg.Wait()
	return float64(len(qs)) / time.Since(start).Seconds()
}

// SpeedQueries mixes perturbed list names and generated names, half each.
func SpeedQueries(entries []watchlist.Entry, n int, seed uint64) []screen.Query {
	pos := Positives(entries, -1, seed, V1)
	neg := Negatives(entries, n/2, seed+1, V1)
	out := make([]screen.Query, 0, n)
	for i := 0; len(out) < n; i++ {
		if i%2 == 0 && len(pos) > 0 {
			out = append(out, pos[(i/2*7919)%len(pos)].Query)
		} else {
			out = append(out, neg[(i/2)%len(neg)].Query)
		}
	}
	return out
}

// cpuTime returns the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// RecallIn returns the recall, at the index's default threshold, of the
// test-half positives of set v when screened against ix (which must hold
// the UN entries, and may hold many other names): how much of the recall
// measured against the UN list alone survives in a large list.
func RecallIn(ix *screen.Index, entries []watchlist.Entry, v Version) float64 {
	r, _ := Rates(Run(ix, Positives(entries, TestPart, TestPosSeed, v)), nil, screen.DefaultThreshold)
	return r
}
