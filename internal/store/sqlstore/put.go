package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// TextBatchIndexer is an optional extension of Dialect: a dialect that
// implements it receives all the searchable text of one PutItems call at
// once (in Seq order) instead of one IndexText call per item, so that it
// can use multi-row inserts.
type TextBatchIndexer interface {
	IndexTexts(ctx context.Context, tx *sql.Tx, docs []TextDoc) error
}

// TextDoc is the searchable text of one item.
type TextDoc struct {
	Seq         int64
	Title, Body string
}

// insertChunk is the most rows one INSERT statement carries: 9 columns a
// row keeps a statement well under SQLite's 32,766 and PostgreSQL's 65,535
// parameters, and past a hundred rows a longer statement saves nothing.
const insertChunk = 128

// itemRow is an item encoded for the items table.
type itemRow struct {
	it                  *store.Item
	kind, locator, body string
	facts               any // string, or nil for no facts
	observed            int64
	title, text         string
}

// PutItems implements store.Tx. Items go in with multi-row INSERTs in
// input order, so a batch's new items get ascending seqs in the order
// given; the full-text rows follow once every item row is in (FTS5
// flushes its pending terms at each statement savepoint, so interleaving
// the two would write a tiny index segment per item and merge them over
// and over).
func (t *tx) PutItems(ctx context.Context, items []*store.Item) (int, error) {
	rows, err := encodeRows(items)
	if err != nil {
		return 0, err
	}
	return t.putRows(ctx, rows)
}

// prepared is a batch encoded by PrepareItems.
type prepared struct {
	s     *Store
	items []*store.Item
	rows  []itemRow
}

func (p *prepared) Items() []*store.Item { return p.items }

// PrepareItems implements store.Preparer.
func (s *Store) PrepareItems(items []*store.Item) (store.Prepared, error) {
	rows, err := encodeRows(items)
	if err != nil {
		return nil, err
	}
	return &prepared{s: s, items: items, rows: rows}, nil
}

// PutPrepared implements store.PreparedPutter. A batch prepared by another
// store is put with PutItems.
func (t *tx) PutPrepared(ctx context.Context, p store.Prepared) (int, error) {
	if pp, ok := p.(*prepared); ok && pp.s == t.s {
		return t.putRows(ctx, pp.rows)
	}
	return t.PutItems(ctx, p.Items())
}

// encodeRows validates and encodes items for the items table.
func encodeRows(items []*store.Item) ([]itemRow, error) {
	rows := make([]itemRow, len(items))
	var buf []byte
	for i, it := range items {
		if err := validateItem(it); err != nil {
			return nil, err
		}
		r := &rows[i]
		r.it = it
		var err error
		if r.body, err = encodeBody(r, &buf); err != nil {
			return nil, fmt.Errorf("encode item %s: %w", it.ID, err)
		}
		if it.Facts != nil {
			if buf, err = appendFacts(buf[:0], it.Facts, storedContext(it.ID, it.Source, it.Marking, fromMicros(r.observed))); err != nil {
				return nil, fmt.Errorf("encode facts of %s: %w", it.ID, err)
			}
			r.facts = string(buf)
		}
	}
	return rows, nil
}

// putRows inserts encoded rows (see PutItems).
func (t *tx) putRows(ctx context.Context, rows []itemRow) (int, error) {
	now := t.s.clock()
	inserted := make(map[string]int64, len(rows))
	for lo := 0; lo < len(rows); lo += insertChunk {
		if err := t.insertItems(ctx, rows[lo:min(len(rows), lo+insertChunk)], micros(now), inserted); err != nil {
			return 0, err
		}
	}
	added := 0
	var existing []*store.Item
	index := make([]TextDoc, 0, len(inserted))
	for i := range rows {
		r := &rows[i]
		it := r.it
		seq, ok := inserted[string(it.ID)]
		if !ok { // already stored, or a repeat within this batch
			existing = append(existing, it)
			continue
		}
		delete(inserted, string(it.ID))
		it.Seq, it.Stored = seq, fromMicros(micros(now)) // as a read gives it back
		added++
		if d := it.Document; d != nil {
			if err := t.exec(ctx, t.s.q.insertContent, seq, d.Text, d.Raw); err != nil {
				return added, fmt.Errorf("insert document %s: %w", it.ID, err)
			}
			t.counts["documents"]++
		} else {
			t.counts["records"]++
			t.counts["records:"+r.kind]++
		}
		index = append(index, TextDoc{Seq: seq, Title: r.title, Body: r.text})
		t.countFacts(nil, it.Facts)
	}
	if err := t.existingSeqs(ctx, existing); err != nil {
		return added, err
	}
	if t.s.ti != nil {
		t.deferred = append(t.deferred, index...)
		return added, nil
	}
	if err := t.s.indexTexts(ctx, t.tx, index); err != nil {
		return added, fmt.Errorf("index items: %w", err)
	}
	return added, nil
}

// encodeBody fills r's columns from its item and returns the body column.
func encodeBody(r *itemRow, buf *[]byte) (string, error) {
	if d := r.it.Document; d != nil {
		r.kind, r.locator, r.observed, r.title, r.text = kindDocument, d.Path, micros(d.Observed), d.Title, d.Text
		b, err := json.Marshal(docBody{Title: d.Title, MediaType: d.MediaType, Path: d.Path, Published: micros(d.Published), Meta: d.Meta})
		return string(b), err
	}
	rec := r.it.Record
	r.kind, r.locator, r.observed = string(rec.Kind), rec.Locator, micros(rec.Observed)
	r.title, r.text = recordText(rec)
	*buf = appendFields((*buf)[:0], rec.Fields)
	return string(*buf), nil
}

// insertItems inserts rows with one statement, recording the seq of each
// row it added by ID. Rows whose ID is already stored are skipped.
func (t *tx) insertItems(ctx context.Context, rows []itemRow, stored int64, seqs map[string]int64) error {
	var q strings.Builder
	q.WriteString(`INSERT INTO items(id, source, kind, marking, observed, stored, locator, body, facts) VALUES`)
	args := make([]any, 0, 9*len(rows))
	for i := range rows {
		r := &rows[i]
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString(`(?,?,?,?,?,?,?,?,?)`)
		args = append(args, string(r.it.ID), r.it.Source, r.kind, r.it.Marking.String(), r.observed, stored, r.locator, r.body, r.facts)
	}
	q.WriteString(` ON CONFLICT (id) DO NOTHING RETURNING seq, id`)
	st, err := t.stmt(ctx, t.s.d.Rebind(q.String()))
	if err != nil {
		return err
	}
	res, err := st.QueryContext(ctx, args...)
	if err != nil {
		return fmt.Errorf("insert items: %w", err)
	}
	defer res.Close()
	for res.Next() {
		var seq int64
		var id string
		if err := res.Scan(&seq, &id); err != nil {
			return err
		}
		seqs[id] = seq
	}
	if err := res.Err(); err != nil {
		return fmt.Errorf("insert items: %w", err)
	}
	return nil
}

// existingSeqs sets the Seq of items that were stored before.
func (t *tx) existingSeqs(ctx context.Context, items []*store.Item) error {
	for lo := 0; lo < len(items); lo += insertChunk {
		chunk := items[lo:min(len(items), lo+insertChunk)]
		q := `SELECT seq, id FROM items WHERE id IN (?` + strings.Repeat(",?", len(chunk)-1) + `)`
		st, err := t.stmt(ctx, t.s.d.Rebind(q))
		if err != nil {
			return err
		}
		args := make([]any, len(chunk))
		for i, it := range chunk {
			args[i] = string(it.ID)
		}
		rows, err := st.QueryContext(ctx, args...)
		if err != nil {
			return fmt.Errorf("find existing items: %w", err)
		}
		seqs := make(map[mosaic.ID]int64, len(chunk))
		for rows.Next() {
			var seq int64
			var id string
			if err := rows.Scan(&seq, &id); err != nil {
				rows.Close()
				return err
			}
			seqs[mosaic.ID(id)] = seq
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return fmt.Errorf("find existing items: %w", err)
		}
		for _, it := range chunk {
			seq, ok := seqs[it.ID]
			if !ok {
				return fmt.Errorf("item %s was neither inserted nor found", it.ID)
			}
			it.Seq = seq
		}
	}
	return nil
}
