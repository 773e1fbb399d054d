package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/prometheus/client_golang/prometheus"
)

// TestCheckpointBehind: the writer's commits leave the write-ahead log to
// the store's checkpointer, which copies it back into the database while
// the store is open; what was committed reads back after a reopen.
func TestCheckpointBehind(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mosaic.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	size := func(p string) int64 {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size(path)
	for i := 0; i < 20; i++ {
		putAll(t, s, records(i*200, (i+1)*200))
	}
	if got := size(path + "-wal"); got <= before {
		t.Fatalf("write-ahead log of %d bytes after 20 commits: the commits did not go through the log", got)
	}
	// The checkpointer runs within DefaultCheckpointEvery of the last
	// commit; allow far more on a loaded machine.
	deadline := time.Now().Add(30 * time.Second)
	for {
		runs, _ := s.CheckpointStats()
		if runs > 0 && size(path) > before+256<<10 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 30 s: %d checkpoints, database %d bytes (%d before the writes): the log was not copied back behind the commits", runs, size(path), before)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if runs, failed := s.CheckpointStats(); failed != 0 {
		t.Fatalf("%d of %d checkpoints failed", failed, runs+failed)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	n, err := s.CountInRange(ctx, store.Range{Lo: 1, Hi: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	if n != 4000 {
		t.Fatalf("%d items after reopening, want 4000", n)
	}
}

// TestWriterMetrics: each write transaction is counted under the writer
// its context names, and checkpoints under their result.
func TestWriterMetrics(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "mosaic.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	reg := prometheus.NewRegistry()
	for _, c := range s.Collectors() {
		reg.MustRegister(c)
	}
	put := func(ctx context.Context, lo, hi int) {
		if err := s.Update(ctx, func(tx store.Tx) error { _, err := tx.PutItems(ctx, records(lo, hi)); return err }); err != nil {
			t.Fatal(err)
		}
	}
	put(store.WithWriter(ctx, "ingest"), 0, 10)
	put(store.WithWriter(ctx, "ingest"), 10, 20)
	put(ctx, 20, 30)
	count := func(metric, writer string) uint64 {
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() != metric {
				continue
			}
			for _, m := range mf.GetMetric() {
				for _, l := range m.GetLabel() {
					if l.GetValue() == writer {
						if h := m.GetHistogram(); h != nil {
							return h.GetSampleCount()
						}
						return uint64(m.GetCounter().GetValue())
					}
				}
			}
		}
		return 0
	}
	for _, metric := range []string{"mosaic_store_write_wait_seconds", "mosaic_store_write_seconds", "mosaic_store_commit_seconds"} {
		if n := count(metric, "ingest"); n != 2 {
			t.Errorf("%s{writer=ingest}: %d transactions, want 2", metric, n)
		}
		if n := count(metric, "other"); n != 1 {
			t.Errorf("%s{writer=other}: %d transactions, want 1", metric, n)
		}
	}
	deadline := time.Now().Add(30 * time.Second)
	for count("mosaic_store_checkpoints_total", "ok") == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no checkpoint counted within 30 s of the commits")
		}
		time.Sleep(20 * time.Millisecond)
	}
}
