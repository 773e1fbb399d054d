package stages

import (
	"context"
	"path/filepath"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/screen"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlite"
	"github.com/mosaic-intel/mosaic/internal/watchlist"
)

func entry(id, name string, aliases ...string) watchlist.Entry {
	e := watchlist.Entry{List: "test", EntryID: id, Schema: watchlist.Person, Names: []watchlist.Name{{Value: name, Primary: true}}, BirthDates: []string{"1980-02-03"}}
	for _, a := range aliases {
		e.Names = append(e.Names, watchlist.Name{Value: a})
	}
	return e
}

// TestWatchlistRoundTrip stores entries as records, reads the lists back,
// and applies additions, changes and removals to a screening index.
func TestWatchlistRoundTrip(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	put := func(items ...*store.Item) {
		t.Helper()
		if err := st.Update(ctx, func(tx store.Tx) error { _, err := tx.PutItems(ctx, items); return err }); err != nil {
			t.Fatal(err)
		}
	}
	item := func(e watchlist.Entry) *store.Item {
		it, err := EntryItem(e, mosaic.NewMarking("WL"), "test.csv")
		if err != nil {
			t.Fatal(err)
		}
		return it
	}
	a, b := entry("1", "Viktor Brannagh", "Vik Brannagh"), entry("2", "Odile Marchetti")
	put(item(a), item(b))
	ia := item(a)
	if len(ia.Facts.Mentions) != 1 || len(ia.Facts.Statements) != 3 { // name, alias, birth date
		t.Errorf("facts of an entry: %+v", ia.Facts)
	}
	lists, _, err := StoredLists{Store: st, P: access.Local()}.Lists(ctx)
	if err != nil || len(lists) != 1 || len(lists[0].Entries) != 2 || lists[0].Entries[0].Names[1].Value != "Vik Brannagh" {
		t.Fatalf("lists = %+v, %v", lists, err)
	}
	// Hidden from a caller without the list's label.
	if l, _, _ := (StoredLists{Store: st, P: mosaic.Principal{Name: "x"}}).Lists(ctx); len(l) != 0 {
		t.Errorf("a caller without WL sees %d lists", len(l))
	}
	// Update: change a, remove b.
	a2 := entry("1", "Viktor Brannagh", "Vik Brannagh", "Viktor Branagh")
	put(item(a2), RemovalItem("test", "2", mosaic.NewMarking("WL")))
	lists, _, _ = StoredLists{Store: st, P: access.Local()}.Lists(ctx)
	if len(lists[0].Entries) != 1 || len(lists[0].Entries[0].Names) != 3 {
		t.Fatalf("after update: %+v", lists)
	}
	// The screen stage's index follows the same history, up to where the
	// stage has got: before it has passed anything, nothing is loaded.
	s := NewScreen(screen.NewIndex())
	if err := s.Restore(ctx, st); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Index().Len(); n != 0 {
		t.Errorf("restored %d entries the screen stage had not reached", n)
	}
	last, _ := st.LastSeq(ctx)
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.MarkDone(ctx, "screen", store.Range{Lo: 1, Hi: last}) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Restore(ctx, st); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Index().Len(); n != 1 {
		t.Errorf("index holds %d entries after a removal, want 1", n)
	}
	if hits := s.Index().Screen(screen.Query{Name: "Viktor Branagh"}); len(hits) == 0 || hits[0].EntryID != "1" {
		t.Errorf("screening the changed entry's new alias: %+v", hits)
	}
	if hits := s.Index().Screen(screen.Query{Name: "Odile Marchetti"}); len(hits) != 0 {
		t.Errorf("a removed entry still matches: %+v", hits)
	}
}
