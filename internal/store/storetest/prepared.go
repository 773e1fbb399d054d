package storetest

import (
	"context"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// preparedItems tests store.Preparer: items prepared outside a transaction
// and put with PutPrepared are stored, numbered, searchable and
// deduplicated exactly as PutItems would store them, and an invalid item
// fails at PrepareItems.
func preparedItems(t *testing.T, open Opener) {
	s := openStore(t, open)
	p, ok := s.(store.Preparer)
	if !ok {
		t.Skip("the store does not implement store.Preparer")
	}
	ctx := context.Background()
	putPrepared := func(items ...*store.Item) int {
		t.Helper()
		pr, err := p.PrepareItems(items)
		if err != nil {
			t.Fatalf("PrepareItems: %v", err)
		}
		var added int
		err = s.Update(ctx, func(tx store.Tx) error {
			pp, ok := tx.(store.PreparedPutter)
			if !ok {
				t.Fatal("the store is a Preparer but its Tx is not a PreparedPutter")
			}
			added, err = pp.PutPrepared(ctx, pr)
			return err
		})
		if err != nil {
			t.Fatalf("PutPrepared: %v", err)
		}
		return added
	}
	d := NewDocument("reports", "Meeting in Leeds", "Ana Lima met Bo Chen near the station.", mosaic.NewMarking("ALPHA"))
	r := NewRecord("passengers", mosaic.KindTravel, map[string]string{"passenger_name": "Ana Lima", "flight": "XY123"}, nil, "Ana Lima")
	if n := putPrepared(d, r); n != 2 {
		t.Fatalf("added %d, want 2", n)
	}
	if d.Seq <= 0 || r.Seq <= d.Seq {
		t.Fatalf("seqs %d, %d: want increasing positive, in the order given", d.Seq, r.Seq)
	}
	got, err := s.Item(ctx, all, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Record == nil || got.Record.Fields["flight"] != "XY123" || got.Seq != r.Seq ||
		got.Facts == nil || len(got.Facts.Statements) != 1 || got.Facts.Statements[0].Origin.Record != r.ID {
		t.Errorf("prepared record came back as %+v (facts %+v)", got.Record, got.Facts)
	}
	if got, err := s.Item(ctx, alpha, d.ID); err != nil || got.Document == nil || got.Document.Text != d.Document.Text {
		t.Errorf("prepared document: %+v, %v", got, err)
	}
	if hits, err := s.Search(ctx, all, "XY123", 10); err != nil || len(hits) != 1 || hits[0].ID != r.ID {
		t.Errorf("search for the prepared record's flight: %v, %v", hits, err)
	}
	// The same items again, prepared or not, add nothing and get the
	// stored seqs; a new one after them gets a later seq.
	r2 := NewRecord("passengers", mosaic.KindTravel, map[string]string{"passenger_name": "Ana Lima", "flight": "XY123"}, nil, "Ana Lima")
	c := NewRecord("passengers", mosaic.KindTravel, map[string]string{"passenger_name": "Cy Dube", "flight": "ZZ9"}, nil, "Cy Dube")
	if n := putPrepared(r2, c); n != 1 {
		t.Errorf("re-put added %d, want 1", n)
	}
	if r2.Seq != r.Seq || c.Seq <= r.Seq {
		t.Errorf("re-put seqs %d, %d; want %d and a later one", r2.Seq, c.Seq, r.Seq)
	}
	if n := put(t, s, NewRecord("passengers", mosaic.KindTravel, map[string]string{"passenger_name": "Cy Dube", "flight": "ZZ9"}, nil, "Cy Dube")); n != 0 {
		t.Errorf("PutItems of a prepared-and-stored record added %d", n)
	}
	bad := NewRecord("src", mosaic.KindPerson, map[string]string{"name": "X"}, nil, "X")
	bad.Facts.Statements[0].Origin = mosaic.Origin{}
	if _, err := p.PrepareItems([]*store.Item{bad}); mosaic.KindOf(err) != mosaic.KindInvalid {
		t.Errorf("PrepareItems of an item without origin: err = %v, want an invalid-kind error", err)
	}
	if st, _ := s.Stats(ctx); st.Records != 2 || st.Documents != 1 {
		t.Errorf("stats after prepared puts: %+v, want 2 records and 1 document", st)
	}
}
