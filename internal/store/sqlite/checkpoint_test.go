package sqlite

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestCheckpointBehindWriter: while the store is open, what its commits
// put in the write-ahead log reaches the database file through the
// checkpointer, although the writer's own threshold is far from reached.
func TestCheckpointBehindWriter(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mosaic.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	before := fileSize(t, path)
	putAll(t, s, records(0, 3000))
	if wal := fileSize(t, path+"-wal"); wal/4096 >= writerCheckpointPages {
		t.Fatalf("the log holds %d bytes, past the writer's own threshold: the test proves nothing", wal)
	}
	deadline := time.Now().Add(20 * time.Second)
	for fileSize(t, path) <= before {
		if time.Now().After(deadline) {
			t.Fatalf("database file still %d bytes 20 s after the commit: nothing checkpointed it", before)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestCheckpointerStops: Close stops the goroutine and closes its
// connection, and a second Close is harmless to the goroutine.
func TestCheckpointerStops(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mosaic.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	putAll(t, s, records(0, 10))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// The last connection's close folds the log into the database and
	// removes it: no connection of the checkpointer is left open.
	if _, err := os.Stat(path + "-wal"); !os.IsNotExist(err) {
		t.Fatalf("write-ahead log still there after Close (err %v): a connection was left open", err)
	}
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}
