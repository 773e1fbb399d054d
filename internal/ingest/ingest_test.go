package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/gen"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlite"
	"github.com/mosaic-intel/mosaic/internal/store/sqlstore"
)

func openStore(t testing.TB) *sqlstore.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "mosaic.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func world(t testing.TB, people int) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), gen.Options{Out: dir, People: people, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	return dir
}

// submitter records what the pipeline was handed.
type submitter struct {
	mu     sync.Mutex
	ranges []store.Range
}

func (s *submitter) Submit(_ context.Context, rs []store.Range) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ranges = append(s.ranges, rs...)
	return nil
}

func TestIngestWorld(t *testing.T) {
	w := world(t, 300)
	st := openStore(t)
	sub := &submitter{}
	var batches [][]*store.Item
	in := New(st, sub, Options{BatchSize: 250, Committed: func(items []*store.Item) {
		batches = append(batches, slices.Clone(items))
	}})
	ctx := context.Background()
	paths := []string{filepath.Join(w, "watchlist"), filepath.Join(w, "records"), filepath.Join(w, "reports")}
	sum, err := in.Ingest(ctx, paths)
	if err != nil {
		t.Fatal(err)
	}
	if len(sum.Rejected) > 0 {
		t.Fatalf("rejected: %v", sum.Rejected)
	}
	total := sum.Records + sum.Documents
	if sum.Added != total || sum.Duplicates != 0 || sum.Documents == 0 || sum.Records < 1000 {
		t.Fatalf("summary %+v", sum)
	}
	// Batches are committed one at a time, in input order: seqs grow in
	// the order the items were read, and each batch is reported once.
	var seqs []int64
	for i, b := range batches {
		if len(b) == 0 || len(b) > 250 {
			t.Errorf("batch %d has %d items", i, len(b))
		}
		for _, it := range b {
			if it.Seq <= 0 || it.Stored.IsZero() {
				t.Fatalf("committed item %s has seq %d, stored %v", it.ID, it.Seq, it.Stored)
			}
			seqs = append(seqs, it.Seq)
		}
	}
	if len(seqs) != total || !slices.IsSorted(seqs) {
		t.Errorf("%d items reported committed (want %d), in seq order: %v", len(seqs), total, slices.IsSorted(seqs))
	}
	if first := batches[0][0]; first.Record == nil || first.Record.Kind != mosaic.KindWatchlistEntry {
		t.Errorf("first committed item is %+v, want the first watch-list entry (inputs in order)", first)
	}
	// Every new item was handed to the pipeline.
	if got := pipeline.Covered(store.MergeRanges(sub.ranges), sum.LastSeq); got != int64(total) {
		t.Errorf("submitted %d seqs, want %d", got, total)
	}
	stats, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if stats.Records != int64(sum.Records) || stats.Documents != int64(sum.Documents) || stats.Statements == 0 {
		t.Errorf("stats %+v for summary %+v", stats, sum)
	}
	hits, err := st.Search(ctx, pipeline.System, batches[0][0].Record.Fields["name"], 5)
	if err != nil || len(hits) == 0 {
		t.Errorf("search for a stored name: %v, %v", hits, err)
	}

	// The same input again adds nothing and submits nothing.
	sub.ranges, batches = nil, nil
	again, err := in.Ingest(ctx, paths)
	if err != nil {
		t.Fatal(err)
	}
	if again.Added != 0 || again.Duplicates != total || len(sub.ranges) != 0 || again.LastSeq != sum.LastSeq {
		t.Errorf("re-ingest: %+v, submitted %v", again, sub.ranges)
	}
	for _, b := range batches {
		for _, it := range b {
			if it.Seq <= 0 || !it.Stored.IsZero() {
				t.Fatalf("duplicate %s: seq %d, stored %v", it.ID, it.Seq, it.Stored)
			}
		}
	}
}

// failingStore fails the transaction after n successful ones.
type failingStore struct {
	Store
	mu sync.Mutex
	n  int
}

var errDisk = errors.New("disk on fire")

func (f *failingStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	f.mu.Lock()
	f.n--
	fail := f.n < 0
	f.mu.Unlock()
	if fail {
		return errDisk
	}
	return f.Store.Update(ctx, fn)
}

func TestIngestStoreFailureStops(t *testing.T) {
	w := world(t, 300)
	st := openStore(t)
	var committed int
	in := New(&failingStore{Store: st, n: 2}, nil, Options{BatchSize: 100, Committed: func(items []*store.Item) { committed += len(items) }})
	sum, err := in.Ingest(context.Background(), []string{filepath.Join(w, "records")})
	if !errors.Is(err, errDisk) {
		t.Fatalf("err = %v, want the store's", err)
	}
	if committed != 200 || sum.Added != 200 {
		t.Errorf("committed %d, added %d: want the two batches before the failure", committed, sum.Added)
	}
	if last, _ := st.LastSeq(context.Background()); last != 200 {
		t.Errorf("store holds up to seq %d, want 200", last)
	}
}

func TestIngestCancel(t *testing.T) {
	w := world(t, 300)
	st := openStore(t)
	ctx, cancel := context.WithCancel(context.Background())
	in := New(st, nil, Options{BatchSize: 50, Committed: func([]*store.Item) { cancel() }})
	_, err := in.Ingest(ctx, []string{filepath.Join(w, "records")})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want cancelled", err)
	}
}

func TestIngestRejectsAndGoesOn(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "records"), 0o755)
	os.WriteFile(filepath.Join(dir, "records", "person.csv"), []byte("person_id,full_name,date_of_birth,address,email,nationality,phone\nP1,Ana Lima,1990-01-01,,,,\nP2,\"bad\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "notes.csv"), []byte("a,b\n1,2\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "empty.txt"), nil, 0o644)
	os.WriteFile(filepath.Join(dir, "report.txt"), []byte("Ana Lima met Bo Chen in Leeds."), 0o644)
	st := openStore(t)
	sum, err := New(st, nil, Options{}).Ingest(context.Background(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Added != 2 || sum.Records != 1 || sum.Documents != 1 {
		t.Errorf("summary %+v, want one record and one document stored", sum)
	}
	joined := strings.Join(sum.Rejected, "\n")
	for _, want := range []string{"notes.csv", "empty.txt", "person.csv:3"} {
		if !strings.Contains(joined, want) {
			t.Errorf("no rejection naming %s in:\n%s", want, joined)
		}
	}
}

func TestRanges(t *testing.T) {
	for _, tc := range []struct {
		in   []int64
		want string
	}{
		{nil, "[]"},
		{[]int64{5}, "[{5 5}]"},
		{[]int64{3, 1, 2, 7, 8, 10}, "[{1 3} {7 8} {10 10}]"},
		{[]int64{4, 4, 5}, "[{4 5}]"},
	} {
		if got := fmt.Sprint(Ranges(tc.in)); got != tc.want {
			t.Errorf("Ranges(%v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// BenchmarkIngestRecords measures the records path (parse, map, store,
// index) into SQLite without a pipeline; `mosaic bench ingest` measures it
// with the embedded stream and a baseline.
func BenchmarkIngestRecords(b *testing.B) {
	w := world(b, 2000)
	var n int
	for b.Loop() {
		b.StopTimer()
		st := openStore(b)
		b.StartTimer()
		sum, err := New(st, nil, Options{}).Ingest(context.Background(), []string{filepath.Join(w, "records")})
		if err != nil {
			b.Fatal(err)
		}
		n = sum.Records
	}
	b.ReportMetric(float64(n)*float64(b.N)/b.Elapsed().Seconds(), "records/s")
}
