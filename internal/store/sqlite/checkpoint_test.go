package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mosaic-intel/mosaic/internal/store"
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
