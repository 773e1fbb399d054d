// Package storetest is the conformance suite for store.Store backends.
// Every backend runs Run from its own tests:
//
//	func TestConformance(t *testing.T) { storetest.Run(t, openMyStore) }
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Opener opens a fresh, empty store for one test. Reopen closes nothing
// and returns a new handle on the same underlying data (for persistence
// tests); the suite closes both handles.
type Opener func(tb testing.TB) (s store.Store, reopen func() store.Store)

// Run runs the whole suite against stores from open.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"PutItemsIdempotent", testPutItemsIdempotent},
		{"ItemRoundTrip", testItemRoundTrip},
		{"ItemAccess", testItemAccess},
		{"Validation", testValidation},
		{"Rollback", testRollback},
		{"Facts", testFacts},
		{"EntityAssembly", testEntityAssembly},
		{"EntityAccess", testEntityAccess},
		{"Search", testSearch},
		{"SearchAccess", testSearchAccess},
		{"Progress", testProgress},
		{"Stats", testStats},
		{"Persistence", testPersistence},
		{"ConcurrentWriters", testConcurrentWriters},
		{"Check", testCheck},
		{"Links", testLinks},
		{"Alerts", testAlerts},
		{"SeqVisibility", SeqVisibility},
		{"BatchWrites", BatchWrites},
		{"Judgements", Judgements},
		{"PreparedItems", preparedItems},
		{"AlertWithdrawal", AlertWithdrawal},
		{"SearchComplete", SearchComplete},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open) })
	}
}

var (
	all    = mosaic.Principal{Name: "all", All: true}
	alpha  = mosaic.Principal{Name: "alpha", Clearances: mosaic.NewMarking("ALPHA")}
	nobody = mosaic.Principal{Name: "nobody"}
	t0     = time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
)

func openStore(t *testing.T, open Opener) store.Store {
	t.Helper()
	s, _ := open(t)
	t.Cleanup(func() { s.Close() })
	return s
}

// NewRecord returns a record item with facts: one Person mention with a
// name statement per given name.
func NewRecord(source string, kind mosaic.RecordKind, fields map[string]string, marking mosaic.Marking, names ...string) *store.Item {
	id := mosaic.RecordID(source, kind, fields)
	r := &mosaic.Record{ID: id, Source: source, Kind: kind, Fields: fields, Observed: t0, Locator: source + ".csv:2", Marking: marking}
	m := mosaic.MentionID(id, "person")
	f := &store.Facts{Mentions: []mosaic.Mention{{ID: m, Type: mosaic.TypePerson, Origin: id, Role: "person", Marking: marking}}}
	for _, n := range names {
		o := mosaic.Origin{Record: id, Field: "name"}
		f.Statements = append(f.Statements, mosaic.Statement{ID: mosaic.StatementID(m, mosaic.PropName, n, o), Subject: m, Type: mosaic.TypePerson, Prop: mosaic.PropName, Value: n, Origin: o, Source: source, Marking: marking, Time: t0})
	}
	return &store.Item{ID: id, Source: source, Record: r, Facts: f, Marking: marking}
}

// NewDocument returns a document item without facts.
func NewDocument(source, title, text string, marking mosaic.Marking) *store.Item {
	raw := []byte(title + "\n\n" + text)
	id := mosaic.DocumentID(raw)
	d := &mosaic.Document{ID: id, Source: source, Title: title, Text: text, MediaType: "text/plain", Path: "reports/" + title + ".txt",
		Published: t0.Add(-24 * time.Hour), Observed: t0, Meta: map[string]string{"author": "test"}, Raw: raw, Marking: marking}
	return &store.Item{ID: id, Source: source, Document: d, Marking: marking}
}

func put(t *testing.T, s store.Store, items ...*store.Item) int {
	t.Helper()
	var added int
	err := s.Update(context.Background(), func(tx store.Tx) error {
		var err error
		added, err = tx.PutItems(context.Background(), items)
		return err
	})
	if err != nil {
		t.Fatalf("PutItems: %v", err)
	}
	return added
}

func assign(t *testing.T, s store.Store, as ...store.Assignment) {
	t.Helper()
	if err := s.Update(context.Background(), func(tx store.Tx) error { return tx.Assign(context.Background(), as) }); err != nil {
		t.Fatalf("Assign: %v", err)
	}
}

func testPutItemsIdempotent(t *testing.T, open Opener) {
	s := openStore(t, open)
	a := NewRecord("src", mosaic.KindPerson, map[string]string{"name": "Ana Lima"}, nil, "Ana Lima")
	b := NewRecord("src", mosaic.KindPerson, map[string]string{"name": "Bo Chen"}, nil, "Bo Chen")
	if n := put(t, s, a, b); n != 2 {
		t.Fatalf("added %d, want 2", n)
	}
	if a.Seq <= 0 || b.Seq <= a.Seq {
		t.Fatalf("seqs %d, %d: want increasing positive", a.Seq, b.Seq)
	}
	a2 := NewRecord("src", mosaic.KindPerson, map[string]string{"name": "Ana Lima"}, nil, "Ana Lima")
	c := NewRecord("src", mosaic.KindPerson, map[string]string{"name": "Cy Dube"}, nil, "Cy Dube")
	if n := put(t, s, a2, c); n != 1 {
		t.Fatalf("re-put added %d, want 1", n)
	}
	if a2.Seq != a.Seq {
		t.Errorf("re-put seq %d, want existing %d", a2.Seq, a.Seq)
	}
	if c.Seq <= b.Seq {
		t.Errorf("new seq %d not after %d", c.Seq, b.Seq)
	}
	last, err := s.LastSeq(context.Background())
	if err != nil || last != c.Seq {
		t.Errorf("LastSeq = %d, %v; want %d", last, err, c.Seq)
	}
	if n, err := s.CountInRange(context.Background(), store.Range{Lo: 1, Hi: last}); err != nil || n != 3 {
		t.Errorf("CountInRange(1..%d) = %d, %v; want 3 (seqs may have gaps)", last, n, err)
	}
	st, err := s.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 3 {
		t.Errorf("Stats.Records = %d after a duplicate put, want 3", st.Records)
	}
}

func testItemRoundTrip(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	d := NewDocument("reports", "Meeting", "Ana Lima met Bo Chen in Leeds.", mosaic.NewMarking("ALPHA"))
	d.Document.Raw = append(d.Document.Raw, 0, 0xff, 0xfe) // binary-safe
	r := NewRecord("passengers", mosaic.KindTravel, map[string]string{"passenger_name": "Ana Lima", "flight": "XY123", "date": "2024-03-01"}, nil, "Ana Lima")
	put(t, s, d, r)
	got, err := s.Item(ctx, all, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	gd := got.Document
	if gd == nil {
		t.Fatalf("document item came back as %+v", got)
	}
	if gd.Text != d.Document.Text || gd.Title != "Meeting" || string(gd.Raw) != string(d.Document.Raw) ||
		!gd.Published.Equal(d.Document.Published) || !gd.Observed.Equal(t0) || gd.Meta["author"] != "test" ||
		gd.Path != d.Document.Path || gd.MediaType != "text/plain" || !got.Marking.Equal(mosaic.NewMarking("ALPHA")) {
		t.Errorf("document round trip:\n got %+v\nwant %+v", gd, d.Document)
	}
	if got.Seq != d.Seq || !got.Stored.Equal(d.Stored) || got.Stored.Location() != d.Stored.Location() {
		t.Errorf("document read back with seq %d, stored %v; PutItems set seq %d, stored %v", got.Seq, got.Stored, d.Seq, d.Stored)
	}
	got, err = s.Item(ctx, all, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Record == nil || got.Record.Kind != mosaic.KindTravel || got.Record.Fields["flight"] != "XY123" || got.Record.Locator != r.Record.Locator || got.Seq != r.Seq {
		t.Errorf("record round trip: got %+v", got.Record)
	}
	if got.Facts == nil || len(got.Facts.Statements) != 1 || got.Facts.Statements[0].Origin.Record != r.ID || got.Facts.Statements[0].Value != "Ana Lima" {
		t.Errorf("facts round trip: got %+v", got.Facts)
	}
	items, err := s.ItemsInRange(ctx, all, store.Range{Lo: d.Seq, Hi: r.Seq})
	if err != nil || len(items) != 2 || items[0].ID != d.ID || items[1].ID != r.ID || items[0].Document.Text != d.Document.Text {
		t.Errorf("ItemsInRange = %v, %v", items, err)
	}
	var kinds []mosaic.ID
	if err := s.ItemsOfKind(ctx, all, "travel", func(it *store.Item) error { kinds = append(kinds, it.ID); return nil }); err != nil || len(kinds) != 1 || kinds[0] != r.ID {
		t.Errorf("ItemsOfKind(travel) = %v, %v", kinds, err)
	}
	kinds = nil
	if err := s.ItemsOfKind(ctx, alpha, "document", func(it *store.Item) error {
		if it.Document.Text == "" {
			t.Error("ItemsOfKind(document) without text")
		}
		kinds = append(kinds, it.ID)
		return nil
	}); err != nil || len(kinds) != 1 {
		t.Errorf("ItemsOfKind(document) for alpha = %v, %v", kinds, err)
	}
	if _, err := s.Item(ctx, all, "rec-nonexistent"); !mosaic.IsNotFound(err) {
		t.Errorf("missing item: err = %v, want not found", err)
	}
}

func testItemAccess(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	secret := NewDocument("reports", "Secret", "Only for ALPHA and BETA.", mosaic.NewMarking("ALPHA", "BETA"))
	a := NewDocument("reports", "Alpha", "Only for ALPHA.", mosaic.NewMarking("ALPHA"))
	open_ := NewDocument("reports", "Open", "For everyone.", nil)
	put(t, s, secret, a, open_)
	for _, tc := range []struct {
		p    mosaic.Principal
		id   mosaic.ID
		want bool
	}{
		{all, secret.ID, true}, {alpha, secret.ID, false}, {alpha, a.ID, true}, {nobody, a.ID, false}, {nobody, open_.ID, true},
		{mosaic.Principal{Clearances: mosaic.NewMarking("ALPHA", "BETA")}, secret.ID, true},
	} {
		_, err := s.Item(ctx, tc.p, tc.id)
		if got := err == nil; got != tc.want {
			t.Errorf("%s reading %s: err = %v, want visible=%v", tc.p.Name, tc.id, err, tc.want)
		}
		if err != nil && !mosaic.IsNotFound(err) {
			t.Errorf("hidden item gave %v, want a not-found error (no existence leak)", err)
		}
	}
	items, err := s.ItemsInRange(ctx, alpha, store.Range{Lo: 1, Hi: 1 << 40})
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 {
		t.Errorf("alpha sees %d items in range, want 2", len(items))
	}
	for _, it := range items {
		if it.ID == secret.ID {
			t.Error("ItemsInRange leaked an item marked ALPHA,BETA to alpha")
		}
	}
}

func testValidation(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	bad := NewRecord("src", mosaic.KindPerson, map[string]string{"name": "X"}, nil, "X")
	bad.Facts.Statements[0].Origin = mosaic.Origin{}
	both := NewDocument("src", "t", "x", nil)
	both.Record = &mosaic.Record{ID: both.ID}
	for name, it := range map[string]*store.Item{"no origin": bad, "document and record": both, "no source": {ID: "rec-x", Record: &mosaic.Record{}}} {
		err := s.Update(ctx, func(tx store.Tx) error { _, err := tx.PutItems(ctx, []*store.Item{it}); return err })
		if mosaic.KindOf(err) != mosaic.KindInvalid {
			t.Errorf("%s: err = %v, want an invalid-kind error", name, err)
		}
	}
	if st, _ := s.Stats(ctx); st.Records+st.Documents != 0 {
		t.Errorf("invalid items were stored: %+v", st)
	}
}

func testRollback(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	r := NewRecord("src", mosaic.KindPerson, map[string]string{"name": "Ana"}, nil, "Ana")
	boom := errors.New("boom")
	err := s.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.PutItems(ctx, []*store.Item{r}); err != nil {
			return err
		}
		if err := tx.MarkDone(ctx, "extract", store.Range{Lo: 1, Hi: 5}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want boom", err)
	}
	if _, err := s.Item(ctx, all, r.ID); !mosaic.IsNotFound(err) {
		t.Errorf("rolled-back item is readable (err %v)", err)
	}
	if rs, _ := s.DoneRanges(ctx, "extract"); len(rs) != 0 {
		t.Errorf("rolled-back progress persisted: %v", rs)
	}
}

func testFacts(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	d := NewDocument("reports", "R1", "Ana Lima met Bo Chen.", nil)
	put(t, s, d)
	m := mosaic.MentionID(d.ID, "1")
	o := mosaic.Origin{Document: d.ID, Start: 0, End: 8}
	f := &store.Facts{
		Mentions:   []mosaic.Mention{{ID: m, Type: mosaic.TypePerson, Origin: d.ID, Role: "1", Caption: "Ana Lima"}},
		Statements: []mosaic.Statement{{ID: mosaic.StatementID(m, "name", "Ana Lima", o), Subject: m, Type: mosaic.TypePerson, Prop: "name", Value: "Ana Lima", Origin: o, Source: "reports"}},
	}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.SetFacts(ctx, d.Seq, f) }); err != nil {
		t.Fatal(err)
	}
	got, err := s.Item(ctx, all, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Facts == nil || len(got.Facts.Statements) != 1 || got.Facts.Statements[0].Origin != o {
		t.Fatalf("facts after SetFacts: %+v", got.Facts)
	}
	if mosaic.OriginOf(got.Facts.Statements[0].ID) != d.ID {
		t.Errorf("statement id %s does not lead back to its document", got.Facts.Statements[0].ID)
	}
	// Replacing facts adjusts the counts instead of adding to them.
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.SetFacts(ctx, d.Seq, f) }); err != nil {
		t.Fatal(err)
	}
	st, _ := s.Stats(ctx)
	if st.Statements != 1 || st.Mentions != 1 {
		t.Errorf("after setting the same facts twice: statements %d mentions %d, want 1 and 1", st.Statements, st.Mentions)
	}
	bad := &store.Facts{Statements: []mosaic.Statement{{ID: "x", Subject: m, Prop: "name", Value: "v"}}}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.SetFacts(ctx, d.Seq, bad) }); mosaic.KindOf(err) != mosaic.KindInvalid {
		t.Errorf("facts without origin: err = %v, want invalid", err)
	}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.SetFacts(ctx, 99999, f) }); !mosaic.IsNotFound(err) {
		t.Errorf("SetFacts on a missing item: err = %v, want not found", err)
	}
}

func testEntityAssembly(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	a := NewRecord("passengers", mosaic.KindTravel, map[string]string{"n": "Mohammed Al-Hassan"}, nil, "Mohammed Al-Hassan")
	b := NewRecord("purchases", mosaic.KindPurchase, map[string]string{"n": "M. Hassan"}, nil, "M. Hassan")
	c := NewRecord("visits", mosaic.KindPrisonVisit, map[string]string{"n": "Mohammed Al-Hassan", "x": "2"}, nil, "Mohammed Al-Hassan")
	put(t, s, a, b, c)
	ma, mb, mc := a.Facts.Mentions[0].ID, b.Facts.Mentions[0].ID, c.Facts.Mentions[0].ID
	e := mosaic.EntityIDFor(ma)
	assign(t, s, store.Assignment{Mention: ma, Entity: e, Type: mosaic.TypePerson, Item: a.Seq},
		store.Assignment{Mention: mb, Entity: e, Type: mosaic.TypePerson, Item: b.Seq},
		store.Assignment{Mention: mc, Entity: e, Type: mosaic.TypePerson, Item: c.Seq})
	got, err := s.Entity(ctx, all, e)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Mentions) != 3 || len(got.Statements) != 3 || got.Caption != "Mohammed Al-Hassan" || got.Type != mosaic.TypePerson {
		t.Errorf("entity = %+v", got)
	}
	sources := map[string]bool{}
	for _, st := range got.Statements {
		sources[st.Source] = true
		if st.Origin.Record == "" || st.Origin.Field == "" {
			t.Errorf("statement %s lost its origin", st.ID)
		}
	}
	if len(sources) != 3 {
		t.Errorf("entity statements come from %d sources, want 3", len(sources))
	}
	// By mention ID.
	if got2, err := s.Entity(ctx, all, mb); err != nil || got2.ID != e {
		t.Errorf("Entity(mention) = %v, %v; want entity %s", got2, err, e)
	}
	// Split: move b out. Nothing is lost: b's statements now form their own entity.
	e2 := mosaic.EntityIDFor(mb)
	assign(t, s, store.Assignment{Mention: mb, Entity: e2, Type: mosaic.TypePerson, Item: b.Seq})
	got, _ = s.Entity(ctx, all, e)
	got2, err := s.Entity(ctx, all, e2)
	if err != nil || len(got.Statements) != 2 || len(got2.Statements) != 1 || got2.Caption != "M. Hassan" {
		t.Errorf("after split: %+v / %+v (%v)", got, got2, err)
	}
	// MoveMentions moves assigned mentions only.
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.MoveMentions(ctx, map[mosaic.ID]mosaic.ID{mc: e2, "rec-none/m-y": e2})
	}); err != nil {
		t.Fatal(err)
	}
	if got2, _ := s.Entity(ctx, all, e2); len(got2.Mentions) != 2 {
		t.Errorf("after moving c into e2: %d mentions, want 2", len(got2.Mentions))
	}
	if ents, _ := s.EntityOf(ctx, []mosaic.ID{"rec-none/m-y"}); ents["rec-none/m-y"] != "" {
		t.Error("MoveMentions assigned an unassigned mention")
	}
	assign(t, s, store.Assignment{Mention: mc, Entity: e, Type: mosaic.TypePerson, Item: c.Seq})
	ents, err := s.EntityOf(ctx, []mosaic.ID{ma, mb, "rec-none/m-x"})
	if err != nil || ents[ma] != e || ents[mb] != e2 || ents["rec-none/m-x"] != "" {
		t.Errorf("EntityOf = %v, %v", ents, err)
	}
	var n int
	if err := s.Assignments(ctx, func(store.Assignment) error { n++; return nil }); err != nil || n != 3 {
		t.Errorf("Assignments visited %d, %v; want 3", n, err)
	}
	if _, err := s.Entity(ctx, all, "ent-none"); !mosaic.IsNotFound(err) {
		t.Errorf("missing entity: %v", err)
	}
	// A mention whose ID does not begin with its item's ID (nor with
	// any item's) is found, moved and linked like any other.
	const odd = mosaic.ID("annotation-7/m-note")
	assign(t, s, store.Assignment{Mention: odd, Entity: e, Type: mosaic.TypePerson, Item: c.Seq})
	if ents, err := s.EntityOf(ctx, []mosaic.ID{odd, ma}); err != nil || ents[odd] != e || ents[ma] != e {
		t.Errorf("EntityOf(odd mention) = %v, %v; want %s for both", ents, err, e)
	}
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.MoveMentions(ctx, map[mosaic.ID]mosaic.ID{odd: e2})
	}); err != nil {
		t.Fatal(err)
	}
	if ents, _ := s.EntityOf(ctx, []mosaic.ID{odd}); ents[odd] != e2 {
		t.Errorf("after moving the odd mention: entity %q, want %s", ents[odd], e2)
	}
	l := mosaic.Link{ID: mosaic.LinkID(a.ID, ma, "noted", odd), Subject: ma, Predicate: "noted", Object: odd,
		Evidence: []mosaic.ID{a.Facts.Statements[0].ID}, Start: t0, End: t0, Confidence: 1, Source: "passengers"}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.PutLinks(ctx, a.Seq, []mosaic.Link{l}) }); err != nil {
		t.Fatal(err)
	}
	for _, m := range []mosaic.ID{ma, odd} {
		ls, err := s.LinksOf(ctx, all, []mosaic.ID{m}, 10)
		if err != nil || len(ls) != 1 || ls[0].SubjectEntity != e || ls[0].ObjectEntity != e2 {
			t.Errorf("links of %s = %+v, %v; want the one link %s -> %s", m, ls, err, e, e2)
		}
	}
	var els []store.EntityLink
	if err := s.EntityLinks(ctx, func(l store.EntityLink) error { els = append(els, l); return nil }); err != nil || len(els) != 1 || els[0].ObjectEntity != e2 {
		t.Errorf("EntityLinks = %+v, %v; want the one link to %s", els, err, e2)
	}
}

func testEntityAccess(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	a := NewRecord("open", mosaic.KindPerson, map[string]string{"n": "Ana Lima"}, nil, "Ana Lima")
	b := NewRecord("sigint", mosaic.KindPerson, map[string]string{"n": "Ana L."}, mosaic.NewMarking("ALPHA"), "Ana L.")
	c := NewRecord("humint", mosaic.KindPerson, map[string]string{"n": "Anna Lima"}, mosaic.NewMarking("ALPHA", "BETA"), "Anna Lima")
	put(t, s, a, b, c)
	e := mosaic.EntityIDFor(a.Facts.Mentions[0].ID)
	for _, it := range []*store.Item{a, b, c} {
		assign(t, s, store.Assignment{Mention: it.Facts.Mentions[0].ID, Entity: e, Type: mosaic.TypePerson, Item: it.Seq})
	}
	for _, tc := range []struct {
		p       mosaic.Principal
		n       int
		marking mosaic.Marking
	}{
		{all, 3, mosaic.NewMarking("ALPHA", "BETA")},
		{alpha, 2, mosaic.NewMarking("ALPHA")},
		{nobody, 1, nil},
	} {
		got, err := s.Entity(ctx, tc.p, e)
		if err != nil {
			t.Fatalf("%s: %v", tc.p.Name, err)
		}
		if len(got.Statements) != tc.n || !got.Marking.Equal(tc.marking) {
			t.Errorf("%s sees %d statements marked %v, want %d marked %v", tc.p.Name, len(got.Statements), got.Marking, tc.n, tc.marking)
		}
		for _, st := range got.Statements {
			if st.Source == "humint" && !tc.p.All {
				t.Errorf("%s saw a statement from an ALPHA,BETA record", tc.p.Name)
			}
		}
	}
	// An entity made only of hidden statements does not exist for the caller.
	hidden := NewRecord("humint", mosaic.KindPerson, map[string]string{"n": "Zed"}, mosaic.NewMarking("BETA"), "Zed")
	put(t, s, hidden)
	he := mosaic.EntityIDFor(hidden.Facts.Mentions[0].ID)
	assign(t, s, store.Assignment{Mention: hidden.Facts.Mentions[0].ID, Entity: he, Type: mosaic.TypePerson, Item: hidden.Seq})
	if _, err := s.Entity(ctx, alpha, he); !mosaic.IsNotFound(err) {
		t.Errorf("entity of hidden statements: err = %v, want not found", err)
	}
}

func testSearch(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	d := NewDocument("reports", "Meeting in Leeds", "Ana Lima met Bo Chen near the station in Leeds.", nil)
	r := NewRecord("passengers", mosaic.KindTravel, map[string]string{"passenger_name": "Ana Lima", "flight": "XY123"}, nil, "Ana Lima")
	other := NewRecord("passengers", mosaic.KindTravel, map[string]string{"passenger_name": "Cy Dube", "flight": "ZZ9"}, nil, "Cy Dube")
	put(t, s, d, r, other)
	e := mosaic.EntityIDFor(r.Facts.Mentions[0].ID)
	assign(t, s, store.Assignment{Mention: r.Facts.Mentions[0].ID, Entity: e, Type: mosaic.TypePerson, Item: r.Seq})
	hits, err := s.Search(ctx, all, "ana lima", 10)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]mosaic.ID{}
	for _, h := range hits {
		if _, ok := kinds[h.Kind]; !ok {
			kinds[h.Kind] = h.ID
		}
		if h.ID == other.ID {
			t.Errorf("search for ana lima returned the Cy Dube record")
		}
	}
	if kinds["entity"] != e || kinds["record"] != r.ID || kinds["document"] != d.ID {
		t.Errorf("search hits %+v: want the entity, the record and the document", hits)
	}
	if hits[0].Kind != "entity" {
		t.Errorf("first hit is %s, want the entity", hits[0].Kind)
	}
	if hits, err := s.Search(ctx, all, "LEEDS", 10); err != nil || len(hits) != 1 || hits[0].ID != d.ID {
		t.Errorf("case-insensitive search: %v, %v", hits, err)
	}
	for _, q := range []string{`"unbalanced`, `NEAR(a b)`, `ana* OR -lima`, `col:ana`, "'; DROP TABLE items; --"} {
		if _, err := s.Search(ctx, all, q, 10); err != nil && mosaic.KindOf(err) != mosaic.KindInvalid {
			t.Errorf("query %q: %v", q, err)
		}
	}
	if _, err := s.Search(ctx, all, "  ", 10); mosaic.KindOf(err) != mosaic.KindInvalid {
		t.Errorf("empty query: err = %v, want invalid", err)
	}
	if hits, _ := s.Search(ctx, all, "nothingmatchesthis", 10); len(hits) != 0 {
		t.Errorf("nonsense query matched %v", hits)
	}
}

func testSearchAccess(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	secret := NewDocument("reports", "Secret", "Vardan Petrosyan was seen.", mosaic.NewMarking("BETA"))
	put(t, s, secret)
	hits, err := s.Search(ctx, alpha, "vardan", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 0 {
		t.Errorf("alpha's search revealed %v", hits)
	}
	if hits, _ := s.Search(ctx, all, "vardan", 10); len(hits) != 1 {
		t.Errorf("cleared search found %d hits, want 1", len(hits))
	}
}

func testProgress(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	var items []*store.Item
	for i := 0; i < 10; i++ {
		items = append(items, NewRecord("src", mosaic.KindPerson, map[string]string{"i": fmt.Sprint(i)}, nil, "P"))
	}
	put(t, s, items...)
	lo, hi := items[0].Seq, items[9].Seq
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.MarkDone(ctx, "extract", store.Range{Lo: lo, Hi: lo + 3}); err != nil {
			return err
		}
		if err := tx.MarkDone(ctx, "extract", store.Range{Lo: lo + 4, Hi: hi}); err != nil {
			return err
		}
		return tx.Fail(ctx, "resolve", lo+2, "name parser exploded")
	})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := s.DoneRanges(ctx, "extract")
	if err != nil || len(rs) != 1 || rs[0] != (store.Range{Lo: lo, Hi: hi}) {
		t.Errorf("extract ranges = %v, %v; want one merged range", rs, err)
	}
	fs, err := s.Failures(ctx, "resolve", 10)
	if err != nil || len(fs) != 1 || fs[0].Seq != lo+2 || fs[0].Item != items[2].ID || fs[0].Error != "name parser exploded" || fs[0].Attempts != 1 {
		t.Errorf("failures = %+v, %v", fs, err)
	}
	sts, err := s.StageStatus(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]store.StageStatus{"extract": {Stage: "extract", Done: 10}, "resolve": {Stage: "resolve", Done: 1, Failed: 1}}
	if len(sts) != 2 || sts[0] != want[sts[0].Stage] || sts[1] != want[sts[1].Stage] {
		t.Errorf("StageStatus = %+v, want %+v", sts, want)
	}
	// Requeue one item in the middle: the range splits and the failure goes.
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.Requeue(ctx, "extract", lo+5); err != nil {
			return err
		}
		return tx.Requeue(ctx, "resolve", lo+2)
	})
	if err != nil {
		t.Fatal(err)
	}
	rs, _ = s.DoneRanges(ctx, "extract")
	if len(rs) != 2 || rs[0] != (store.Range{Lo: lo, Hi: lo + 4}) || rs[1] != (store.Range{Lo: lo + 6, Hi: hi}) {
		t.Errorf("after requeue, extract ranges = %v", rs)
	}
	if fs, _ := s.Failures(ctx, "", 10); len(fs) != 0 {
		t.Errorf("failure survived requeue: %+v", fs)
	}
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.MarkDone(ctx, "x", store.Range{Lo: 5, Hi: 4}) }); mosaic.KindOf(err) != mosaic.KindInvalid {
		t.Errorf("inverted range: err = %v", err)
	}
}

func testStats(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	err := s.Update(ctx, func(tx store.Tx) error {
		return tx.PutSource(ctx, mosaic.Source{Name: "passengers", Kind: "records", Marking: mosaic.NewMarking("TRAVEL"), Description: "PNR"})
	})
	if err != nil {
		t.Fatal(err)
	}
	r1 := NewRecord("passengers", mosaic.KindTravel, map[string]string{"a": "1"}, nil, "A", "B")
	r2 := NewRecord("passengers", mosaic.KindPurchase, map[string]string{"a": "2"}, nil, "C")
	d := NewDocument("reports", "T", "text", nil)
	put(t, s, r1, r2, d)
	assign(t, s, store.Assignment{Mention: r1.Facts.Mentions[0].ID, Entity: "ent-1", Type: mosaic.TypePerson, Item: r1.Seq},
		store.Assignment{Mention: r2.Facts.Mentions[0].ID, Entity: "ent-1", Type: mosaic.TypePerson, Item: r2.Seq})
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 2 || st.Documents != 1 || st.ByKind["travel"] != 1 || st.ByKind["purchase"] != 1 || st.Statements != 3 || st.Mentions != 2 || st.Entities != 1 || st.Sources != 1 {
		t.Errorf("stats = %+v", st)
	}
	srcs, err := s.Sources(ctx)
	if err != nil || len(srcs) != 1 || srcs[0].Name != "passengers" || !srcs[0].Marking.Equal(mosaic.NewMarking("TRAVEL")) {
		t.Errorf("sources = %+v, %v", srcs, err)
	}
}

func testPersistence(t *testing.T, open Opener) {
	s, reopen := open(t)
	ctx := context.Background()
	r := NewRecord("src", mosaic.KindPerson, map[string]string{"name": "Ana"}, nil, "Ana")
	put(t, s, r)
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.MarkDone(ctx, "extract", store.Range{Lo: r.Seq, Hi: r.Seq}) }); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s2 := reopen()
	defer s2.Close()
	if _, err := s2.Item(ctx, all, r.ID); err != nil {
		t.Errorf("item lost across reopen: %v", err)
	}
	if rs, _ := s2.DoneRanges(ctx, "extract"); len(rs) != 1 {
		t.Errorf("progress lost across reopen: %v", rs)
	}
	r2 := NewRecord("src", mosaic.KindPerson, map[string]string{"name": "Bo"}, nil, "Bo")
	put(t, s2, r2)
	if r2.Seq <= r.Seq {
		t.Errorf("seq went backwards after reopen: %d then %d", r.Seq, r2.Seq)
	}
}

func testConcurrentWriters(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	const writers, per = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < per; i++ {
				it := NewRecord("src", mosaic.KindPerson, map[string]string{"w": fmt.Sprint(w), "i": fmt.Sprint(i)}, nil, "P")
				if err := s.Update(ctx, func(tx store.Tx) error { _, err := tx.PutItems(ctx, []*store.Item{it}); return err }); err != nil {
					errs <- err
					return
				}
				if _, err := s.Item(ctx, all, it.ID); err != nil {
					errs <- fmt.Errorf("read own write: %w", err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if st, _ := s.Stats(ctx); st.Records != writers*per {
		t.Errorf("stored %d records, want %d", st.Records, writers*per)
	}
}

func testCheck(t *testing.T, open Opener) {
	s := openStore(t, open)
	put(t, s, NewDocument("r", "t", "some text", nil))
	if err := s.Check(context.Background()); err != nil {
		t.Errorf("Check on a healthy store: %v", err)
	}
}

func testLinks(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	a := NewRecord("visits", mosaic.KindPrisonVisit, map[string]string{"v": "1"}, nil, "Ana Lima")
	b := NewRecord("visits", mosaic.KindPrisonVisit, map[string]string{"v": "2"}, mosaic.NewMarking("ALPHA"), "Bo Chen")
	put(t, s, a, b)
	ma, mb := a.Facts.Mentions[0].ID, b.Facts.Mentions[0].ID
	open_ := mosaic.Link{ID: mosaic.LinkID(a.ID, ma, "visited", mb), Subject: ma, Predicate: "visited", Object: mb,
		Evidence: []mosaic.ID{a.Facts.Statements[0].ID}, Start: t0, End: t0, Confidence: 1, Source: "visits"}
	secret := open_
	secret.ID, secret.Predicate, secret.Marking = mosaic.LinkID(b.ID, mb, "met", ma), "met", mosaic.NewMarking("ALPHA")
	err := s.Update(ctx, func(tx store.Tx) error {
		if err := tx.PutLinks(ctx, a.Seq, []mosaic.Link{open_}); err != nil {
			return err
		}
		return tx.PutLinks(ctx, b.Seq, []mosaic.Link{secret})
	})
	if err != nil {
		t.Fatal(err)
	}
	// Unresolved endpoints: the entity view has no links yet.
	n := 0
	s.EntityLinks(ctx, func(store.EntityLink) error { n++; return nil })
	if n != 0 {
		t.Errorf("%d entity links before resolution, want 0", n)
	}
	assign(t, s, store.Assignment{Mention: ma, Entity: "ent-a", Type: mosaic.TypePerson, Item: a.Seq, Caption: "Ana Lima"},
		store.Assignment{Mention: mb, Entity: "ent-b", Type: mosaic.TypePerson, Item: b.Seq, Caption: "Bo Chen"})
	var got []store.EntityLink
	if err := s.EntityLinks(ctx, func(l store.EntityLink) error { got = append(got, l); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].SubjectEntity != "ent-a" || got[0].ObjectEntity != "ent-b" || !got[0].Start.Equal(t0) || len(got[0].Evidence) != 1 {
		t.Fatalf("entity links = %+v", got)
	}
	var rows []store.MentionRow
	if err := s.ResolvedMentions(ctx, func(m store.MentionRow) error { rows = append(rows, m); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Entity != "ent-a" || rows[0].Caption != "Ana Lima" || rows[1].Marking.String() != "ALPHA" || rows[1].Stored.IsZero() {
		t.Errorf("ResolvedMentions = %+v", rows)
	}
	vis, err := s.LinksOf(ctx, nobody, []mosaic.ID{ma}, 10)
	if err != nil || len(vis) != 1 || vis[0].Predicate != "visited" {
		t.Errorf("nobody's links of a = %+v, %v; want only the unmarked one", vis, err)
	}
	if vis, _ := s.LinksOf(ctx, alpha, []mosaic.ID{ma}, 10); len(vis) != 2 {
		t.Errorf("alpha sees %d links, want 2", len(vis))
	}
	// Replacing an item's links drops the old ones; links need evidence.
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.PutLinks(ctx, a.Seq, nil) }); err != nil {
		t.Fatal(err)
	}
	if vis, _ := s.LinksOf(ctx, all, []mosaic.ID{ma}, 10); len(vis) != 1 {
		t.Errorf("after clearing a's links, %d remain, want 1", len(vis))
	}
	bad := open_
	bad.Evidence = nil
	if err := s.Update(ctx, func(tx store.Tx) error { return tx.PutLinks(ctx, a.Seq, []mosaic.Link{bad}) }); mosaic.KindOf(err) != mosaic.KindInvalid {
		t.Errorf("link without evidence: err = %v, want invalid", err)
	}
}

func testAlerts(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	raise := func(a *mosaic.Alert) bool {
		var created bool
		if err := s.Update(ctx, func(tx store.Tx) error { var err error; created, err = tx.PutAlert(ctx, a); return err }); err != nil {
			t.Fatal(err)
		}
		return created
	}
	a := &mosaic.Alert{Rule: "watchlist", Key: "ent-1|WL-1", Title: "watchlisted person travels", Entities: []mosaic.ID{"ent-1"}, Records: []mosaic.ID{"rec-1"}, Score: 0.9, Marking: mosaic.NewMarking("ALPHA")}
	if !raise(a) {
		t.Fatal("first alert not created")
	}
	id := a.ID
	if id != mosaic.AlertID("watchlist", "ent-1|WL-1") {
		t.Errorf("alert id %s is not stable", id)
	}
	// The same hit again (a redelivery) changes nothing; a new record folds in.
	if raise(&mosaic.Alert{Rule: "watchlist", Key: "ent-1|WL-1", Records: []mosaic.ID{"rec-1"}}) {
		t.Error("repeat created a new alert")
	}
	raise(&mosaic.Alert{Rule: "watchlist", Key: "ent-1|WL-1", Records: []mosaic.ID{"rec-2"}, Marking: mosaic.NewMarking("BETA")})
	got, err := s.Alert(ctx, all, id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Count != 2 || len(got.Records) != 2 || got.State != mosaic.AlertNew || !got.Marking.Equal(mosaic.NewMarking("ALPHA", "BETA")) {
		t.Errorf("folded alert = %+v", got)
	}
	if _, err := s.Alert(ctx, alpha, id); !mosaic.IsNotFound(err) {
		t.Errorf("alpha read an ALPHA,BETA alert: %v", err)
	}
	err = s.Update(ctx, func(tx store.Tx) error {
		return tx.SetAlertState(ctx, id, mosaic.AlertChange{State: mosaic.AlertDismissed, Who: "analyst1", Why: "same name, different person"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if l, _ := s.Alerts(ctx, all, store.AlertFilter{State: mosaic.AlertDismissed}); len(l) != 1 || l[0].History[len(l[0].History)-1].Who != "analyst1" {
		t.Errorf("dismissed alerts = %+v", l)
	}
	// New evidence reopens a dismissed alert.
	raise(&mosaic.Alert{Rule: "watchlist", Key: "ent-1|WL-1", Records: []mosaic.ID{"rec-3"}})
	if got, _ := s.Alert(ctx, all, id); got.State != mosaic.AlertNew || got.Count != 3 {
		t.Errorf("after new evidence: state %s count %d", got.State, got.Count)
	}
	for _, c := range []mosaic.AlertChange{{State: "lost", Who: "x"}, {State: mosaic.AlertEscalated}} {
		if err := s.Update(ctx, func(tx store.Tx) error { return tx.SetAlertState(ctx, id, c) }); mosaic.KindOf(err) != mosaic.KindInvalid {
			t.Errorf("change %+v: err = %v, want invalid", c, err)
		}
	}
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.SetAlertState(ctx, "alr-none", mosaic.AlertChange{State: mosaic.AlertEscalated, Who: "x"})
	}); !mosaic.IsNotFound(err) {
		t.Errorf("unknown alert: %v", err)
	}
	if l, _ := s.Alerts(ctx, nobody, store.AlertFilter{}); len(l) != 0 {
		t.Errorf("nobody sees %d alerts", len(l))
	}
}
