package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"

	"github.com/mosaic-intel/mosaic/internal/store/sqlstore"
)

// ftsTable is the definition of the FTS5 search table, in the store's
// schema (migration 1) and in the separate index.
const ftsTable = `fts5(title, body, tokenize = 'unicode61 remove_diacritics 2')`

// ftsHashSize is the index's FTS5 'hashsize': the most memory its pending
// terms take before they are written out as an index segment.
const ftsHashSize = 16 << 20

// textIndex is the store's full-text index in a database of its own
// (sqlstore.TextIndex), so that indexing, with its own writer, runs while
// the next items commit. It holds the FTS5 table search, keyed by item
// seq, and the watermark (the highest seq up to which every item is
// indexed) in search_indexed, moved in the transaction that indexes.
type textIndex struct {
	path string
	w, r *sql.DB
}

var _ sqlstore.TextIndex = (*textIndex)(nil)

// openTextIndex opens (creating if needed) the index at path.
func openTextIndex(ctx context.Context, path string) (*textIndex, error) {
	w, r, err := openDB(path, false)
	if err != nil {
		return nil, err
	}
	ti := &textIndex{path: path, w: w, r: r}
	if err := ti.init(ctx); err != nil {
		ti.Close()
		return nil, err
	}
	return ti, nil
}

func (ti *textIndex) init(ctx context.Context) error {
	tx, err := ti.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, q := range []string{
		`CREATE VIRTUAL TABLE IF NOT EXISTS search USING ` + ftsTable,
		`CREATE TABLE IF NOT EXISTS search_indexed(id INTEGER PRIMARY KEY CHECK (id = 1), seq INTEGER NOT NULL)`,
		// A new index has indexed nothing: the store indexes every item
		// at Open.
		`INSERT INTO search_indexed(id, seq) VALUES(1, 0) ON CONFLICT (id) DO NOTHING`,
		// FTS5 writes its pending terms out as a segment whenever they
		// pass hashsize (default 1 MB): let a batch make one segment.
		`INSERT INTO search(search, rank) VALUES('hashsize', ` + strconv.Itoa(ftsHashSize) + `)`,
	} {
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// Watermark implements sqlstore.TextIndex. It reads through the writer,
// so that it sees the last Add of this process at once.
func (ti *textIndex) Watermark(ctx context.Context) (int64, error) {
	var w int64
	err := ti.w.QueryRowContext(ctx, `SELECT seq FROM search_indexed WHERE id = 1`).Scan(&w)
	return w, err
}

// Add implements sqlstore.TextIndex. Another process may have indexed
// some of docs since the caller read the watermark: those are skipped.
func (ti *textIndex) Add(ctx context.Context, docs []sqlstore.TextDoc, upTo int64) error {
	tx, err := ti.w.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var w int64
	if err := tx.QueryRowContext(ctx, `SELECT seq FROM search_indexed WHERE id = 1`).Scan(&w); err != nil {
		return err
	}
	if upTo <= w {
		return nil
	}
	for len(docs) > 0 && docs[0].Seq <= w {
		docs = docs[1:]
	}
	if len(docs) > 0 {
		if err := (Dialect{}).IndexTexts(ctx, tx, docs); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE search_indexed SET seq = ? WHERE id = 1`, upTo); err != nil {
		return err
	}
	return tx.Commit()
}

// Search implements sqlstore.TextIndex.
func (ti *textIndex) Search(ctx context.Context, query string, limit int) ([]sqlstore.TextHit, error) {
	return searchFTS(ctx, ti.r, query, limit)
}

// Seqs implements sqlstore.TextIndex.
func (ti *textIndex) Seqs(ctx context.Context) ([]int64, error) {
	rows, err := ti.r.QueryContext(ctx, `SELECT rowid FROM search ORDER BY rowid`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			return nil, err
		}
		out = append(out, seq)
	}
	return out, rows.Err()
}

// Check implements sqlstore.TextIndex: SQLite's integrity check of the
// index database and FTS5's of the index, on a connection of its own
// (FTS5's integrity check can miss another connection's changes on a
// connection that has read the index before).
func (ti *textIndex) Check(ctx context.Context) error {
	db, err := sql.Open("sqlite", dsn(ti.path, "deferred", false))
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if err := (Dialect{}).Check(ctx, db); err != nil {
		return fmt.Errorf("full-text index database: %w", err)
	}
	return nil
}

// Close implements sqlstore.TextIndex.
func (ti *textIndex) Close() error {
	err := ti.r.Close()
	if e := ti.w.Close(); err == nil {
		err = e
	}
	return err
}
