package sqlite

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlstore"
	"github.com/mosaic-intel/mosaic/internal/store/storetest"
)

// schemaAt is the dialect as it was at schema version v.
type schemaAt struct {
	Dialect
	v int
}

func (d schemaAt) Migrations() []sqlstore.Migration { return Dialect{}.Migrations()[:d.v] }

// openAt opens a new store at path with the schema of version v, and
// returns it with its writer connection.
func openAt(t *testing.T, path string, v int) (*sqlstore.Store, *sql.DB) {
	t.Helper()
	w, r, err := openDB(path, false)
	if err != nil {
		t.Fatal(err)
	}
	s, err := sqlstore.New(context.Background(), r, schemaAt{v: v}, sqlstore.Options{Writer: w})
	if err != nil {
		t.Fatal(err)
	}
	return s, w
}

// TestMigrateLinksByItem: a store written before links were kept by item
// keeps its links when opened, and finds them from both ends, including
// an end that is a mention of another item.
func TestMigrateLinksByItem(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mosaic.db")
	old, w := openAt(t, path, 3) // before links were kept by item
	items := records(0, 3)
	m := func(i int) mosaic.ID { return items[i].Facts.Mentions[0].ID }
	t0 := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	link := func(i, j int) mosaic.Link {
		return mosaic.Link{ID: mosaic.LinkID(items[i].ID, m(i), "knows", m(j)), Subject: m(i), Predicate: "knows", Object: m(j),
			Evidence: []mosaic.ID{items[i].Facts.Statements[0].ID}, Start: t0, End: t0, Confidence: 1, Source: "src"}
	}
	err := old.Update(ctx, func(tx store.Tx) error {
		_, err := tx.PutItems(ctx, items)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Assignments as the code of schema 3 wrote them.
	for i, it := range items {
		if _, err := w.ExecContext(ctx, `INSERT INTO resolution(mention, entity, type, item) VALUES(?,?,?,?)`,
			string(m(i)), "ent-"+string(rune('a'+i)), string(mosaic.TypePerson), it.Seq); err != nil {
			t.Fatal(err)
		}
	}
	// Item 0 links its mention to item 1's (a cross-item end), written
	// as the code of schema 3 wrote links.
	l := link(0, 1)
	if _, err := w.ExecContext(ctx, `INSERT INTO links(id, item, subject, predicate, object, evidence, start_at, end_at, confidence, source, marking)
		VALUES(?,?,?,?,?,?,?,?,?,?,?)`, string(l.ID), items[0].Seq, string(l.Subject), l.Predicate, string(l.Object),
		`["`+string(l.Evidence[0])+`"]`, t0.UnixMicro(), t0.UnixMicro(), 1.0, "src", ""); err != nil {
		t.Fatal(err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, i := range []int{0, 1} {
		ls, err := s.LinksOf(ctx, everyone, []mosaic.ID{m(i)}, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(ls) != 1 || ls[0].ID != link(0, 1).ID || ls[0].SubjectEntity != "ent-a" || ls[0].ObjectEntity != "ent-b" {
			t.Errorf("links of mention %d after migrating: %+v, want the one link a -> b", i, ls)
		}
	}
	if ls, err := s.LinksOf(ctx, everyone, []mosaic.ID{m(2)}, 10); err != nil || len(ls) != 0 {
		t.Errorf("links of mention 2: %+v, %v; want none", ls, err)
	}
}

func TestMigrateResolutionByItem(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "mosaic.db")
	old, w := openAt(t, path, 4) // before the resolution table was kept by item
	insert := func(m, e mosaic.ID, item int64) error {
		_, err := w.ExecContext(ctx, `INSERT INTO resolution(mention, entity, type, item) VALUES(?,?,?,?)`, string(m), string(e), string(mosaic.TypePerson), item)
		return err
	}
	storetest.ResolutionMigrated(t, old, insert, func() store.Store {
		if err := old.Close(); err != nil {
			t.Fatal(err)
		}
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
