package alert_test

import (
	"context"
	"errors"
	"io"
	"path/filepath"
	"sort"
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
// outside the timer) over a 2,000-person world in batches of 100 records,
// as the screen stage calls it; ns/op is per record.
func BenchmarkEvaluate(b *testing.B) {
	items := worldItems(b, 2000)
	ctx := context.Background()
	b.ResetTimer()
	b.StopTimer()
	n := 0
	for n < b.N {
		res := stages.NewResolve(resolve.New(resolve.Config{}))
		eng, err := alert.NewEngine(alert.EngineConfig{Resolver: alert.EngineResolver{Engine: res.Engine()}})
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
	}
}
