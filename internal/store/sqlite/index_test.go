package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlstore"
	"github.com/mosaic-intel/mosaic/internal/store/storetest"
)

var everyone = mosaic.Principal{Name: "all", All: true}

func records(lo, hi int) []*store.Item {
	var out []*store.Item
	for i := lo; i < hi; i++ {
		w := fmt.Sprintf("qxname%d", i)
		out = append(out, storetest.NewRecord("src", mosaic.KindPerson, map[string]string{"name": w}, nil, w))
	}
	return out
}

func putAll(t *testing.T, s *sqlstore.Store, items []*store.Item) {
	t.Helper()
	ctx := context.Background()
	if err := s.Update(ctx, func(tx store.Tx) error { _, err := tx.PutItems(ctx, items); return err }); err != nil {
		t.Fatal(err)
	}
}

func lag(t *testing.T, s *sqlstore.Store) int64 {
	t.Helper()
	n, err := s.IndexLag(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// indexed counts the rows of the separate index of the store at path.
func indexed(t *testing.T, path string) int64 {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+IndexPath(path)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int64
	if err := db.QueryRow(`SELECT COUNT(*) FROM search`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func found(t *testing.T, s store.Store, lo, hi int) {
	t.Helper()
	for i := lo; i < hi; i++ {
		hits, err := s.Search(context.Background(), everyone, fmt.Sprintf("qxname%d", i), 5)
		if err != nil || len(hits) != 1 {
			t.Errorf("search qxname%d: %v, %v; want one hit", i, hits, err)
		}
	}
}

// TestIndexBehindCommits: committed items wait for the separate index
// (their text in the store's memory) until a search, FlushIndex or Close;
// a store opened over waiting items (the one that committed them stopped
// without closing, as in a crash) indexes them from the items table
// before it is used.
func TestIndexBehindCommits(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	putAll(t, s, records(0, 4))
	putAll(t, s, records(4, 8))
	if got, n := lag(t, s), indexed(t, path); got != 8 || n != 0 {
		t.Fatalf("after 8 items, far below a batch: %d waiting, %d indexed; want 8 and 0", got, n)
	}
	if err := s.FlushIndex(ctx); err != nil {
		t.Fatal(err)
	}
	if got, n := lag(t, s), indexed(t, path); got != 0 || n != 8 {
		t.Fatalf("after FlushIndex: %d waiting, %d indexed; want 0 and 8", got, n)
	}
	putAll(t, s, records(8, 15))
	// s is left open, its 7 waiting items in its memory only.
	s2, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got, n := lag(t, s2), indexed(t, path); got != 0 || n != 15 {
		t.Fatalf("after opening over waiting items: %d waiting, %d indexed; want 0 and 15", got, n)
	}
	if err := s2.Check(ctx); err != nil {
		t.Fatal(err)
	}
	found(t, s2, 0, 15)
	if err := s.Close(); err != nil { // nothing of its own left to index
		t.Fatal(err)
	}
	if n := indexed(t, path); n != 15 {
		t.Fatalf("%d indexed after the first handle closed, want 15", n)
	}
}

// TestIndexBatchesBehind: once a batch of items waits, the store's
// indexing goroutine indexes them without being asked.
func TestIndexBatchesBehind(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mosaic.db")
	w, r, err := openDB(path, false)
	if err != nil {
		t.Fatal(err)
	}
	ti, err := openTextIndex(ctx, IndexPath(path))
	if err != nil {
		t.Fatal(err)
	}
	s, err := sqlstore.New(ctx, r, Dialect{}, sqlstore.Options{Writer: w, TextIndex: ti, IndexBatch: 10})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	putAll(t, s, records(0, 6))
	putAll(t, s, records(6, 12)) // a batch is ready: the goroutine indexes
	ready := false
	for i := 0; i < 2000 && !ready; i++ { // wait for it, up to 20 s
		ready = lag(t, s) == 0
		if !ready {
			sleep()
		}
	}
	if !ready {
		t.Fatalf("12 items waiting with batches of 10: still %d waiting", lag(t, s))
	}
}

// TestIndexRebuilt: a store whose items were indexed in the store's own
// search table (before the separate index), or whose index file is lost,
// gets its index rebuilt from the items at Open.
func TestIndexRebuilt(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mosaic.db")
	old, err := openIndex(ctx, path, false)
	if err != nil {
		t.Fatal(err)
	}
	putAll(t, old, records(0, 5))
	docs := []*store.Item{storetest.NewDocument("reports", "Report", "The qxname5 met qxname6 in Leeds.", nil)}
	putAll(t, old, docs)
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}
	check := func() {
		t.Helper()
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var n int
		if err := s.DB().QueryRow(`SELECT COUNT(*) FROM search`).Scan(&n); err != nil || n != 0 {
			t.Errorf("the store's own search table holds %d rows (%v), want none", n, err)
		}
		if err := s.Check(ctx); err != nil {
			t.Fatal(err)
		}
		found(t, s, 0, 7)
		if hits, err := s.Search(ctx, everyone, "leeds", 5); err != nil || len(hits) != 1 || hits[0].ID != docs[0].ID {
			t.Errorf("search leeds: %v, %v; want the document", hits, err)
		}
	}
	check()
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(IndexPath(path) + suffix)
	}
	check()
}

// TestCheckIndex: Check finds items at or below the watermark missing
// from the index, and indexed rows that are no items.
func TestCheckIndex(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	putAll(t, s, records(0, 5))
	if err := s.FlushIndex(ctx); err != nil {
		t.Fatal(err)
	}
	items := records(5, 8)
	putAll(t, s, items) // waiting
	if err := s.Check(ctx); err != nil {
		t.Fatalf("Check on a healthy store with items waiting: %v", err)
	}
	db, err := sql.Open("sqlite", "file:"+IndexPath(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// A watermark past items that are not indexed.
	if _, err := db.Exec(`UPDATE search_indexed SET seq = ?`, items[2].Seq); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(ctx); err == nil || !strings.Contains(err.Error(), "3 items at or below the watermark") {
		t.Fatalf("Check with items missing from the index: %v", err)
	}
	if _, err := db.Exec(`INSERT INTO search(rowid, title, body) VALUES(?, 'x', 'y'), (?, 'x', 'y'), (?, 'x', 'y'), (?, 'x', 'y')`,
		items[0].Seq, items[1].Seq, items[2].Seq, items[2].Seq+1000); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(ctx); err == nil || !strings.Contains(err.Error(), "1 indexed rows") {
		t.Fatalf("Check with a row for no item: %v", err)
	}
}

func sleep() { time.Sleep(10 * time.Millisecond) }

// openTemp opens a store in a new temporary directory, closed when the
// test ends, and returns it with its path.
func openTemp(t *testing.T) (*sqlstore.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "mosaic.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}
