package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlstore"
)

// countingDialect counts the writer's switches to and from relaxed
// commits.
type countingDialect struct {
	Dialect
	relaxed, strict *int
}

func (d countingDialect) Relax() string  { *d.relaxed++; return d.Dialect.Relax() }
func (d countingDialect) Strict() string { *d.strict++; return d.Dialect.Strict() }

// TestRecomputableCommits: a transaction marked store.Recomputable
// commits relaxed, and the writer is durable (synchronous=FULL) again
// for the next transaction, whether the relaxed one committed or failed;
// an unmarked transaction is never relaxed.
func TestRecomputableCommits(t *testing.T) {
	ctx := context.Background()
	w, r, err := openDB(filepath.Join(t.TempDir(), "mosaic.db"), true)
	if err != nil {
		t.Fatal(err)
	}
	var relaxed, strict int
	s, err := sqlstore.New(ctx, r, countingDialect{relaxed: &relaxed, strict: &strict}, sqlstore.Options{Writer: w})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	durable := func(when string) {
		t.Helper()
		var level int
		if err := w.QueryRowContext(ctx, `PRAGMA synchronous`).Scan(&level); err != nil || level != 2 {
			t.Errorf("%s: the writer's synchronous is %d (%v), want 2 (FULL)", when, level, err)
		}
	}
	put := func(ctx context.Context, lo, hi int) error {
		return s.Update(ctx, func(tx store.Tx) error { _, err := tx.PutItems(ctx, records(lo, hi)); return err })
	}
	if err := put(ctx, 0, 10); err != nil {
		t.Fatal(err)
	}
	if relaxed != 0 || strict != 0 {
		t.Errorf("an unmarked transaction switched the writer: %d relaxed, %d strict", relaxed, strict)
	}
	durable("after a durable commit")
	if err := put(store.Recomputable(ctx), 10, 20); err != nil {
		t.Fatal(err)
	}
	if relaxed != 1 || strict != 1 {
		t.Errorf("a recomputable commit: %d relaxed, %d strict; want 1 and 1", relaxed, strict)
	}
	durable("after a relaxed commit")
	err = s.Update(store.Recomputable(ctx), func(store.Tx) error { return context.Canceled })
	if err != context.Canceled || relaxed != 2 || strict != 2 {
		t.Errorf("a failed recomputable transaction: %v, %d relaxed, %d strict", err, relaxed, strict)
	}
	durable("after a relaxed transaction failed")
	if n, err := s.LastSeq(ctx); err != nil || n != 20 {
		t.Errorf("last seq %d, %v; want 20", n, err)
	}
}
