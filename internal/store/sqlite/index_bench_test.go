package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/mosaic-intel/mosaic/internal/gen"
	"github.com/mosaic-intel/mosaic/internal/ingest"
)

// BenchmarkIngestIndexing ingests the records of a generated world
// ($MOSAIC_BENCH_PEOPLE people, default 10,000) into a fresh store, with
// the full-text index written in every ingest commit ("inline", as before
// the separate index) and in its own database behind the commits
// ("separate", what Open does), and reports the process's CPU-seconds per
// 1,000 records and the records per second of each. Each iteration runs
// both, in alternating order, so that a shared machine's load weighs on
// both alike:
//
//	MOSAIC_BENCH_PEOPLE=30000 go test -run XXX -bench IngestIndexing -benchtime 4x ./internal/store/sqlite
func BenchmarkIngestIndexing(b *testing.B) {
	people := 10_000
	if n, err := strconv.Atoi(os.Getenv("MOSAIC_BENCH_PEOPLE")); err == nil && n > 0 {
		people = n
	}
	ctx := context.Background()
	world := filepath.Join(b.TempDir(), "world")
	if _, err := gen.Generate(ctx, gen.Options{Out: world, People: people, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	var paths []string
	for _, sub := range []string{"records", "watchlist"} {
		ents, err := os.ReadDir(filepath.Join(world, sub))
		if err != nil {
			b.Fatal(err)
		}
		for _, e := range ents {
			if !e.IsDir() {
				paths = append(paths, filepath.Join(world, sub, e.Name()))
			}
		}
	}
	sort.Strings(paths)
	modes := []struct {
		name     string
		separate bool
	}{{"inline", false}, {"separate", true}}
	cpu := make([]time.Duration, len(modes))
	wall := make([]time.Duration, len(modes))
	records := 0
	for i := 0; i < b.N; i++ {
		for k := range modes {
			m := (i + k) % len(modes) // alternate which goes first
			s, err := openIndex(ctx, filepath.Join(b.TempDir(), "mosaic.db"), modes[m].separate)
			if err != nil {
				b.Fatal(err)
			}
			c0, t0 := cpuTime(), time.Now()
			sum, err := ingest.New(s, nil, ingest.Options{}).Ingest(ctx, paths)
			if err != nil {
				b.Fatal(err)
			}
			cpu[m] += cpuTime() - c0
			wall[m] += time.Since(t0)
			if err := s.Close(); err != nil {
				b.Fatal(err)
			}
			if k == 0 {
				records += sum.Records
			}
		}
	}
	for m, mode := range modes {
		b.ReportMetric(cpu[m].Seconds()/float64(records)*1000, mode.name+"-cpu-s/1000rec")
		b.ReportMetric(float64(records)/wall[m].Seconds(), mode.name+"-rec/s")
	}
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
