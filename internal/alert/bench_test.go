package alert_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/alert"
	"github.com/mosaic-intel/mosaic/internal/format"
	"github.com/mosaic-intel/mosaic/internal/gen"
	"github.com/mosaic-intel/mosaic/internal/mapping"
	"github.com/mosaic-intel/mosaic/internal/resolve"
	"github.com/mosaic-intel/mosaic/internal/stages"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// worldItems maps a generated world's watch list and records to items, the
// watch list first and the rest in date order.
func worldItems(b *testing.B, people int) []*store.Item {
	b.Helper()
	ctx := context.Background()
	dir := b.TempDir()
	if _, err := gen.Generate(ctx, gen.Options{Out: dir, People: people, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	maps := mapping.Builtin()
	var head, items []*store.Item
	for _, p := range []string{"watchlist", "records"} {
		err := format.Walk(ctx, filepath.Join(dir, p), format.Options{}, func(fi format.Item) error {
			m := maps.For(fi.Path)
			if m == nil || fi.Rows == nil {
				return nil
			}
			for {
				row, err := fi.Rows.Next()
				if errors.Is(err, io.EOF) {
					return nil
				}
				if err != nil {
					continue
				}
				it, err := m.Item(fi.Path, row.Line, row.Fields, nil)
				if err != nil {
					continue
				}
				if p == "watchlist" {
					head = append(head, it)
				} else {
					items = append(items, it)
				}
			}
		}, func(format.Rejection) {})
		if err != nil {
			b.Fatal(err)
		}
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].Record.Observed.Before(items[j].Record.Observed) })
	all := append(head, items...)
	for i, it := range all {
		it.Seq = int64(i + 1)
	}
	return all
}

// BenchmarkEvaluate measures the rules engine alone (resolution runs
// outside the timer) over a generated world (2,000 people, or
// MOSAIC_BENCH_PEOPLE) in batches of 100 records, as the rules stage
// calls it; ns/op is per record. "withdraw" is the engine as it runs
// (re-checking the alerts it raised whose entities changed), "keepstale"
// the engine without withdrawal (EngineConfig.KeepStale), for the cost of
// re-checking; compared/op and rechecked/op count alert signatures
// compared and alerts re-evaluated per record.
func BenchmarkEvaluate(b *testing.B) {
	people := 2000
	if s := os.Getenv("MOSAIC_BENCH_PEOPLE"); s != "" {
		people, _ = strconv.Atoi(s)
	}
	items := worldItems(b, people)
	for _, keep := range []bool{false, true} {
		name := "withdraw"
		if keep {
			name = "keepstale"
		}
		b.Run(name, func(b *testing.B) { benchEvaluate(b, items, keep) })
	}
}

func benchEvaluate(b *testing.B, items []*store.Item, keep bool) {
	ctx := context.Background()
	b.ResetTimer()
	b.StopTimer()
	n := 0
	var rs alert.RecheckStats
	for n < b.N {
		res := stages.NewResolve(resolve.New(resolve.Config{}))
		eng, err := alert.NewEngine(alert.EngineConfig{Resolver: alert.EngineResolver{Engine: res.Engine()}, KeepStale: keep})
		if err != nil {
			b.Fatal(err)
		}
		for lo := 0; lo < len(items) && n < b.N; lo += 100 {
			batch := items[lo:min(lo+100, len(items))]
			if _, err := res.Process(ctx, batch); err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if _, err := eng.Evaluate(ctx, batch); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			n += len(batch)
		}
		s := eng.RecheckStats()
		rs.Compared += s.Compared
		rs.Rechecked += s.Rechecked
		rs.Withdrawn += s.Withdrawn
		rs.Time += s.Time
	}
	b.ReportMetric(float64(rs.Time.Nanoseconds())/float64(n), "withdraw-ns/op")
	b.ReportMetric(float64(rs.Compared)/float64(n), "compared/op")
	b.ReportMetric(float64(rs.Rechecked)/float64(n), "rechecked/op")
	b.ReportMetric(float64(rs.Withdrawn), "withdrawn")
}
