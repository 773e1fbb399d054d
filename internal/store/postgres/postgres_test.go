package postgres_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/postgres"
	"github.com/mosaic-intel/mosaic/internal/store/postgres/pgtest"
	"github.com/mosaic-intel/mosaic/internal/store/sqlstore"
	"github.com/mosaic-intel/mosaic/internal/store/storetest"
)

var all = mosaic.Principal{Name: "all", All: true}

// openURL opens the store at url, closing it at the end of the test.
func openURL(tb testing.TB, url string) *sqlstore.Store {
	tb.Helper()
	s, err := postgres.Open(context.Background(), url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func open(tb testing.TB) (store.Store, func() store.Store) {
	url := pgtest.TestDatabase(tb)
	o := func() store.Store {
		s, err := postgres.Open(context.Background(), url)
		if err != nil {
			tb.Fatal(err)
		}
		return s
	}
	return o(), o
}

func TestConformance(t *testing.T) { storetest.Run(t, open) }

func TestMigrations(t *testing.T) {
	url := pgtest.TestDatabase(t)
	ctx := context.Background()
	// Several processes starting at once on an empty database: one
	// migrates, the others wait for it and find the schema in place.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := postgres.Open(ctx, url)
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("opener %d: %v", i, err)
		}
	}
	s := openURL(t, url)
	v, err := s.SchemaVersion(ctx)
	if err != nil || v != len(postgres.Dialect{}.Migrations()) {
		t.Errorf("schema version %d, %v; want %d", v, err, len(postgres.Dialect{}.Migrations()))
	}
	var applied int
	if err := s.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&applied); err != nil || applied != v {
		t.Errorf("schema_migrations holds %d rows (%v), want %d: a migration ran twice or not at all", applied, err, v)
	}
	// A database from a newer binary is refused, not damaged.
	if _, err := s.DB().ExecContext(ctx, `INSERT INTO schema_migrations(version, name, applied) VALUES(99, 'future', 0)`); err != nil {
		t.Fatal(err)
	}
	if s2, err := postgres.Open(ctx, url); err == nil {
		s2.Close()
		t.Error("opened a database whose schema is newer than the binary")
	}
}

func TestSearchPostgres(t *testing.T) {
	s := openURL(t, pgtest.TestDatabase(t))
	ctx := context.Background()
	f, err := postgres.DescribeDB(ctx, s.DB())
	if err != nil {
		t.Fatal(err)
	}
	docs := map[string]*store.Item{
		"accents": storetest.NewDocument("r", "Visit", "José Ibáñez crossed at Malmö on 1985-04-12, mail jose.ibanez@example.org.", nil),
		"names":   storetest.NewDocument("r", "Sighting", "Vardan Petrosyan was seen near the harbour.", nil),
		"other":   storetest.NewDocument("r", "Weather", "Rain over the hills all week.", nil),
	}
	if err := s.Update(ctx, func(tx store.Tx) error {
		for _, k := range []string{"accents", "names", "other"} {
			if _, err := tx.PutItems(ctx, []*store.Item{docs[k]}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		query string
		want  string // key of the one expected document, "" for none
		needs bool   // needs the feature named by cond
		cond  string
	}{
		{"1985-04-12", "accents", true, ""}, // a date is three words, as the query parser reads it
		{"04 12", "accents", true, ""},
		{"jose ibanez example org", "accents", true, ""},
		{"Ibáñez", "accents", true, ""},
		{"ibanez", "accents", f.Unaccent, "unaccent"},
		{"malmo", "accents", f.Unaccent, "unaccent"},
		{"harbour petrosyan", "names", true, ""},
		{"Petrosian", "names", f.Fuzzy, "pg_trgm"},        // misspelt: trigram fallback
		{"Vardan Petrosian", "names", f.Fuzzy, "pg_trgm"}, // every word must be close
		{"Vardan Petrosian harbor", "names", f.Fuzzy, "pg_trgm"},
		{"Vardan Petrosian hills", "", f.Fuzzy, "pg_trgm"},
		{"xq", "", true, ""},
		{"hills harbour", "", true, ""}, // no item has both, and no word is misspelt
	}
	for _, tc := range tests {
		if !tc.needs {
			t.Logf("skipping %q: the server lacks %s", tc.query, tc.cond)
			continue
		}
		hits, err := s.Search(ctx, all, tc.query, 10)
		if err != nil {
			t.Errorf("%q: %v", tc.query, err)
			continue
		}
		var got []string
		for _, h := range hits {
			for k, d := range docs {
				if h.ID == d.ID {
					got = append(got, k)
				}
			}
		}
		want := []string{}
		if tc.want != "" {
			want = []string{tc.want}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("search %q found %v, want %v", tc.query, got, want)
		}
	}
	hits, err := s.Search(ctx, all, "petrosyan", 10)
	if err != nil || len(hits) != 1 || !strings.Contains(hits[0].Snippet, "[Petrosyan]") {
		t.Errorf("snippet of an exact match: %+v, %v; want the word marked", hits, err)
	}
}

func TestCheckFindsDamage(t *testing.T) {
	s := openURL(t, pgtest.TestDatabase(t))
	ctx := context.Background()
	d := storetest.NewDocument("r", "T", "some text", nil)
	r := storetest.NewRecord("src", mosaic.KindPerson, map[string]string{"name": "Ana"}, nil, "Ana")
	if err := s.Update(ctx, func(tx store.Tx) error { _, err := tx.PutItems(ctx, []*store.Item{d, r}); return err }); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(ctx); err != nil {
		t.Fatalf("healthy store: %v", err)
	}
	for _, tc := range []struct{ damage, want string }{
		{`DELETE FROM search WHERE seq = (SELECT MIN(seq) FROM items)`, "missing from the search index"},
		{`DELETE FROM doc_content`, "documents without content"},
		{`UPDATE counters SET value = value + 1 WHERE name = 'records'`, "records miscounted"},
		{`INSERT INTO stage_done(stage, lo, hi) VALUES('x', 5, 2)`, "malformed done ranges"},
	} {
		if _, err := s.DB().ExecContext(ctx, tc.damage); err != nil {
			t.Fatal(err)
		}
		if err := s.Check(ctx); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("after %q: Check = %v, want %q", tc.damage, err, tc.want)
		}
	}
}

// TestDroppedConnection kills the server side of the store's connections,
// between transactions and in the middle of one: the next Update succeeds
// by replaying the transaction, and nothing is written twice.
func TestDroppedConnection(t *testing.T) {
	url := pgtest.TestDatabase(t)
	s := openURL(t, url)
	ctx := context.Background()
	admin, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	kill := func() {
		t.Helper()
		var n int
		if err := admin.QueryRowContext(ctx, `SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity
			WHERE datname = current_database() AND pid <> pg_backend_pid()`).Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	put := func(items ...*store.Item) error {
		return s.Update(ctx, func(tx store.Tx) error { _, err := tx.PutItems(ctx, items); return err })
	}
	a := storetest.NewRecord("src", mosaic.KindPerson, map[string]string{"n": "a"}, nil, "A")
	if err := put(a); err != nil {
		t.Fatal(err)
	}
	kill()
	b := storetest.NewRecord("src", mosaic.KindPerson, map[string]string{"n": "b"}, nil, "B")
	if err := put(b); err != nil {
		t.Fatalf("first write after the connections were killed: %v", err)
	}
	c := storetest.NewRecord("src", mosaic.KindPerson, map[string]string{"n": "c"}, nil, "C")
	d := storetest.NewRecord("src", mosaic.KindPerson, map[string]string{"n": "d"}, nil, "D")
	attempts := 0
	err = s.Update(ctx, func(tx store.Tx) error {
		attempts++
		if _, err := tx.PutItems(ctx, []*store.Item{c}); err != nil {
			return err
		}
		if attempts == 1 {
			kill() // the transaction's own connection dies here
		}
		_, err := tx.PutItems(ctx, []*store.Item{d})
		return err
	})
	if err != nil {
		t.Fatalf("transaction whose connection died: %v", err)
	}
	if attempts < 2 {
		t.Errorf("the transaction ran %d time(s); the kill should have forced a replay", attempts)
	}
	st, err := s.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Records != 4 {
		t.Errorf("stored %d records, want 4", st.Records)
	}
	if err := s.Check(ctx); err != nil {
		t.Error(err)
	}
}

func TestRebind(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`SELECT ?`, `SELECT $1`},
		{`INSERT INTO t(a, b) VALUES(?,?)`, `INSERT INTO t(a, b) VALUES($1,$2)`},
		{`SELECT '?', "a?b", ? -- what?` + "\n" + `FROM t WHERE x = ?`, `SELECT '?', "a?b", $1 -- what?` + "\n" + `FROM t WHERE x = $2`},
		{`SELECT 'it''s ?', ?`, `SELECT 'it''s ?', $1`},
		{`SELECT 'unterminated ?`, `SELECT 'unterminated ?`},
		{`no placeholders`, `no placeholders`},
	} {
		if got := (postgres.Dialect{}).Rebind(tc.in); got != tc.want {
			t.Errorf("Rebind(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzRebind(f *testing.F) {
	for _, s := range []string{`SELECT ?`, `'?'`, `"?"?`, `--?` + "\n?", `'it''s' ?`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		out := (postgres.Dialect{}).Rebind(q)
		// Nothing but placeholders changes: removing them gives back the
		// input with its rebound question marks removed.
		if strings.Count(out, "?") > strings.Count(q, "?") {
			t.Fatalf("Rebind(%q) = %q added question marks", q, out)
		}
		if !strings.Contains(q, "?") && out != q {
			t.Fatalf("Rebind(%q) = %q changed a query without placeholders", q, out)
		}
	})
}

func TestIsBusy(t *testing.T) {
	d := postgres.Dialect{}
	if d.IsBusy(nil) || d.IsBusy(errors.New("syntax error")) || d.IsBusy(context.Canceled) {
		t.Error("IsBusy is true for an error that retrying cannot fix")
	}
	// Real errors from a real server.
	url := pgtest.TestDatabase(t)
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	_, err = db.ExecContext(ctx, `SELECT * FROM no_such_table`)
	if err == nil || d.IsBusy(err) {
		t.Errorf("undefined table: IsBusy(%v) = true", err)
	}
	_, err = db.ExecContext(ctx, `DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = 'serialization_failure'; END $$`)
	if err == nil || !d.IsBusy(fmt.Errorf("wrapped: %w", err)) {
		t.Errorf("serialization failure: IsBusy(%v) = false", err)
	}
	_, err = db.ExecContext(ctx, `DO $$ BEGIN RAISE EXCEPTION 'cycle' USING ERRCODE = 'deadlock_detected'; END $$`)
	if err == nil || !d.IsBusy(err) {
		t.Errorf("deadlock: IsBusy(%v) = false", err)
	}
}

// schemaV4 is the dialect as it was before the resolution table was
// kept by item.
type schemaV4 struct{ postgres.Dialect }

func (schemaV4) Migrations() []sqlstore.Migration { return postgres.Dialect{}.Migrations()[:4] }

func TestMigrateResolutionByItem(t *testing.T) {
	url := pgtest.TestDatabase(t)
	ctx := context.Background()
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	old, err := sqlstore.New(ctx, db, schemaV4{}, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	insert := func(m, e mosaic.ID, item int64) error {
		_, err := db.ExecContext(ctx, `INSERT INTO resolution(mention, entity, type, item) VALUES($1,$2,$3,$4)`, string(m), string(e), string(mosaic.TypePerson), item)
		return err
	}
	storetest.ResolutionMigrated(t, old, insert, func() store.Store {
		if err := old.Close(); err != nil {
			t.Fatal(err)
		}
		s, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}
