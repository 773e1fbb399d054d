// Package sqlstore implements store.Store over database/sql. Everything
// backend-specific (placeholders, DDL types, full-text search, integrity
// checks) sits behind a Dialect; the sqlite and postgres packages supply
// one each.
//
// # Concurrency
//
// A Store is safe for concurrent use. Write transactions run through
// Update; for SQLite the caller's *sql.DB should allow a single writer
// connection so that transactions serialise instead of failing with
// SQLITE_BUSY.
package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Store is a SQL-backed store.Store.
type Store struct {
	db    *sql.DB // readers (and writer for backends with one pool)
	wdb   *sql.DB // writer
	d     Dialect
	q     queries
	clock func() time.Time
	// ti, when set, is the full-text index, written behind the commits
	// in batches of indexBatch (see index.go).
	ti         TextIndex
	indexBatch int
	ix         textQueue
	m          *writeMetrics
	// ckpt, when set, checkpoints the write-ahead log behind the commits
	// (see checkpoint.go).
	ckpt *checkpointer
}

var _ store.Store = (*Store)(nil)

// Options configure New.
type Options struct {
	// Writer, when set, is used for write transactions and db for reads
	// (SQLite: one writer connection, many readers).
	Writer *sql.DB
	// Clock defaults to time.Now.
	Clock func() time.Time
	// TextIndex, when set, is the full-text index, kept apart from the
	// items and written behind the commits (see index.go), instead of the
	// dialect's index written in each item transaction. It needs a
	// backend that gives items their seqs in commit order (SQLite). The
	// store closes it.
	TextIndex TextIndex
	// IndexBatch is how many committed items wait, at most, before they
	// are added to TextIndex together (default DefaultIndexBatch).
	IndexBatch int
	// Checkpoint, when set, copies the write-ahead log back into the
	// database without taking the write lock (SQLite: a passive
	// checkpoint on a reader connection). The store then runs it from a
	// goroutine of its own, at most every CheckpointEvery (default
	// DefaultCheckpointEvery) while commits arrive, and the dialect
	// leaves no checkpoint to the writers (see checkpoint.go).
	Checkpoint      func(ctx context.Context) error
	CheckpointEvery time.Duration
}

// DefaultIndexBatch is Options.IndexBatch's default.
const DefaultIndexBatch = 16384

// New returns a Store over db with dialect d, applying pending migrations.
func New(ctx context.Context, db *sql.DB, d Dialect, opts Options) (*Store, error) {
	s := &Store{db: db, wdb: opts.Writer, d: d, clock: opts.Clock, m: newWriteMetrics()}
	if s.wdb == nil {
		s.wdb = db
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	s.q = newQueries(d)
	if err := migrate(ctx, s.wdb, d); err != nil {
		return nil, fmt.Errorf("migrate %s store: %w", d.Name(), err)
	}
	if opts.TextIndex != nil {
		s.ti, s.indexBatch = opts.TextIndex, opts.IndexBatch
		if s.indexBatch <= 0 {
			s.indexBatch = DefaultIndexBatch
		}
		if err := s.startIndexing(ctx); err != nil {
			return nil, err
		}
	}
	if opts.Checkpoint != nil {
		s.ckpt = startCheckpointer(opts.Checkpoint, opts.CheckpointEvery, s.m.checkpoints)
	}
	return s, nil
}

// DB returns the reader database handle (for tests and tools).
func (s *Store) DB() *sql.DB { return s.db }

// Close indexes the items still waiting for the full-text index (see
// index.go) and closes the database handles.
func (s *Store) Close() error {
	var err error
	if s.ckpt != nil {
		s.ckpt.close()
	}
	if s.ti != nil {
		s.stopIndexing()
		err = s.FlushIndex(context.Background())
		if e := s.ti.Close(); err == nil {
			err = e
		}
	}
	if e := s.db.Close(); err == nil {
		err = e
	}
	if s.wdb != s.db {
		if e := s.wdb.Close(); err == nil {
			err = e
		}
	}
	return err
}

// Check runs the dialect's integrity check and that of the separate
// full-text index, if any.
func (s *Store) Check(ctx context.Context) error {
	if err := s.d.Check(ctx, s.db); err != nil {
		return err
	}
	return s.checkIndex(ctx)
}

type queries struct {
	insertContent, setFacts, getFacts                          string
	upsertSource, insertDone, upsertFail, deleteFail           string
	doneRanges, deleteDoneCovering, insertCounter, bumpCounter string
	itemByID, itemsInRange, lastSeq, members                   string
	firstInRange, extendDone                                   string
}

func newQueries(d Dialect) queries {
	r := d.Rebind
	return queries{
		insertContent: r(`INSERT INTO doc_content(seq, text, raw) VALUES(?,?,?) ON CONFLICT (seq) DO NOTHING`),
		setFacts:      r(`UPDATE items SET facts = ? WHERE seq = ?`),
		getFacts:      r(`SELECT id, source, marking, observed, facts FROM items WHERE seq = ?` + lockRows(d)),
		upsertSource: r(`INSERT INTO sources(name, kind, marking, description) VALUES(?,?,?,?)
			ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, marking = excluded.marking, description = excluded.description`),
		extendDone:         r(`UPDATE stage_done SET hi = ? WHERE stage = ? AND hi = ?`),
		insertDone:         r(`INSERT INTO stage_done(stage, lo, hi) VALUES(?,?,?) ON CONFLICT (stage, lo) DO UPDATE SET hi = CASE WHEN excluded.hi > stage_done.hi THEN excluded.hi ELSE stage_done.hi END`),
		upsertFail:         r(`INSERT INTO stage_failures(stage, seq, error, attempts, at) VALUES(?,?,?,1,?) ON CONFLICT (stage, seq) DO UPDATE SET error = excluded.error, attempts = stage_failures.attempts + 1, at = excluded.at`),
		deleteFail:         r(`DELETE FROM stage_failures WHERE stage = ? AND seq = ?`),
		doneRanges:         r(`SELECT lo, hi FROM stage_done WHERE stage = ? ORDER BY lo`),
		deleteDoneCovering: r(`DELETE FROM stage_done WHERE stage = ? AND lo <= ? AND hi >= ?`),
		insertCounter:      r(`INSERT INTO counters(name, value) VALUES(?, 0) ON CONFLICT (name) DO NOTHING`),
		bumpCounter:        r(`UPDATE counters SET value = value + ? WHERE name = ?`),
		itemByID:           r(`SELECT seq, id, source, kind, marking, observed, stored, locator, body, facts FROM items WHERE id = ?`),
		itemsInRange:       r(`SELECT seq, id, source, kind, marking, observed, stored, locator, body, facts FROM items WHERE seq >= ? AND seq <= ? ORDER BY seq`),
		lastSeq:            `SELECT COALESCE(MAX(seq), 0) FROM items`,
		firstInRange:       r(`SELECT seq FROM items WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT 1`),
		members:            r(`SELECT mention, entity, type, item, caption FROM resolution WHERE entity = ? ORDER BY mention`),
	}
}

// RowLocker is implemented by dialects whose write transactions run
// concurrently (PostgreSQL): LockRows returns the clause that locks the
// rows a read-modify-write reads (" FOR UPDATE"). Without it, two
// transactions writing the same item's facts at once (a message
// redelivered while its first delivery still runs) would both count the
// facts as new.
type RowLocker interface {
	LockRows() string
}

func lockRows(d Dialect) string {
	if l, ok := d.(RowLocker); ok {
		return l.LockRows()
	}
	return ""
}

// Update runs fn in a write transaction, retrying when the backend reports
// a transient conflict.
func (s *Store) Update(ctx context.Context, fn func(store.Tx) error) error {
	for attempt := 0; ; attempt++ {
		err := s.update(ctx, fn)
		if err == nil || !s.d.IsBusy(err) || attempt >= 8 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(1<<attempt) * 5 * time.Millisecond):
		}
	}
}

func (s *Store) update(ctx context.Context, fn func(store.Tx) error) (err error) {
	begin := time.Now()
	conn, err := s.wdb.Conn(ctx)
	if err != nil {
		return mosaic.E(mosaic.KindUnavailable, "store.Update", err)
	}
	defer conn.Close()
	if r, ok := s.d.(Relaxer); ok && store.IsRecomputable(ctx) {
		if _, err := conn.ExecContext(ctx, r.Relax()); err != nil {
			return mosaic.E(mosaic.KindUnavailable, "store.Update", err)
		}
		defer func() {
			if _, serr := conn.ExecContext(context.WithoutCancel(ctx), r.Strict()); serr != nil {
				// A connection that cannot be made durable again
				// must not serve the next transaction.
				conn.Raw(func(any) error { return driver.ErrBadConn })
				if err == nil {
					err = serr
				}
			}
		}()
	}
	sqltx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return mosaic.E(mosaic.KindUnavailable, "store.Update", err)
	}
	started := time.Now()
	t := &tx{s: s, tx: sqltx, stmts: map[string]*sql.Stmt{}, counts: map[string]int64{}}
	defer func() {
		for _, st := range t.stmts {
			st.Close()
		}
		if err != nil {
			sqltx.Rollback()
		}
	}()
	if err = fn(t); err != nil {
		return err
	}
	if err = t.flushLinks(ctx); err != nil {
		return err
	}
	if err = t.flushCounters(ctx); err != nil {
		return err
	}
	committing := time.Now()
	if err = sqltx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	s.m.observe(store.WriterOf(ctx), begin, started, committing, time.Now())
	t.afterCommit(ctx)
	if s.ckpt != nil {
		s.ckpt.committed()
	}
	return nil
}

type tx struct {
	s      *Store
	tx     *sql.Tx
	stmts  map[string]*sql.Stmt
	counts map[string]int64
	// links holds what PutLinks was given, by item, written in linkItems
	// order by flushLinks before commit.
	links     map[int64][]mosaic.Link
	linkItems []int64
	// deferred is the text of the items this transaction added, to be
	// indexed behind the commit (see index.go).
	deferred []TextDoc
}

var _ store.Tx = (*tx)(nil)

func (t *tx) stmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := t.stmts[q]; ok {
		return st, nil
	}
	st, err := t.tx.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	t.stmts[q] = st
	return st, nil
}

func (t *tx) exec(ctx context.Context, q string, args ...any) error {
	st, err := t.stmt(ctx, q)
	if err != nil {
		return err
	}
	_, err = st.ExecContext(ctx, args...)
	return err
}

func (t *tx) flushCounters(ctx context.Context) error {
	names := make([]string, 0, len(t.counts))
	for n, v := range t.counts {
		if v != 0 {
			names = append(names, n)
		}
	}
	sort.Strings(names) // fixed order: no lock-order inversions between writers
	for _, n := range names {
		if err := t.exec(ctx, t.s.q.insertCounter, n); err != nil {
			return fmt.Errorf("counter %s: %w", n, err)
		}
		if err := t.exec(ctx, t.s.q.bumpCounter, t.counts[n], n); err != nil {
			return fmt.Errorf("counter %s: %w", n, err)
		}
	}
	return nil
}

func (t *tx) PutSource(ctx context.Context, src mosaic.Source) error {
	if src.Name == "" {
		return mosaic.Errorf(mosaic.KindInvalid, "store.PutSource", "source has no name")
	}
	return t.exec(ctx, t.s.q.upsertSource, src.Name, src.Kind, src.Marking.String(), src.Description)
}

// docBody is the JSON body of a document item (its text and bytes live in
// doc_content).
type docBody struct {
	Title     string            `json:"title,omitempty"`
	MediaType string            `json:"media_type,omitempty"`
	Path      string            `json:"path,omitempty"`
	Published int64             `json:"published,omitempty"`
	Meta      map[string]string `json:"meta,omitempty"`
}

const kindDocument = "document"

func (t *tx) countFacts(old, new *store.Facts) {
	n := func(f *store.Facts) (m, s, l int64) {
		if f == nil {
			return 0, 0, 0
		}
		return int64(len(f.Mentions)), int64(len(f.Statements)), int64(len(f.Links))
	}
	om, os, ol := n(old)
	nm, ns, nl := n(new)
	t.counts["mentions"] += nm - om
	t.counts["statements"] += ns - os
	t.counts["links"] += nl - ol
}

func validateItem(it *store.Item) error {
	const op = "store.PutItems"
	switch {
	case it.ID == "":
		return mosaic.Errorf(mosaic.KindInvalid, op, "item has no id")
	case (it.Document == nil) == (it.Record == nil):
		return mosaic.Errorf(mosaic.KindInvalid, op, "item %s must hold exactly one of a document and a record", it.ID)
	case it.Source == "":
		return mosaic.Errorf(mosaic.KindInvalid, op, "item %s has no source", it.ID)
	}
	if it.Facts != nil {
		for _, s := range it.Facts.Statements {
			if s.Origin.IsZero() {
				return mosaic.Errorf(mosaic.KindInvalid, op, "statement %s of item %s has no origin", s.ID, it.ID)
			}
		}
	}
	return nil
}

// recordText returns the searchable title and body of a record: its field
// values in field-name order.
func recordText(r *mosaic.Record) (title, body string) {
	keys := make([]string, 0, len(r.Fields))
	for k := range r.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		if v := r.Fields[k]; v != "" {
			b.WriteString(v)
			b.WriteByte(' ')
		}
	}
	return string(r.Kind) + " " + r.Source, b.String()
}

func (t *tx) SetFacts(ctx context.Context, seq int64, f *store.Facts) error {
	if f != nil {
		for _, s := range f.Statements {
			if s.Origin.IsZero() {
				return mosaic.Errorf(mosaic.KindInvalid, "store.SetFacts", "statement %s has no origin", s.ID)
			}
		}
	}
	st, err := t.stmt(ctx, t.s.q.getFacts)
	if err != nil {
		return err
	}
	var (
		id, source, marking string
		observed            int64
		old                 sql.NullString
	)
	if err := st.QueryRowContext(ctx, seq).Scan(&id, &source, &marking, &observed, &old); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return mosaic.Errorf(mosaic.KindNotFound, "store.SetFacts", "no item %d", seq)
		}
		return err
	}
	if old.Valid {
		m, s, l, err := countFacts([]byte(old.String))
		if err != nil {
			return fmt.Errorf("decode facts of item %d: %w", seq, err)
		}
		t.counts["mentions"] -= m
		t.counts["statements"] -= s
		t.counts["links"] -= l
	}
	var v any
	if f != nil {
		c := itemContext{id: mosaic.ID(id), source: source, marking: mosaic.ParseMarking(marking), observed: fromMicros(observed)}
		b, err := appendFacts(nil, f, c)
		if err != nil {
			return err
		}
		v = string(b)
	}
	if err := t.exec(ctx, t.s.q.setFacts, v, seq); err != nil {
		return err
	}
	t.countFacts(nil, f)
	return nil
}

// MarkDone implements store.Tx. A range that follows one already done
// extends that row instead of adding one, so a stage working through the
// log in order keeps a row per unbroken run rather than one per batch:
// DoneRanges, which every stage reads at every batch, stays short.
func (t *tx) MarkDone(ctx context.Context, stage string, r store.Range) error {
	if r.Lo > r.Hi || r.Lo <= 0 {
		return mosaic.Errorf(mosaic.KindInvalid, "store.MarkDone", "bad range %d..%d", r.Lo, r.Hi)
	}
	st, err := t.stmt(ctx, t.s.q.extendDone)
	if err != nil {
		return err
	}
	res, err := st.ExecContext(ctx, r.Hi, stage, r.Lo-1)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n > 0 {
		return nil
	}
	return t.exec(ctx, t.s.q.insertDone, stage, r.Lo, r.Hi)
}

func (t *tx) Fail(ctx context.Context, stage string, seq int64, msg string) error {
	if err := t.exec(ctx, t.s.q.upsertFail, stage, seq, msg, micros(t.s.clock())); err != nil {
		return err
	}
	return t.MarkDone(ctx, stage, store.Range{Lo: seq, Hi: seq})
}

func (t *tx) Requeue(ctx context.Context, stage string, seq int64) error {
	if err := t.exec(ctx, t.s.q.deleteFail, stage, seq); err != nil {
		return err
	}
	// Cut seq out of whichever done ranges hold it.
	rows, err := t.tx.QueryContext(ctx, t.s.d.Rebind(`SELECT lo, hi FROM stage_done WHERE stage = ? AND lo <= ? AND hi >= ?`), stage, seq, seq)
	if err != nil {
		return err
	}
	var holding []store.Range
	for rows.Next() {
		var r store.Range
		if err := rows.Scan(&r.Lo, &r.Hi); err != nil {
			rows.Close()
			return err
		}
		holding = append(holding, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if err := t.exec(ctx, t.s.q.deleteDoneCovering, stage, seq, seq); err != nil {
		return err
	}
	for _, r := range holding {
		if r.Lo < seq {
			if err := t.MarkDone(ctx, stage, store.Range{Lo: r.Lo, Hi: seq - 1}); err != nil {
				return err
			}
		}
		if r.Hi > seq {
			if err := t.MarkDone(ctx, stage, store.Range{Lo: seq + 1, Hi: r.Hi}); err != nil {
				return err
			}
		}
	}
	return nil
}

func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(us).UTC()
}
