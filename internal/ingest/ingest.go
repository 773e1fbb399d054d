// Package ingest reads files into the store: it walks paths with package
// format, maps rows to records with package mapping, keeps documents with
// their original bytes, commits items in batches and hands each committed
// batch to the pipeline.
//
// An item counts as stored (and is reported through Options.Committed) only
// once its batch's transaction has committed, which in the embedded store
// means it is on disk. Items are content-addressed, so ingesting the same
// input again adds nothing.
package ingest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/format"
	"github.com/mosaic-intel/mosaic/internal/mapping"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Store is what ingestion needs of the store.
type Store interface {
	store.Updater
}

// Submitter hands committed item ranges to the pipeline.
type Submitter interface {
	Submit(ctx context.Context, ranges []store.Range) error
}

// Options configure an Ingester.
type Options struct {
	// Mappings choose how each tabular file maps to records and which
	// source documents belong to; the first match wins (default: the
	// built-in mappings).
	Mappings *mapping.Set
	// Mapping, when set, is tried before Mappings; with no match patterns
	// it applies to every tabular file.
	Mapping *mapping.Mapping
	// Source names the source of documents that no mapping claims
	// (default "documents").
	Source string
	// Marking is added to every item's marking.
	Marking mosaic.Marking
	// Format limits what one input may cost.
	Format format.Options
	// BatchSize is the most items per transaction (default
	// DefaultBatchSize).
	BatchSize int
	// Committed, if set, is called after each batch commits with its
	// items (Seq set; Stored is zero for items that were already there).
	Committed func(items []*store.Item)
	// IndexBehind leaves the full-text index of a store that indexes
	// behind its commits to catch up on its own, instead of bringing it
	// up to date before Ingest returns: for a server taking a stream of
	// small uploads, where a search catches the index up anyway.
	IndexBehind bool
	// Clock defaults to time.Now.
	Clock  func() time.Time
	Logger *slog.Logger
}

// DefaultBatchSize is the number of items per transaction when
// Options.BatchSize is zero.
const DefaultBatchSize = 1000

// Summary says what one Ingest call did.
type Summary struct {
	Files      int      `json:"files"`
	Documents  int      `json:"documents"`  // documents read
	Records    int      `json:"records"`    // records read
	Added      int      `json:"added"`      // items that were new
	Duplicates int      `json:"duplicates"` // items already stored
	Rejected   []string `json:"rejected"`   // each rejection: where and why
	LastSeq    int64    `json:"last_seq"`   // highest Seq touched
}

// Ingester reads inputs into the store.
type Ingester struct {
	st   Store
	sub  Submitter
	opts Options
}

// New returns an Ingester writing to st and submitting to sub (which may
// be nil when no pipeline runs).
func New(st Store, sub Submitter, opts Options) *Ingester {
	if opts.Mappings == nil {
		opts.Mappings = mapping.Builtin()
	}
	if opts.Source == "" {
		opts.Source = "documents"
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Ingester{st: st, sub: sub, opts: opts}
}

// batch accumulates items and the sources they name.
type batch struct {
	items   []*store.Item
	bytes   int
	sources map[string]mosaic.Source
	// prepared holds the items encoded by a store.Preparer on the reading
	// goroutine, so the commit does less; nil when the store cannot.
	prepared store.Prepared
}

// maxBatchBytes caps the document bytes of one batch.
const maxBatchBytes = 32 << 20

// Ingest reads every path. Rejections do not stop it; only ctx or a store
// failure does.
//
// Reading and committing overlap: the calling goroutine walks the inputs
// and maps rows into batches while a second goroutine commits the
// previous batch, waits for it to reach the disk and hands it to the
// pipeline. A store that can (store.Preparer) encodes each batch on the
// reading goroutine, before it is handed over. Batches commit one at a time in input order, so items get
// their seqs in the order they were read, and at most two batches are
// held at once. Options.Committed runs on the committing goroutine.
func (in *Ingester) Ingest(ctx context.Context, paths []string) (*Summary, error) {
	walks := make([]walkFunc, len(paths))
	for i, p := range paths {
		walks[i] = func(ctx context.Context, o format.Options, emit func(format.Item) error, reject func(format.Rejection)) error {
			return format.Walk(ctx, p, o, emit, reject)
		}
	}
	return in.ingest(ctx, walks)
}

// Input is an input given by its content rather than by a path: an
// upload over the HTTP API.
type Input struct {
	// Name names the input as a file would be named: it chooses the
	// mapping and the format, and it is the input's path in records'
	// locators and in rejections.
	Name string
	R    io.ReaderAt
	Size int64
}

// IngestInputs reads inputs as Ingest reads files.
func (in *Ingester) IngestInputs(ctx context.Context, inputs []Input) (*Summary, error) {
	walks := make([]walkFunc, len(inputs))
	for i, x := range inputs {
		walks[i] = func(ctx context.Context, o format.Options, emit func(format.Item) error, reject func(format.Rejection)) error {
			return format.WalkReader(ctx, x.R, x.Size, x.Name, o, emit, reject)
		}
	}
	return in.ingest(ctx, walks)
}

// walkFunc walks one input (format.Walk or format.WalkReader).
type walkFunc func(ctx context.Context, o format.Options, emit func(format.Item) error, reject func(format.Rejection)) error

func (in *Ingester) ingest(ctx context.Context, walks []walkFunc) (*Summary, error) {
	sum := &Summary{}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	batches := make(chan *batch, 1)
	committed := &Summary{}
	var commitErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		for b := range batches {
			if commitErr != nil {
				continue // drain: the walk stops at its next send
			}
			if err := in.commit(ctx, b, committed); err != nil {
				commitErr = err
				cancel(err)
			}
		}
	}()
	b := &batch{sources: map[string]mosaic.Source{}}
	sentSource := map[string]bool{}
	flush := func() error {
		if len(b.items) == 0 {
			return nil
		}
		if p, ok := in.st.(store.Preparer); ok {
			// An error here is PutItems' error too; let the commit report it.
			b.prepared, _ = p.PrepareItems(b.items)
		}
		select {
		case batches <- b:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		b = &batch{items: make([]*store.Item, 0, len(b.items)), sources: map[string]mosaic.Source{}}
		return nil
	}
	add := func(it *store.Item, src mosaic.Source) error {
		if !sentSource[src.Name] {
			// The first batch naming a source stores it; if that batch
			// fails, so does the whole ingest.
			sentSource[src.Name] = true
			b.sources[src.Name] = src
		}
		b.items = append(b.items, it)
		if d := it.Document; d != nil {
			b.bytes += len(d.Raw) + len(d.Text)
		}
		if len(b.items) >= in.opts.BatchSize || b.bytes >= maxBatchBytes {
			return flush()
		}
		return nil
	}
	reject := func(r format.Rejection) {
		sum.Rejected = append(sum.Rejected, r.Error())
	}
	var err error
	for _, walk := range walks {
		err = walk(ctx, in.opts.Format, func(item format.Item) error {
			sum.Files++
			if item.Doc != nil {
				it, src := in.document(item)
				sum.Documents++
				return add(it, src)
			}
			return in.rows(item, sum, add)
		}, reject)
		if err != nil {
			break
		}
	}
	if err == nil {
		err = flush()
	}
	close(batches)
	<-done
	sum.Added, sum.Duplicates, sum.LastSeq = committed.Added, committed.Duplicates, committed.LastSeq
	if commitErr != nil {
		return sum, commitErr
	}
	if f, ok := in.st.(indexFlusher); ok && committed.Added > 0 && !in.opts.IndexBehind {
		// A store that indexes text in batches behind the commits
		// indexes the rest now, so the work is done when Ingest returns.
		if ferr := f.FlushIndex(ctx); ferr != nil && err == nil {
			err = fmt.Errorf("full-text index: %w", ferr)
		}
	}
	return sum, err
}

// indexFlusher is a store whose full-text index may lag its commits
// (sqlstore.Store with a separate text index, as SQLite's).
type indexFlusher interface {
	FlushIndex(ctx context.Context) error
}

func (in *Ingester) mappingFor(path string) *mapping.Mapping {
	if m := in.opts.Mapping; m != nil && (len(m.Match) == 0 || m.Matches(path)) {
		return m
	}
	return in.opts.Mappings.For(path)
}

func (in *Ingester) document(item format.Item) (*store.Item, mosaic.Source) {
	d := *item.Doc
	src := mosaic.Source{Name: in.opts.Source, Kind: "documents"}
	var marking mosaic.Marking
	if m := in.mappingFor(item.Path); m != nil && m.Kind == mapping.KindDocument {
		src = mosaic.Source{Name: m.Source, Kind: kindOr(m.SourceKind, "documents"), Description: m.Description, Marking: mosaic.NewMarking(m.Marking...)}
		marking = src.Marking
	}
	marking = marking.Union(in.opts.Marking)
	if d.ID == "" {
		d.ID = mosaic.DocumentID(d.Raw)
	}
	d.Source, d.Marking = src.Name, marking
	if d.Observed.IsZero() {
		d.Observed = in.opts.Clock().UTC()
	}
	return &store.Item{ID: d.ID, Source: src.Name, Document: &d, Marking: marking}, src
}

func kindOr(k, def string) string {
	if k == "" {
		return def
	}
	return k
}

func (in *Ingester) rows(item format.Item, sum *Summary, add func(*store.Item, mosaic.Source) error) error {
	m := in.mappingFor(item.Path)
	if m == nil || m.Kind == mapping.KindDocument {
		sum.Rejected = append(sum.Rejected, fmt.Sprintf("%s: no mapping for this file: pass --mapping FILE (see docs/ingest.md)", item.Path))
		return nil
	}
	if cols := item.Rows.Columns(); len(cols) > 0 && item.Format != format.FormatJSONL {
		var missing []string
		for _, c := range m.RequiredColumns() {
			if !slices.Contains(cols, c) {
				missing = append(missing, c)
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			sum.Rejected = append(sum.Rejected, fmt.Sprintf("%s:1: mapping %q needs column(s) %s, which the header lacks (it has %s)",
				item.Path, m.Name, strings.Join(missing, ", "), strings.Join(cols, ", ")))
			return nil
		}
	}
	src := mosaic.Source{Name: m.Source, Kind: kindOr(m.SourceKind, "records"), Description: m.Description, Marking: mosaic.NewMarking(m.Marking...)}
	for {
		row, err := item.Rows.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			var rj *format.Rejection
			if errors.As(err, &rj) {
				sum.Rejected = append(sum.Rejected, rj.Error())
				continue
			}
			return err // the walk was cancelled
		}
		it, err := m.Item(item.Path, row.Line, row.Fields, in.opts.Marking)
		if err != nil {
			sum.Rejected = append(sum.Rejected, fmt.Sprintf("%s:%d: %v", item.Path, row.Line, err))
			continue
		}
		sum.Records++
		if err := add(it, src); err != nil {
			return err
		}
	}
}

// commit writes a batch in one transaction and submits its new items,
// counting what it did in sum.
func (in *Ingester) commit(ctx context.Context, b *batch, sum *Summary) error {
	var added int
	err := in.st.Update(store.WithWriter(ctx, "ingest"), func(tx store.Tx) error {
		names := make([]string, 0, len(b.sources))
		for n := range b.sources {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			if err := tx.PutSource(ctx, b.sources[n]); err != nil {
				return err
			}
		}
		var err error
		if pp, ok := tx.(store.PreparedPutter); ok && b.prepared != nil {
			added, err = pp.PutPrepared(ctx, b.prepared)
		} else {
			added, err = tx.PutItems(ctx, b.items)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("store batch: %w", err)
	}
	sum.Added += added
	sum.Duplicates += len(b.items) - added
	var fresh []int64
	for _, it := range b.items {
		sum.LastSeq = max(sum.LastSeq, it.Seq)
		if !it.Stored.IsZero() {
			fresh = append(fresh, it.Seq)
		}
	}
	if in.opts.Committed != nil {
		in.opts.Committed(b.items)
	}
	if in.sub != nil && len(fresh) > 0 {
		if err := in.sub.Submit(ctx, Ranges(fresh)); err != nil {
			// The items are stored; the pipeline's recovery finds them at
			// the next start. Report, don't fail the ingest.
			in.opts.Logger.Warn("could not hand a batch to the pipeline; it will be recovered", "err", err)
		}
	}
	return nil
}

// Ranges turns sequence numbers into sorted, merged ranges.
func Ranges(seqs []int64) []store.Range {
	s := slices.Clone(seqs)
	slices.Sort(s)
	var out []store.Range
	for _, q := range s {
		if n := len(out); n > 0 && q <= out[n-1].Hi+1 {
			out[n-1].Hi = max(out[n-1].Hi, q)
			continue
		}
		out = append(out, store.Range{Lo: q, Hi: q})
	}
	return out
}
