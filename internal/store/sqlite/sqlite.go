// Package sqlite is Mosaic's embedded store: SQLite through a pure-Go driver
// (modernc.org/sqlite), in WAL mode with synchronous=FULL so that a
// committed transaction survives a crash or power loss, FTS5 for
// full-text search.
//
// One writer connection serialises write transactions; a pool of reader
// connections serves queries concurrently with the writer (WAL).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/mosaic-intel/mosaic/internal/store/sqlstore"
	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"
)

// Open opens (creating if needed) the SQLite store at path. Its
// full-text index is a second database next to it (IndexPath), written
// behind the commits (see sqlstore's index.go).
func Open(ctx context.Context, path string) (*sqlstore.Store, error) {
	return openIndex(ctx, path, true)
}

// IndexPath returns the path of the full-text index of the store at
// path: mosaic.db's is mosaic-search.db. It holds nothing that the store
// cannot rebuild: a missing index is rebuilt from the items at Open.
func IndexPath(path string) string {
	return strings.TrimSuffix(path, filepath.Ext(path)) + "-search.db"
}

// dsn returns the data source name of the SQLite database at path, whose
// transactions begin with BEGIN mode (immediate or deferred). With
// behind, its connections leave checkpoints of the write-ahead log to the
// store's checkpointer (see checkpoint): the writer's commits never run
// one.
func dsn(path, mode string, behind bool) string {
	v := url.Values{}
	autockpt := "wal_autocheckpoint(8192)"
	if behind {
		autockpt = "wal_autocheckpoint(0)"
	}
	for _, p := range []string{"journal_mode(WAL)", "synchronous(FULL)", "busy_timeout(10000)", "foreign_keys(ON)", "cache_size(-65536)", autockpt, "temp_store(MEMORY)"} {
		v.Add("_pragma", p)
	}
	v.Set("_txlock", mode)
	return "file:" + path + "?" + v.Encode()
}

// openDB opens a writer (one connection) and a pool of readers on path;
// behind as for dsn.
func openDB(path string, behind bool) (w, r *sql.DB, err error) {
	w, err = sql.Open("sqlite", dsn(path, "immediate", behind))
	if err != nil {
		return nil, nil, err
	}
	w.SetMaxOpenConns(1)
	r, err = sql.Open("sqlite", dsn(path, "deferred", behind))
	if err != nil {
		w.Close()
		return nil, nil, err
	}
	r.SetMaxOpenConns(8)
	return w, r, nil
}

// checkpoint copies what it can of the write-ahead log back into the
// database through one of the readers: a passive checkpoint takes no
// write lock, so commits go on meanwhile, and it stops at the oldest
// snapshot a reader still uses.
func checkpoint(r *sql.DB) func(ctx context.Context) error {
	return func(ctx context.Context) error {
		var busy, logged, copied int
		return r.QueryRowContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logged, &copied)
	}
}

// openIndex opens the store at path, with its full-text index in a
// database of its own (separate) or, as before that, in the store's own
// search table, written in every item transaction (tests and
// benchmarks).
func openIndex(ctx context.Context, path string, separate bool) (*sqlstore.Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, err
	}
	w, r, err := openDB(path, true)
	if err != nil {
		return nil, err
	}
	opts := sqlstore.Options{Writer: w, Checkpoint: checkpoint(r)}
	if separate {
		ti, err := openTextIndex(ctx, IndexPath(path))
		if err != nil {
			w.Close()
			r.Close()
			return nil, fmt.Errorf("open %s: %w", IndexPath(path), err)
		}
		opts.TextIndex = ti
	}
	s, err := sqlstore.New(ctx, r, Dialect{}, opts)
	if err != nil {
		w.Close()
		r.Close()
		if opts.TextIndex != nil {
			opts.TextIndex.Close()
		}
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if separate {
		if err := dropOldIndex(ctx, w); err != nil {
			s.Close()
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
	}
	return s, nil
}

// dropOldIndex empties the store's own search table, where a store
// written before the separate index kept its full-text index (New has
// rebuilt that in the separate index): dropping and creating the table
// again is quicker than deleting its rows one by one.
func dropOldIndex(ctx context.Context, w *sql.DB) error {
	var n int
	if err := w.QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM search_docsize LIMIT 1)`).Scan(&n); err != nil || n == 0 {
		return err
	}
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range []string{`DROP TABLE search`, `CREATE VIRTUAL TABLE search USING ` + ftsTable} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Dialect is the SQLite dialect.
type Dialect struct{}

var _ sqlstore.Dialect = Dialect{}

// Name implements sqlstore.Dialect.
func (Dialect) Name() string { return "sqlite" }

// Relax implements sqlstore.Relaxer: in WAL mode with synchronous=NORMAL
// a commit is not synced; the next synced commit (or checkpoint) syncs
// the log up to and past it, and a crash of the process loses nothing.
func (Dialect) Relax() string { return "PRAGMA synchronous=NORMAL" }

// Strict implements sqlstore.Relaxer: the writer's setting (see dsn).
func (Dialect) Strict() string { return "PRAGMA synchronous=FULL" }

// Rebind implements sqlstore.Dialect: SQLite takes '?' as it is.
func (Dialect) Rebind(q string) string { return q }

// Migrations implements sqlstore.Dialect.
func (Dialect) Migrations() []sqlstore.Migration {
	return []sqlstore.Migration{
		{Version: 1, Name: "core", SQL: append(sqlstore.CoreSchema("INTEGER PRIMARY KEY AUTOINCREMENT", "BLOB"),
			`CREATE VIRTUAL TABLE search USING `+ftsTable)},
		{Version: 2, Name: "judgements", SQL: sqlstore.JudgementsSchema("INTEGER PRIMARY KEY AUTOINCREMENT")},
		{Version: 3, Name: "items by kind", SQL: sqlstore.ItemsByKindSchema()},
		{Version: 4, Name: "links by item", SQL: sqlstore.LinksByItemSchemaWithoutRowid()},
		{Version: 5, Name: "resolution by item", SQL: sqlstore.ResolutionByItemSchemaSQLite()},
	}
}

// IndexText implements sqlstore.Dialect.
func (Dialect) IndexText(ctx context.Context, tx *sql.Tx, seq int64, title, body string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO search(rowid, title, body) VALUES(?,?,?)`, seq, title, body)
	return err
}

var _ sqlstore.TextBatchIndexer = Dialect{}

// IndexTexts implements sqlstore.TextBatchIndexer with as few statements
// as SQLite's limit on parameters (32,766) allows. FTS5 writes its pending
// terms out as a new index segment at every statement savepoint, so each
// statement here costs a segment and, sooner or later, a merge.
func (Dialect) IndexTexts(ctx context.Context, tx *sql.Tx, docs []sqlstore.TextDoc) error {
	const chunk = 10_000
	for lo := 0; lo < len(docs); lo += chunk {
		part := docs[lo:min(len(docs), lo+chunk)]
		var q strings.Builder
		q.WriteString(`INSERT INTO search(rowid, title, body) VALUES(?,?,?)`)
		q.WriteString(strings.Repeat(`,(?,?,?)`, len(part)-1))
		args := make([]any, 0, 3*len(part))
		for _, d := range part {
			args = append(args, d.Seq, d.Title, d.Body)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}

// SearchText implements sqlstore.Dialect. Every word must match (FTS5
// implicit AND); words are quoted so that no query syntax leaks through.
func (Dialect) SearchText(ctx context.Context, db *sql.DB, query string, limit int) ([]sqlstore.TextHit, error) {
	return searchFTS(ctx, db, query, limit)
}

// searchFTS runs a search over the search table of db.
func searchFTS(ctx context.Context, db *sql.DB, query string, limit int) ([]sqlstore.TextHit, error) {
	var terms []string
	for _, w := range strings.Fields(query) {
		terms = append(terms, `"`+strings.ReplaceAll(w, `"`, `""`)+`"`)
	}
	if len(terms) == 0 {
		return nil, nil
	}
	rows, err := db.QueryContext(ctx, `SELECT rowid, bm25(search), snippet(search, 1, '[', ']', '…', 12) FROM search WHERE search MATCH ? ORDER BY bm25(search) LIMIT ?`, strings.Join(terms, " "), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []sqlstore.TextHit
	for rows.Next() {
		var h sqlstore.TextHit
		if err := rows.Scan(&h.Seq, &h.Score, &h.Snippet); err != nil {
			return nil, err
		}
		h.Score = -h.Score // bm25: lower is better
		out = append(out, h)
	}
	return out, rows.Err()
}

// Check implements sqlstore.Dialect with PRAGMA integrity_check.
func (Dialect) Check(ctx context.Context, db *sql.DB) error {
	rows, err := db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		if s != "ok" {
			problems = append(problems, s)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(problems) > 0 {
		return fmt.Errorf("sqlite integrity check: %s", strings.Join(problems, "; "))
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO search(search) VALUES('integrity-check')`); err != nil {
		return fmt.Errorf("full-text index integrity check: %w", err)
	}
	return nil
}

// IsBusy implements sqlstore.Dialect.
func (Dialect) IsBusy(err error) bool {
	var se *sqlite3.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == sqlite3lib.SQLITE_BUSY || c == sqlite3lib.SQLITE_LOCKED
	}
	return false
}
