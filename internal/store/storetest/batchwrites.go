package storetest

import (
	"context"
	"fmt"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// BatchWrites checks the writes the pipeline's stages make in bulk,
// where a backend may use multi-row statements: Assign, MoveMentions and
// PutLinks over more rows than one statement carries, with the repeats a
// batch can hold (the same mention twice, the same item's links twice).
func BatchWrites(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	const n = 300 // more than a few hundred-row statements
	items := make([]*store.Item, n)
	for i := range items {
		items[i] = NewRecord("batch", mosaic.KindPerson, map[string]string{"n": fmt.Sprint(i)}, nil, fmt.Sprintf("Person %d", i))
	}
	put(t, s, items...)
	mention := func(i int) mosaic.ID { return items[i].Facts.Mentions[0].ID }

	// Assign every mention, the first ten twice in the same call: the
	// later assignment wins.
	var as []store.Assignment
	for i := range items {
		as = append(as, store.Assignment{Mention: mention(i), Entity: mosaic.ID(fmt.Sprintf("ent-first-%d", i)), Type: mosaic.TypePerson, Item: items[i].Seq, Caption: "first"})
		if i < 10 {
			as = append(as, store.Assignment{Mention: mention(i), Entity: "ent-again", Type: mosaic.TypePerson, Item: items[i].Seq, Caption: "again"})
		}
	}
	assign(t, s, as...)
	ids := make([]mosaic.ID, n)
	for i := range ids {
		ids[i] = mention(i)
	}
	want := func(i int) mosaic.ID {
		if i < 10 {
			return "ent-again"
		}
		return mosaic.ID(fmt.Sprintf("ent-first-%d", i))
	}
	check := func(when string, want func(int) mosaic.ID) {
		t.Helper()
		got, err := s.EntityOf(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range ids {
			if got[m] != want(i) {
				t.Fatalf("%s: mention %d in %q, want %q", when, i, got[m], want(i))
			}
		}
	}
	check("after Assign", want)
	if ms, err := s.Members(ctx, "ent-again"); err != nil || len(ms) != 10 || ms[0].Caption != "again" {
		t.Fatalf("members of ent-again = %+v, %v; want 10 captioned again", ms, err)
	}

	// Move every other mention, plus one that was never assigned (ignored).
	moves := map[mosaic.ID]mosaic.ID{"rec-none/m-person": "ent-nowhere"}
	for i := 0; i < n; i += 2 {
		moves[mention(i)] = mosaic.ID(fmt.Sprintf("ent-moved-%d", i))
	}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.MoveMentions(ctx, moves) }); err != nil {
		t.Fatal(err)
	}
	moved := func(i int) mosaic.ID {
		if i%2 == 0 {
			return mosaic.ID(fmt.Sprintf("ent-moved-%d", i))
		}
		return want(i)
	}
	check("after MoveMentions", moved)
	if ms, _ := s.Members(ctx, "ent-nowhere"); len(ms) != 0 {
		t.Errorf("MoveMentions assigned an unassigned mention: %+v", ms)
	}

	// Links: each item links its mention to the next; item 0's links are
	// put twice in the transaction (the second, with two links, wins).
	link := func(i, j int, pred string) mosaic.Link {
		return mosaic.Link{ID: mosaic.LinkID(items[i].ID, mention(i), pred, mention(j)), Subject: mention(i), Predicate: pred, Object: mention(j),
			Evidence: []mosaic.ID{items[i].Facts.Statements[0].ID}, Start: t0, End: t0, Confidence: 0.5, Source: "batch"}
	}
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutLinks(ctx, items[0].Seq, []mosaic.Link{link(0, 1, "dropped")}); err != nil {
			return err
		}
		for i := range n - 1 {
			if err := tx.PutLinks(ctx, items[i].Seq, []mosaic.Link{link(i, i+1, "next")}); err != nil {
				return err
			}
		}
		return tx.PutLinks(ctx, items[0].Seq, []mosaic.Link{link(0, 1, "next"), link(0, 2, "skip")})
	})
	if err != nil {
		t.Fatal(err)
	}
	count := func() map[string]int {
		got := map[string]int{}
		if err := s.EntityLinks(ctx, func(l store.EntityLink) error {
			got[l.Predicate]++
			if l.Confidence != 0.5 || len(l.Evidence) != 1 || !l.Start.Equal(t0) {
				t.Errorf("link %s read back as %+v", l.ID, l)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := count(); got["next"] != n-1 || got["skip"] != 1 || got["dropped"] != 0 {
		t.Errorf("links by predicate = %v, want next %d, skip 1, dropped 0", got, n-1)
	}
	// A mention's links are found from either end, whether the link is
	// stored with the mention's item or with another item's.
	everyone := mosaic.Principal{Name: "all", All: true}
	linksOf := func(i int) map[string]int {
		ls, err := s.LinksOf(ctx, everyone, []mosaic.ID{mention(i)}, 100)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, l := range ls {
			if l.Subject != mention(i) && l.Object != mention(i) {
				t.Errorf("LinksOf(%s) returned %s, which does not touch it", mention(i), l.ID)
			}
			got[l.Predicate]++
		}
		return got
	}
	// mention 2: its own item's link to 3, item 1's to it, item 0's "skip".
	if got := linksOf(2); got["next"] != 2 || got["skip"] != 1 || len(got) != 2 {
		t.Errorf("links of mention 2 = %v, want next 2, skip 1", got)
	}
	// A later transaction replaces the links of the items it names only.
	err = s.Update(ctx, func(tx store.Tx) error {
		for i := range 150 {
			if err := tx.PutLinks(ctx, items[i].Seq, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := count(); got["next"] != n-1-150 || got["skip"] != 0 {
		t.Errorf("after clearing 150 items' links: %v, want next %d, skip 0", got, n-1-150)
	}
	if got := linksOf(2); len(got) != 0 {
		t.Errorf("links of mention 2 after clearing items 0-149: %v, want none", got)
	}
	if got := linksOf(150); got["next"] != 1 || len(got) != 1 {
		t.Errorf("links of mention 150 after clearing items 0-149: %v, want its own link to 151 only", got)
	}
	if st, err := s.Stats(ctx); err != nil || st.Records != n {
		t.Errorf("stats = %+v, %v", st, err)
	}
}
