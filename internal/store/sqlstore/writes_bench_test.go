package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlite"
	"github.com/mosaic-intel/mosaic/internal/store/storetest"
)

// BenchmarkStageWrites measures what the resolve and link stages write
// for a batch of 1,000 travel-like records (2.5 mentions and 1.5 links a
// record, and 300 earlier mentions moved to other entities) into an
// embedded store that already holds 150 such batches: entity IDs are
// hashed, so the entity index's rows land on random pages, as in
// production. The time and bytes include storing the records, durably,
// in a transaction of their own before the stage's.
//
// Run as "durable", each commit synced, and as "recomputable", as the
// pipeline's stages commit (store.Recomputable: unsynced on SQLite).
func BenchmarkStageWrites(b *testing.B) {
	b.Run("durable", func(b *testing.B) { benchStageWrites(b, context.Background()) })
	b.Run("recomputable", func(b *testing.B) { benchStageWrites(b, store.Recomputable(context.Background())) })
}

func benchStageWrites(b *testing.B, ctx context.Context) {
	s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "m.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
	next := 0
	var assigned []mosaic.ID
	batch := func() ([]store.Assignment, map[int64][]mosaic.Link) {
		recs := make([]*store.Item, 1000)
		for i := range recs {
			recs[i] = storetest.NewRecord("pnr", mosaic.KindTravel, map[string]string{"n": fmt.Sprint(next + i)}, nil, "Ana Lima")
		}
		// The records are stored durably, as ingest stores them.
		if err := s.Update(context.Background(), func(tx store.Tx) error { _, err := tx.PutItems(ctx, recs); return err }); err != nil {
			b.Fatal(err)
		}
		as := make([]store.Assignment, 0, 2500)
		links := map[int64][]mosaic.Link{}
		for i := range 1000 {
			n := next
			next++
			item := recs[i].ID
			seq := recs[i].Seq
			var ms []mosaic.ID
			for _, role := range []string{"passenger", "flight", "to"}[:2+n%2] {
				m := mosaic.MentionID(item, role)
				ms = append(ms, m)
				as = append(as, store.Assignment{Mention: m, Entity: mosaic.HashID(mosaic.PrefixEntity, fmt.Sprint(n%5000), role), Type: mosaic.TypePerson, Item: seq, Caption: "Ana Lima"})
				assigned = append(assigned, m)
			}
			for j := 1; j < len(ms) && (i%2 == 0 || j == 1); j++ {
				ev := mosaic.ID(string(item) + "/" + fmt.Sprint(j))
				links[seq] = append(links[seq], mosaic.Link{ID: mosaic.LinkID(item, ms[0], "rel", ms[j]), Subject: ms[0], Predicate: "rel", Object: ms[j],
					Evidence: []mosaic.ID{ev, ev + "x"}, Start: t0, End: t0, Confidence: 1, Source: "pnr"})
			}
		}
		return as, links
	}
	write := func(as []store.Assignment, links map[int64][]mosaic.Link) {
		moves := map[mosaic.ID]mosaic.ID{}
		for i := range 300 {
			m := assigned[(next*7919+i*104729)%len(assigned)]
			moves[m] = mosaic.HashID(mosaic.PrefixEntity, fmt.Sprint(next, i))
		}
		if err := s.Update(ctx, func(tx store.Tx) error {
			if err := tx.Assign(ctx, as); err != nil {
				return err
			}
			if err := tx.MoveMentions(ctx, moves); err != nil {
				return err
			}
			for seq, ls := range links {
				if err := tx.PutLinks(ctx, seq, ls); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	for range 150 {
		write(batch())
	}
	var written int64
	for b.Loop() {
		w0 := bytesWritten()
		write(batch())
		written += bytesWritten() - w0
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/record")
	if written > 0 {
		b.ReportMetric(float64(written)/float64(b.N)/1000, "bytes-written/record")
	}
}

// bytesWritten is what this process has passed to write(2) so far
// (Linux's /proc/self/io wchar), or 0 where that is not known. The
// store's writes are its WAL frames and, behind them, its checkpoints.
func bytesWritten() int64 {
	b, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "wchar: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return 0
}
