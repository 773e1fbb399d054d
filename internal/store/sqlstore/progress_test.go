package sqlstore_test

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlite"
)

// TestDoneRunsStayShort: a stage marking batch after batch in order keeps
// one stage_done row per unbroken run, and requeueing still cuts it.
func TestDoneRunsStayShort(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	mark := func(stage string, r store.Range) {
		t.Helper()
		if err := s.Update(ctx, func(tx store.Tx) error { return tx.MarkDone(ctx, stage, r) }); err != nil {
			t.Fatal(err)
		}
	}
	rows := func(stage string) int {
		t.Helper()
		var n int
		if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM stage_done WHERE stage = ?`, stage).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for lo := int64(1); lo <= 1000; lo += 10 {
		mark("a", store.Range{Lo: lo, Hi: lo + 9})
	}
	mark("a", store.Range{Lo: 2001, Hi: 2010}) // a gap: a second run
	mark("a", store.Range{Lo: 2011, Hi: 2011})
	mark("b", store.Range{Lo: 1001, Hi: 1010}) // another stage: its own row
	if n := rows("a"); n != 2 {
		t.Errorf("stage a has %d stage_done rows, want 2 (one per run)", n)
	}
	want := []store.Range{{Lo: 1, Hi: 1000}, {Lo: 2001, Hi: 2011}}
	if got, err := s.DoneRanges(ctx, "a"); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("DoneRanges(a) = %v, %v; want %v", got, err, want)
	}
	if got, _ := s.DoneRanges(ctx, "b"); !reflect.DeepEqual(got, []store.Range{{Lo: 1001, Hi: 1010}}) {
		t.Errorf("DoneRanges(b) = %v", got)
	}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.Requeue(ctx, "a", 500) }); err != nil {
		t.Fatal(err)
	}
	want = []store.Range{{Lo: 1, Hi: 499}, {Lo: 501, Hi: 1000}, {Lo: 2001, Hi: 2011}}
	if got, _ := s.DoneRanges(ctx, "a"); !reflect.DeepEqual(got, want) {
		t.Errorf("after requeueing 500: %v, want %v", got, want)
	}
	mark("a", store.Range{Lo: 500, Hi: 500})
	if got, _ := s.DoneRanges(ctx, "a"); !reflect.DeepEqual(got, []store.Range{{Lo: 1, Hi: 1000}, {Lo: 2001, Hi: 2011}}) {
		t.Errorf("after redoing 500: %v", got)
	}
}
