package sqlstore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlite"
)

// BenchmarkStageWrites measures what the resolve and link stages write
// for a batch of 1,000 travel-like records (2.5 mentions and 1.5 links a
// record) into an embedded store that already holds 40 such batches: the
// rows land on random pages of the hashed-ID indexes, as in production.
func BenchmarkStageWrites(b *testing.B) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "m.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2025, 1, 2, 0, 0, 0, 0, time.UTC)
	next := 0
	batch := func() ([]store.Assignment, map[int64][]mosaic.Link) {
		as := make([]store.Assignment, 0, 2500)
		links := map[int64][]mosaic.Link{}
		for i := range 1000 {
			n := next
			next++
			item := mosaic.HashID(mosaic.PrefixRecord, fmt.Sprint(n))
			seq := int64(n + 1)
			var ms []mosaic.ID
			for _, role := range []string{"passenger", "flight", "to"}[:2+n%2] {
				m := mosaic.MentionID(item, role)
				ms = append(ms, m)
				as = append(as, store.Assignment{Mention: m, Entity: mosaic.HashID(mosaic.PrefixEntity, fmt.Sprint(n%5000), role), Type: mosaic.TypePerson, Item: seq, Caption: "Ana Lima"})
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
		if err := s.Update(ctx, func(tx store.Tx) error {
			if err := tx.Assign(ctx, as); err != nil {
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
	for range 40 {
		write(batch())
	}
	for b.Loop() {
		b.StopTimer()
		as, links := batch()
		b.StartTimer()
		write(as, links)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/1000, "ns/record")
}
