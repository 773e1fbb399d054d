package storetest

import (
	"context"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// ResolutionMigrated tests that assignments written before the
// resolution table was kept by item survive the migration. old is a store
// at the schema before; insert writes one row into its resolution table
// as that schema's code did; reopen closes old and opens the store
// again, migrating it. Each record's mention is assigned, and one mention
// whose ID does not begin with its item's ID: all are found afterwards,
// can be moved, and list under their entity.
func ResolutionMigrated(t *testing.T, old store.Store, insert func(mention mosaic.ID, entity mosaic.ID, item int64) error, reopen func() store.Store) {
	t.Helper()
	ctx := context.Background()
	items := make([]*store.Item, 3)
	for i := range items {
		items[i] = NewRecord("pnr", mosaic.KindTravel, map[string]string{"n": string(rune('a' + i))}, nil, "Ana Lima")
	}
	if err := old.Update(ctx, func(tx store.Tx) error { _, err := tx.PutItems(ctx, items); return err }); err != nil {
		t.Fatal(err)
	}
	m := func(i int) mosaic.ID { return items[i].Facts.Mentions[0].ID }
	const odd = mosaic.ID("elsewhere/m-x")
	want := map[mosaic.ID]mosaic.ID{odd: "ent-z", "rec-none/m-y": ""}
	for i, it := range items {
		e := mosaic.ID("ent-" + string(rune('a'+i)))
		want[m(i)] = e
		if err := insert(m(i), e, it.Seq); err != nil {
			t.Fatal(err)
		}
	}
	if err := insert(odd, "ent-z", items[2].Seq); err != nil {
		t.Fatal(err)
	}
	s := reopen()
	defer s.Close()
	check := func(when string) {
		t.Helper()
		var ms []mosaic.ID
		for m := range want {
			ms = append(ms, m)
		}
		got, err := s.EntityOf(ctx, ms)
		if err != nil {
			t.Fatal(err)
		}
		for m, e := range want {
			if got[m] != e {
				t.Errorf("%s: entity of %s = %q, want %q", when, m, got[m], e)
			}
		}
	}
	check("after migrating")
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.MoveMentions(ctx, map[mosaic.ID]mosaic.ID{odd: "ent-c", m(0): "ent-c"})
	}); err != nil {
		t.Fatal(err)
	}
	want[odd], want[m(0)] = "ent-c", "ent-c"
	check("after moving")
	if ms, err := s.Members(ctx, "ent-c"); err != nil || len(ms) != 3 {
		t.Errorf("members of ent-c: %+v, %v; want 3", ms, err)
	}
}
