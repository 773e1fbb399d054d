package stages

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/extract"
	"github.com/mosaic-intel/mosaic/internal/format"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlite"
)

const eml = "From: Ana Lima <Ana.Lima@example.org>\r\nTo: bo@example.net, \"Cy Dube\" <cy@example.com>\r\nSubject: Saturday\r\nDate: Mon, 2 Sep 2024 10:00:00 +0100\r\n\r\nAna Lima will meet Bo Chen in Leeds on Saturday.\r\n"

// TestEmailHeadersAndText runs the extract stage on an e-mail: the
// headers become e-mail and person mentions with a communicated_with link
// whose evidence is the headers, and the body is read as text with spans.
func TestEmailHeadersAndText(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.eml")
	if err := os.WriteFile(path, []byte(eml), 0o600); err != nil {
		t.Fatal(err)
	}
	var doc *mosaic.Document
	err := format.Walk(context.Background(), path, format.Options{}, func(it format.Item) error { doc = it.Doc; return nil }, func(r format.Rejection) { t.Error(r.Error()) })
	if err != nil || doc == nil {
		t.Fatalf("walk: %v", err)
	}
	doc.Source = "seized-media"
	x, err := extract.New()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	it := &store.Item{ID: doc.ID, Source: doc.Source, Document: doc}
	if err := st.Update(ctx, func(tx store.Tx) error { _, err := tx.PutItems(ctx, []*store.Item{it}); return err }); err != nil {
		t.Fatal(err)
	}
	out, err := NewExtract(x).Process(ctx, []*store.Item{it})
	if err != nil || len(out.Failed) != 0 {
		t.Fatalf("process: %v %v", err, out.Failed)
	}
	if err := st.Update(ctx, func(tx store.Tx) error { return out.Apply(ctx, tx) }); err != nil {
		t.Fatal(err)
	}
	got, err := st.Item(ctx, mosaic.Principal{All: true}, doc.ID)
	if err != nil || got.Facts == nil {
		t.Fatalf("no facts stored: %v", err)
	}
	facts := got.Facts
	emails, people := map[string]bool{}, map[string]bool{}
	for _, m := range facts.Mentions {
		switch m.Type {
		case mosaic.TypeEmail:
			emails[m.Caption] = true
		case mosaic.TypePerson:
			people[m.Caption] = true
		}
	}
	if !emails["ana.lima@example.org"] || !emails["bo@example.net"] || !emails["cy@example.com"] || !people["Ana Lima"] || !people["Cy Dube"] {
		t.Errorf("mentions: emails %v people %v", emails, people)
	}
	comms := 0
	for _, l := range facts.Links {
		if l.Predicate == "communicated_with" {
			comms++
			if len(l.Evidence) != 2 {
				t.Errorf("communication link without header evidence: %+v", l)
			}
		}
	}
	if comms != 2 {
		t.Errorf("%d communicated_with links, want 2 (from Ana to Bo and Cy)", comms)
	}
	for _, s := range facts.Statements {
		if s.Origin.IsZero() {
			t.Fatalf("statement without origin: %+v", s)
		}
		if s.Origin.Field == "header:From" && s.Prop == mosaic.PropName && s.Type == mosaic.TypePerson && s.Value != "Ana Lima" {
			t.Errorf("From header names %q", s.Value)
		}
		if s.Origin.Field == "" && (s.Origin.End > len(doc.Text) || s.Origin.Start >= s.Origin.End) {
			t.Errorf("span out of the text: %+v", s.Origin)
		}
	}
}
