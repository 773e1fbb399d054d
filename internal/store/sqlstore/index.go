package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	mosaic "github.com/mosaic-intel/mosaic"
)

// A full-text index behind the commits
//
// With Options.TextIndex (SQLite), the full-text index lives apart from
// the items, in a database of its own with its own writer, and the
// transaction that adds items does not index their text. A goroutine of
// the store indexes committed items in batches of Options.IndexBatch
// while the next items commit: on a machine with a spare core the two
// writers run at once, and the one that ingest waits for no longer
// tokenises, flushes and merges index segments.
//
// The index holds a watermark W: every item with seq <= W is in it and
// none above. SQLite gives items increasing seqs in commit order (one
// writer at a time), so the items waiting to be indexed are exactly those
// above W. The index's transaction that adds them moves W in the same
// commit, so the index and its watermark never disagree, whatever the
// moment of a crash. Waiting items are indexed:
//   - by the store's indexing goroutine, once IndexBatch items (or
//     indexBatchBytes of text) wait;
//   - by FlushIndex, which ingestion calls after its last commit;
//   - before Search answers, so that a search never misses a committed
//     item;
//   - at New (recovery after a crash, or a store whose index is new) and
//     at Close.
//
// The text of items this process committed is kept in memory until it is
// indexed; the text of items committed by another process, or before a
// crash, is read back from the items table.

// TextIndex is a full-text index kept apart from the items table.
type TextIndex interface {
	// Watermark returns W: the index holds every item with seq <= W and
	// none above.
	Watermark(ctx context.Context) (int64, error)
	// Add indexes docs (in seq order, all above the W the caller read)
	// and moves W to upTo, in one transaction. Docs that another process
	// indexed meanwhile (at or below the W Add finds) are skipped.
	Add(ctx context.Context, docs []TextDoc, upTo int64) error
	// Search returns the items matching query, best first.
	Search(ctx context.Context, query string, limit int) ([]TextHit, error)
	// Seqs returns the seqs the index holds, ascending.
	Seqs(ctx context.Context) ([]int64, error)
	// Check runs the index's own integrity checks.
	Check(ctx context.Context) error
	Close() error
}

// indexBatchBytes is the most text waiting in memory before it is
// indexed, whatever the item count.
const indexBatchBytes = 16 << 20

// textQueue is the text of items this process committed that are not
// known to be indexed, and the goroutine that indexes them.
type textQueue struct {
	mu    sync.Mutex
	docs  []TextDoc // in the order their transactions committed
	bytes int
	// indexing serialises indexing runs.
	indexing sync.Mutex
	wake     chan struct{}
	stopped  chan struct{}
}

func docBytes(docs []TextDoc) int {
	n := 0
	for _, d := range docs {
		n += len(d.Title) + len(d.Body)
	}
	return n
}

// startIndexing indexes what a crash (or an older store) left waiting and
// starts the indexing goroutine.
func (s *Store) startIndexing(ctx context.Context) error {
	if err := s.FlushIndex(ctx); err != nil {
		return fmt.Errorf("full-text index: %w", err)
	}
	s.ix.wake = make(chan struct{}, 1)
	s.ix.stopped = make(chan struct{})
	go func() {
		defer close(s.ix.stopped)
		for range s.ix.wake {
			s.ix.mu.Lock()
			var upTo int64
			if n := len(s.ix.docs); n > 0 {
				upTo = s.ix.docs[n-1].Seq
			}
			s.ix.mu.Unlock()
			if upTo == 0 {
				continue
			}
			// An error leaves the items waiting: the next run, FlushIndex
			// or Search retries (and reports it).
			_ = s.indexUpTo(context.Background(), upTo)
		}
	}()
	return nil
}

// stopIndexing stops the indexing goroutine.
func (s *Store) stopIndexing() {
	if s.ix.wake != nil {
		close(s.ix.wake)
		<-s.ix.stopped
		s.ix.wake = nil
	}
}

// IndexLag returns how many committed items are not yet in the full-text
// index (always 0 when the index is written with the items).
func (s *Store) IndexLag(ctx context.Context) (int64, error) {
	if s.ti == nil {
		return 0, nil
	}
	w, err := s.ti.Watermark(ctx)
	if err != nil {
		return 0, err
	}
	var n int64
	err = s.db.QueryRowContext(ctx, s.d.Rebind(`SELECT COUNT(*) FROM items WHERE seq > ?`), w).Scan(&n)
	return n, err
}

// FlushIndex indexes the text of every item committed so far that is not
// yet in the full-text index. It does nothing when the index is written
// with the items.
func (s *Store) FlushIndex(ctx context.Context) error {
	if s.ti == nil {
		return nil
	}
	var last int64
	if err := s.db.QueryRowContext(ctx, s.q.lastSeq).Scan(&last); err != nil {
		return fmt.Errorf("index: %w", err)
	}
	return s.indexUpTo(ctx, last)
}

// indexUpTo indexes every item above the watermark up to upTo, which must
// be committed.
func (s *Store) indexUpTo(ctx context.Context, upTo int64) error {
	s.ix.indexing.Lock()
	defer s.ix.indexing.Unlock()
	w, err := s.ti.Watermark(ctx)
	if err != nil {
		return fmt.Errorf("index: %w", err)
	}
	if w >= upTo {
		s.dropQueued(w)
		return nil
	}
	s.ix.mu.Lock()
	docs := make([]TextDoc, 0, len(s.ix.docs))
	for _, d := range s.ix.docs {
		if d.Seq > w && d.Seq <= upTo {
			docs = append(docs, d)
		}
	}
	s.ix.mu.Unlock()
	// Transactions committed by several goroutines queue their items in
	// the order they finish, not always in seq order.
	if !slices.IsSortedFunc(docs, bySeq) {
		slices.SortFunc(docs, bySeq)
	}
	if !contiguous(docs, w, upTo) {
		// Every item up to upTo has committed (seqs in commit order), so
		// a reader sees them all.
		var count int64
		if err := s.db.QueryRowContext(ctx, s.d.Rebind(`SELECT COUNT(*) FROM items WHERE seq > ? AND seq <= ?`), w, upTo).Scan(&count); err != nil {
			return fmt.Errorf("index: %w", err)
		}
		if int64(len(docs)) != count {
			// Items this process did not commit (another process, a run
			// that crashed, a store older than its index): read the
			// text of every waiting item back.
			if docs, err = s.readTexts(ctx, w, upTo, docs); err != nil {
				return fmt.Errorf("index: %w", err)
			}
		}
	}
	if err := s.ti.Add(ctx, docs, upTo); err != nil {
		return fmt.Errorf("index items: %w", err)
	}
	s.dropQueued(upTo)
	return nil
}

func bySeq(a, b TextDoc) int { return cmp.Compare(a.Seq, b.Seq) }

// contiguous reports whether docs are the items w+1, w+2, ..., upTo: then
// no other item can lie in that range, and nothing need be read back.
// Otherwise a count says whether docs hold every item in it (seqs may
// have gaps).
func contiguous(docs []TextDoc, w, upTo int64) bool {
	if int64(len(docs)) != upTo-w {
		return false
	}
	for i, d := range docs {
		if d.Seq != w+1+int64(i) {
			return false
		}
	}
	return true
}

// dropQueued forgets the queued text of items up to w (indexed).
func (s *Store) dropQueued(w int64) {
	s.ix.mu.Lock()
	defer s.ix.mu.Unlock()
	kept := s.ix.docs[:0:0]
	for _, d := range s.ix.docs {
		if d.Seq > w {
			kept = append(kept, d)
		}
	}
	if len(kept) < len(s.ix.docs) {
		s.ix.docs, s.ix.bytes = kept, docBytes(kept)
	}
}

// readTexts returns the searchable text of every item in (w, upTo], in
// seq order, taking it from known where known has it and from the items
// table otherwise.
func (s *Store) readTexts(ctx context.Context, w, upTo int64, known []TextDoc) ([]TextDoc, error) {
	have := make(map[int64]TextDoc, len(known))
	for _, d := range known {
		have[d.Seq] = d
	}
	rows, err := s.db.QueryContext(ctx, s.d.Rebind(`SELECT seq, source, kind, body FROM items WHERE seq > ? AND seq <= ? ORDER BY seq`), w, upTo)
	if err != nil {
		return nil, err
	}
	var out []TextDoc
	var docs []int // indexes in out of documents, whose text is in doc_content
	for rows.Next() {
		var (
			seq                int64
			source, kind, body string
		)
		if err := rows.Scan(&seq, &source, &kind, &body); err != nil {
			rows.Close()
			return nil, err
		}
		if d, ok := have[seq]; ok {
			out = append(out, d)
			continue
		}
		d := TextDoc{Seq: seq}
		if kind == kindDocument {
			var b docBody
			if err := json.Unmarshal([]byte(body), &b); err != nil {
				rows.Close()
				return nil, fmt.Errorf("decode document %d: %w", seq, err)
			}
			d.Title = b.Title
			docs = append(docs, len(out))
		} else {
			fields, ok := readFields(body)
			if !ok {
				if err := json.Unmarshal([]byte(body), &fields); err != nil {
					rows.Close()
					return nil, fmt.Errorf("decode record %d: %w", seq, err)
				}
			}
			d.Title, d.Body = recordText(&mosaic.Record{Source: source, Kind: mosaic.RecordKind(kind), Fields: fields})
		}
		out = append(out, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	q := s.d.Rebind(`SELECT text FROM doc_content WHERE seq = ?`)
	for _, i := range docs {
		if err := s.db.QueryRowContext(ctx, q, out[i].Seq).Scan(&out[i].Body); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return nil, fmt.Errorf("document %d has no content", out[i].Seq)
			}
			return nil, err
		}
	}
	return out, nil
}

// afterCommit queues the text of t's items once t has committed, and
// wakes the indexing goroutine when a batch is ready. When the queue has
// grown far past a batch (the indexer cannot keep up), the committing
// goroutine indexes it itself, which bounds the memory it holds. The
// items have committed whatever happens here: an indexing error leaves
// them waiting for the next attempt.
func (t *tx) afterCommit(ctx context.Context) {
	s := t.s
	if s.ti == nil || len(t.deferred) == 0 {
		return
	}
	s.ix.mu.Lock()
	s.ix.docs = append(s.ix.docs, t.deferred...)
	s.ix.bytes += docBytes(t.deferred)
	n, b := len(s.ix.docs), s.ix.bytes
	last := s.ix.docs[n-1].Seq
	s.ix.mu.Unlock()
	switch {
	case n >= 4*s.indexBatch || b >= 4*indexBatchBytes:
		_ = s.indexUpTo(ctx, last)
	case n >= s.indexBatch || b >= indexBatchBytes:
		select {
		case s.ix.wake <- struct{}{}:
		default: // already woken
		}
	}
}

// indexTexts adds docs to the full-text index in the item transaction tx,
// in one call when the dialect can, else one item at a time.
func (s *Store) indexTexts(ctx context.Context, tx *sql.Tx, docs []TextDoc) error {
	if len(docs) == 0 {
		return nil
	}
	if bi, ok := s.d.(TextBatchIndexer); ok {
		return bi.IndexTexts(ctx, tx, docs)
	}
	for _, d := range docs {
		if err := s.d.IndexText(ctx, tx, d.Seq, d.Title, d.Body); err != nil {
			return fmt.Errorf("index item %d: %w", d.Seq, err)
		}
	}
	return nil
}

// checkIndex checks the separate full-text index: its own integrity, and
// that it holds exactly the items at or below its watermark.
func (s *Store) checkIndex(ctx context.Context) error {
	if s.ti == nil {
		return nil
	}
	if err := s.ti.Check(ctx); err != nil {
		return err
	}
	w, err := s.ti.Watermark(ctx)
	if err != nil {
		return fmt.Errorf("full-text watermark: %w", err)
	}
	have, err := s.ti.Seqs(ctx)
	if err != nil {
		return fmt.Errorf("full-text index check: %w", err)
	}
	rows, err := s.db.QueryContext(ctx, s.d.Rebind(`SELECT seq FROM items WHERE seq <= ? ORDER BY seq`), w)
	if err != nil {
		return fmt.Errorf("full-text index check: %w", err)
	}
	defer rows.Close()
	var missing, extra int
	i := 0
	for rows.Next() {
		var seq int64
		if err := rows.Scan(&seq); err != nil {
			return err
		}
		for i < len(have) && have[i] < seq {
			extra++
			i++
		}
		if i < len(have) && have[i] == seq {
			i++
		} else {
			missing++
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	extra += len(have) - i // at or above the last item, or above W
	if missing > 0 || extra > 0 {
		return fmt.Errorf("full-text index: %d items at or below the watermark %d are not indexed, %d indexed rows are not such items", missing, w, extra)
	}
	return nil
}
