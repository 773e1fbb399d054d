package resolve

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/mosaic-intel/mosaic/internal/resolve/eval"
)

// benchN is the number of records for the scale benchmarks
// (MOSAIC_BENCH_N, default 1,000,000).
func benchN(b *testing.B) int {
	if s := os.Getenv("MOSAIC_BENCH_N"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatal(err)
		}
		return n
	}
	return 1_000_000
}

func heapInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// BenchmarkBatch resolves N synthetic records (N/4 people, 4 noisy records
// each) in one batch and reports seconds, quality and engine memory.
//
//	go test ./internal/resolve -run '^$' -bench 'Batch$' -benchtime 1x
func BenchmarkBatch(b *testing.B) {
	n := benchN(b)
	recs, truth := synthWorld(n/4, 4, 42)
	for b.Loop() {
		before := heapInUse()
		cpu0 := cpuTime()
		start := time.Now()
		e := New(Config{})
		if err := e.AddBatch(context.Background(), recs); err != nil {
			b.Fatal(err)
		}
		sec := time.Since(start).Seconds()
		cpu := (cpuTime() - cpu0).Seconds()
		b.StopTimer()
		mem := heapInUse() - before
		rep := eval.Compare(e.Clusters(), truth)
		b.ReportMetric(sec, "s/batch")
		b.ReportMetric(cpu, "cpu-s/batch")
		b.ReportMetric(float64(mem)/float64(n), "B/record")
		b.ReportMetric(rep.Pairwise.F1, "pairF1")
		b.ReportMetric(rep.BCubed.F1, "b3F1")
		b.Logf("n=%d: %.1fs wall, %.1fs CPU, %.0f B/record engine memory, %v", n, sec, cpu, float64(mem)/float64(n), rep)
		runtime.KeepAlive(e)
		b.StartTimer()
	}
}

// BenchmarkStream loads N records in a batch, then adds 20,000 more one at
// a time and reports the latency distribution of Add.
//
//	go test ./internal/resolve -run '^$' -bench 'Stream$' -benchtime 1x
func BenchmarkStream(b *testing.B) {
	n := benchN(b)
	const extra = 20_000
	recs, _ := synthWorld((n+extra)/4, 4, 43)
	// Interleave so the streamed records belong to people already loaded.
	rng := slices.Clone(recs)
	var load, stream []Record
	for i, r := range rng {
		if i%((n+extra)/extra) == 0 && len(stream) < extra {
			stream = append(stream, r)
		} else {
			load = append(load, r)
		}
	}
	for b.Loop() {
		b.StopTimer()
		e := New(Config{})
		if err := e.AddBatch(context.Background(), load); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		lat := make([]time.Duration, 0, len(stream))
		cpuLat := make([]time.Duration, 0, len(stream))
		slow, slowCompared, slowMoves := 0, 0, 0
		runtime.LockOSThread()
		for _, r := range stream {
			c0 := threadCPU()
			t0 := time.Now()
			d, err := e.Add(r)
			if err != nil {
				b.Fatal(err)
			}
			el := time.Since(t0)
			cpuLat = append(cpuLat, threadCPU()-c0)
			lat = append(lat, el)
			if el > time.Millisecond {
				slow++
				slowCompared += d.Compared
				slowMoves += len(d.Moves)
			}
		}
		if slow > 0 {
			b.Logf("%d adds over 1ms: mean %d candidates, %d moves in all", slow, slowCompared/slow, slowMoves)
		}
		runtime.UnlockOSThread()
		b.StopTimer()
		slices.Sort(lat)
		slices.Sort(cpuLat)
		cq := func(p float64) float64 { return float64(cpuLat[int(p*float64(len(cpuLat)-1))].Microseconds()) }
		b.ReportMetric(cq(0.99), "p99-cpu-µs")
		b.Logf("thread CPU per Add: p50 %.0fµs p99 %.0fµs max %.0fµs", cq(0.5), cq(0.99), cq(1))
		q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) }
		b.ReportMetric(q(0.5), "p50-µs")
		b.ReportMetric(q(0.99), "p99-µs")
		b.ReportMetric(q(1), "max-µs")
		b.Logf("%d loaded, %d streamed: p50 %.0fµs p99 %.0fµs max %.0fµs", len(load), len(stream), q(0.5), q(0.99), q(1))
		b.StartTimer()
	}
}

var _ = fmt.Sprint

// threadCPU is the calling OS thread's CPU time (the goroutine must be
// locked to its thread): the work of one call, without the time other
// processes on a shared machine take.
func threadCPU() time.Duration {
	var ts syscall.Timespec
	const clockThreadCPUTime = 3 // CLOCK_THREAD_CPUTIME_ID
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return 0
	}
	return time.Duration(ts.Nano())
}

// cpuTime is the process's user plus system CPU time: on a shared machine
// it measures the work done whatever else runs.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
