// Package pipeline runs Mosaic's stages (extract → screen → resolve →
// link → rules) over the items that ingestion stores, moving work between
// them over the bus.
//
// Watch-list screening comes straight after extraction because it needs
// only a record's names, not resolution: a record's screening alert does
// not wait behind the resolve stage, the slowest. The cross-record alert
// rules need resolved entities and links, so they come last.
//
// # Stage names in the store
//
// Each stage's progress is stored under its name as done ranges. A data
// directory made by the older chain (extract → resolve → link → screen,
// where screen also ran the rules) has none for rules: Recover gives the
// rules stage every item link has finished, which it evaluates once, in
// order; alerts it raises again fold into the stored ones (no new record,
// no change), so nothing is lost or counted twice. The other stages keep
// what they had done.
//
// # Work and durability
//
// Ingestion commits items to the store and then submits their sequence
// ranges to the first stage. A stage worker takes a work message, loads
// the items, processes them, and in ONE store transaction writes its
// results and marks the ranges done for the stage; only then does it pass
// the ranges to the next stage and acknowledge the message. The store's
// done-ranges are therefore the truth: Recover, run at every start,
// compares each stage's done ranges with the previous stage's and
// resubmits whatever is missing, so a message lost by a crash anywhere
// between two commits is redone. Every stage is idempotent, so a message
// delivered twice changes nothing.
//
// # Concurrency
//
// Run owns one consumer goroutine per stage and returns when they have all
// stopped. Within a process a stage handles one message at a time, so the
// resolve stage sees items one batch at a time, in delivery order.
// With CommitFirst (the embedded pipeline, on SQLite's one writer) the
// stages' commits take turns, the earliest waiting stage first, so that
// screening alerts do not queue behind the large commits of a later
// stage that has fallen behind.
//
// # Handing items on
//
// When one process runs a stage and the next, the items a stage loaded
// are handed to the next stage with the work instead of being read and
// decoded again (see handoff): the next stage gets exactly what a fresh
// read would give, because every item the stage's transaction changed
// (SetFacts) is read again. The store stays the truth: a range the next
// stage does not find handed on is read from it, as before.
//
// # Profiling
//
// Stage work runs under the pprof labels "stage" (the stage's name) and
// "step" (load, process, commit, after), so that a CPU profile says what
// each stage costs (mosaic bench ingest --pipeline reports it).
package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/prometheus/client_golang/prometheus"
)

// Stage names, in pipeline order.
const (
	Extract = "extract"
	Screen  = "screen" // watch-list screening of each record's names
	Resolve = "resolve"
	Link    = "link"
	Rules   = "rules" // the cross-record alert rules
)

// Order is the stages' order.
var Order = []string{Extract, Screen, Resolve, Link, Rules}

// Stage processes batches of items.
type Stage interface {
	// Name is one of the stage names above.
	Name() string
	// Process computes the stage's results for items (outside any store
	// transaction). An error aborts the whole batch, which is retried
	// later; a problem with one item belongs in Outcome.Failed. Items are
	// shared with the other stages: Process must not modify them (it
	// changes an item through the Tx given to Outcome.Write).
	Process(ctx context.Context, items []*store.Item) (Outcome, error)
}

// Ordered is what a stage implements when its decisions depend on the
// order it sees items in (resolution's streaming merges do): Ordered
// returns true, and the pipeline then gives it items in Seq order even
// after a crash. A message that names items after ones the stage has not
// finished (the message that held those was taken by a process that
// died, and comes back later) makes the stage take the earlier ones
// first; while the stage before it has not finished those, the message
// waits (it is redelivered later). A stage looks back only when this
// process also runs the stage before it, as with the look-ahead.
type Ordered interface {
	Ordered() bool
}

// Outcome is what a stage made of a batch.
type Outcome struct {
	// Write stores the results; it runs inside the transaction that marks
	// the batch done. It may be nil.
	Write func(ctx context.Context, tx store.Tx) error
	// Failed maps item Seq to why the stage could not process it.
	Failed map[int64]error
	// After runs once the transaction has committed (e.g. to update an
	// in-memory index). It may be nil.
	After func()
}

// Empty reports whether o has nothing to store and nothing to do after
// the commit: a batch the stage passes through unchanged.
func (o Outcome) Empty() bool { return o.Write == nil && len(o.Failed) == 0 && o.After == nil }

// Apply runs o.Write in tx, if o has one.
func (o Outcome) Apply(ctx context.Context, tx store.Tx) error {
	if o.Write == nil {
		return nil
	}
	return o.Write(ctx, tx)
}

// Bus is what the pipeline needs of the bus.
type Bus interface {
	Publish(ctx context.Context, stage string, data []byte, msgID string) error
	Consume(ctx context.Context, stage string, h func(ctx context.Context, data []byte, progress func()) error) error
}

// Store is what the pipeline needs of the store.
type Store interface {
	store.Updater
	store.ItemReader
	store.Progress
}

// Work is the body of a stage message: items by sequence ranges.
type Work struct {
	Ranges []store.Range `json:"ranges"`
}

// System is the principal the pipeline reads as: it sees everything, and
// every result it derives keeps the markings of its sources.
var System = mosaic.Principal{Name: "system", All: true}

// Pipeline wires stages to the store and the bus.
type Pipeline struct {
	store  Store
	bus    Bus
	stages []Stage
	log    *slog.Logger
	m      *metrics
	// MaxBatch is the most items loaded at once from a work message.
	maxBatch int64
	// handoff[i] holds items stage i-1 committed, for stage i.
	handoff []*handoff
	// running[i] is set while this process consumes stage i's work.
	running []bool
	runMu   sync.Mutex
	// gate, when set, orders the stages' commits (see Config.CommitFirst).
	gate *commitGate
	// firstAhead: the first stage looks ahead over stored items.
	firstAhead bool
	// lazy: see Config.LazyDone; pend[i] holds stage i's waiting marks.
	lazy      bool
	lazyFlush time.Duration
	pend      []pendingDone
	// prio, when set, lets the urgent stages go first (Config.Urgent).
	prio        *priority
	urgentBatch int64
	// submitted is the highest seq submitted to the first stage;
	// laterDone the highest the first later stage has committed (see
	// Hold).
	submitted, laterDone atomic.Int64
}

// Config configures New.
type Config struct {
	Store    Store
	Bus      Bus
	Stages   []Stage // in order
	Logger   *slog.Logger
	Registry prometheus.Registerer // nil: metrics are not exported
	MaxBatch int                   // default DefaultMaxBatch
	// HandOn is the most items held for the next stage of this process
	// (default 4 × MaxBatch; negative: none, every stage reads the store).
	HandOn int
	// CommitFirst makes the stages of this process commit one at a time,
	// an earlier stage's commit before a later one's that is waiting: for
	// a store with one writer (SQLite), so that the early stages (extract,
	// screen: the watch-list alerts) do not queue behind the large batches
	// of a later stage that has fallen behind (resolve). A stage still
	// waits for a commit in progress.
	CommitFirst bool
	// FirstLooksAhead lets the first stage take on, with a message, the
	// stored items after it that it has not finished (up to MaxBatch), as
	// the other stages do with the items their predecessor has finished:
	// when it falls behind it catches up in larger batches instead of
	// one store commit per message. Only for a process that alone runs the
	// first stage (the embedded pipeline): workers sharing its work would
	// take on the same items at once.
	FirstLooksAhead bool
	// LazyDone lets a stage whose batch has nothing to store (no results,
	// no failures: extraction of structured records, screening without a
	// hit) skip the batch's commit: the batch's done mark waits in memory
	// and is written with the stage's next commit, by the stage's flusher
	// within LazyFlush, or when the stage stops, and the batch goes on to
	// the next stage at once instead of queueing for the store's one
	// writer. Only
	// for a process that runs every stage (the embedded pipeline): the
	// next stage then sees the waiting marks, where a stage of another
	// process would wait for them to reach the store. A crash loses only
	// marks of work with no results, which Recover has done again.
	LazyDone bool
	// LazyFlush is how long a waiting done mark may wait for a commit of
	// its stage before the stage writes it alone (default
	// DefaultLazyFlush).
	LazyFlush time.Duration
	// Urgent is how many leading stages go before the rest (0: none):
	// while one of them handles a message, the later stages of this
	// process wait (a quarter of a second at most each time) before they
	// load a batch, before they commit, and when their Process calls
	// Yield, and while urgent work has been seen in the last second their
	// batches hold at most UrgentBatch items, so that a commit of theirs
	// in progress (which no one can cut into) is short. For one process
	// that runs every stage on shared cores and one store writer (the
	// embedded pipeline): the watch-list screening alerts then wait
	// neither for resolution's CPU nor for its commits.
	Urgent int
	// UrgentBatch: see Urgent (default DefaultUrgentBatch).
	UrgentBatch int
}

// DefaultUrgentBatch is the most items a later stage takes at once while
// urgent stages are at work (Config.Urgent). A resolve or link commit of
// 500 items costs about 40 ms of CPU, against some 300 ms for the 4,000
// of DefaultMaxBatch (docs/benchmarks/alerts.md).
const DefaultUrgentBatch = 500

// DefaultMaxBatch is the most items a stage loads and commits at once by
// default. Larger batches write fewer B-tree pages per row (the resolution
// and link indexes are keyed by hashed IDs, so rows land on random pages):
// going from 2,000 to 4,000 cut the resolve and link commits by about a
// fifth (docs/benchmarks/ingest.md, "The whole pipeline: where it
// stands"). A stage that keeps up still commits each small batch as it
// comes.
const DefaultMaxBatch = 4000

// New returns a pipeline.
func New(cfg Config) (*Pipeline, error) {
	if cfg.Store == nil || cfg.Bus == nil || len(cfg.Stages) == 0 {
		return nil, errors.New("pipeline: store, bus and stages are required")
	}
	p := &Pipeline{store: cfg.Store, bus: cfg.Bus, stages: cfg.Stages, log: cfg.Logger, maxBatch: int64(cfg.MaxBatch)}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.maxBatch <= 0 {
		p.maxBatch = DefaultMaxBatch
	}
	handOn := cfg.HandOn
	if handOn == 0 {
		handOn = 4 * int(p.maxBatch)
	}
	p.handoff = make([]*handoff, len(p.stages))
	for i := range p.handoff {
		p.handoff[i] = newHandoff(max(handOn, 0))
	}
	p.running = make([]bool, len(p.stages))
	p.m = newMetrics(cfg.Registry)
	if cfg.CommitFirst {
		p.gate = newCommitGate(len(p.stages))
	}
	p.firstAhead = cfg.FirstLooksAhead
	p.lazy = cfg.LazyDone
	p.lazyFlush = cfg.LazyFlush
	if p.lazyFlush <= 0 {
		p.lazyFlush = DefaultLazyFlush
	}
	p.pend = make([]pendingDone, len(p.stages))
	if cfg.Urgent > 0 && cfg.Urgent < len(p.stages) {
		p.prio = newPriority(cfg.Urgent, maxYieldDefault, passDefault)
		p.urgentBatch = int64(cfg.UrgentBatch)
		if p.urgentBatch <= 0 {
			p.urgentBatch = DefaultUrgentBatch
		}
	}
	return p, nil
}

// StageNames returns the stage names in order.
func (p *Pipeline) StageNames() []string {
	out := make([]string, len(p.stages))
	for i, s := range p.stages {
		out[i] = s.Name()
	}
	return out
}

// Submit hands stored items to the first stage.
func (p *Pipeline) Submit(ctx context.Context, ranges []store.Range) error {
	for _, r := range ranges {
		atomicMax(&p.submitted, r.Hi)
	}
	return p.publish(ctx, p.stages[0].Name(), ranges, true)
}

// atomicMax raises v to x if x is higher.
func atomicMax(v *atomic.Int64, x int64) {
	for {
		old := v.Load()
		if x <= old || v.CompareAndSwap(old, x) {
			return
		}
	}
}

// publish sends work to a stage. With dedup, the message ID names the
// ranges so that the stream drops a republication of the same work (a
// retry after a lost acknowledgement). Recovery publishes without it: the
// stream may still remember the ID of the very message a crashed process
// had taken, and must not drop the work that replaces it.
func (p *Pipeline) publish(ctx context.Context, stage string, ranges []store.Range, dedup bool) error {
	if len(ranges) == 0 {
		return nil
	}
	data, err := json.Marshal(Work{Ranges: ranges})
	if err != nil {
		return err
	}
	var id string
	if dedup {
		id = fmt.Sprintf("%s:%d-%d:%d", stage, ranges[0].Lo, ranges[len(ranges)-1].Hi, len(ranges))
	}
	return p.bus.Publish(ctx, stage, data, id)
}

// Run consumes work for every stage until ctx ends. It first recovers
// work that a crash may have lost.
func (p *Pipeline) Run(ctx context.Context) error {
	if err := p.Recover(ctx); err != nil {
		return fmt.Errorf("recover pipeline work: %w", err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(p.stages))
	for i := range p.stages {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := p.RunStage(ctx, i); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	return errors.Join(drain(errs)...)
}

func drain(ch chan error) []error {
	var out []error
	for e := range ch {
		out = append(out, e)
	}
	return out
}

// RunStage consumes the work of stage i until ctx ends (for workers that
// run only some stages).
func (p *Pipeline) RunStage(ctx context.Context, i int) error {
	st := p.stages[i]
	var next string
	if i+1 < len(p.stages) {
		next = p.stages[i+1].Name()
	}
	p.setRunning(i, true)
	defer p.setRunning(i, false)
	if p.lazy {
		fctx, stop := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			p.flushLoop(fctx, i)
		}()
		defer func() {
			stop()
			<-done
			// Leave the store up to date: a stopped process's marks
			// would otherwise only be made good by the next Recover.
			fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := p.flush(fctx, i); err != nil {
				p.log.Warn("writing done marks at stop", "stage", st.Name(), "err", err)
			}
		}()
	}
	base := ctx
	return p.bus.Consume(ctx, st.Name(), func(ctx context.Context, data []byte, progress func()) error {
		var w Work
		if err := json.Unmarshal(data, &w); err != nil {
			p.log.Error("dropping malformed work message", "stage", st.Name(), "err", err)
			return nil // redelivering it would not help; Recover finds the items
		}
		if p.prio.isUrgent(i) {
			p.prio.begin()
			defer p.prio.end()
		}
		ctx = pprof.WithLabels(ctx, pprof.Labels("stage", st.Name()))
		pprof.SetGoroutineLabels(ctx)
		defer pprof.SetGoroutineLabels(base)
		passOn := w.Ranges
		for _, r := range w.Ranges {
			for lo := r.Lo; lo <= r.Hi; {
				sub := store.Range{Lo: lo, Hi: min(r.Hi, lo+p.batch(i)-1)}
				lo = sub.Hi + 1
				more, err := p.process(ctx, i, sub)
				if err != nil {
					return err
				}
				passOn = append(passOn, more...)
				progress()
			}
		}
		if next != "" {
			if err := p.publish(ctx, next, store.MergeRanges(passOn), true); err != nil {
				return err
			}
		}
		return nil
	})
}

// process runs one stage over the parts of one range of items the stage
// has not finished yet (a redelivered or recovered message may name
// finished work), and commits the result.
//
// When the stage reaches the end of r and the stage before it (in this
// pipeline) has already finished the items after r, it takes them on in
// the same batch, up to MaxBatch sequence numbers: a stage that has
// fallen behind catches up in larger batches, and the messages for those
// items later find them done. It returns the ranges it took on beyond r
// (none when none), which are passed on with the work (an Ordered stage
// first takes the items before r it has not finished: see Ordered). A stage looks ahead
// only when this process also runs the stage before it (the embedded
// pipeline runs them all): the first stage cannot tell what precedes it
// (for a one-stage worker pipeline, a stage of another process), and
// workers that share a stage's work would otherwise take on the same
// items at once.
func (p *Pipeline) process(ctx context.Context, i int, r store.Range) ([]store.Range, error) {
	st := p.stages[i]
	done, err := p.doneRanges(ctx, i)
	if err != nil {
		return nil, fmt.Errorf("%s: progress: %w", st.Name(), err)
	}
	todos := Subtract([]store.Range{r}, done)
	if len(todos) == 0 {
		return nil, nil
	}
	var more []store.Range
	if o, ok := st.(Ordered); ok && o.Ordered() && i > 0 && p.isRunning(i-1) {
		before, err := p.lookBack(ctx, i, todos[0].Lo, done)
		if err != nil {
			return nil, err
		}
		for _, b := range before {
			for lo := b.Lo; lo <= b.Hi; {
				sub := store.Range{Lo: lo, Hi: min(b.Hi, lo+p.batch(i)-1)}
				lo = sub.Hi + 1
				if err := p.processRange(ctx, i, sub); err != nil {
					return nil, err
				}
			}
		}
		more = append(more, before...)
	}
	mb := p.batch(i)
	if last := &todos[len(todos)-1]; (i > 0 && p.isRunning(i-1) || i == 0 && p.firstAhead) && last.Hi == r.Hi && r.Hi-last.Lo+1 < mb {
		ext, err := p.lookAhead(ctx, i, store.Range{Lo: r.Hi + 1, Hi: last.Lo + mb - 1}, done)
		if err != nil {
			return nil, err
		}
		if ext.Hi >= ext.Lo {
			last.Hi = ext.Hi
			more = append(more, ext)
		}
	}
	for _, todo := range todos {
		if err := p.processRange(ctx, i, todo); err != nil {
			return nil, err
		}
	}
	return more, nil
}

// ErrEarlierPending is returned (wrapped) for work an Ordered stage must
// not take yet: items before it are not finished by the stage before.
// The message is redelivered later.
var ErrEarlierPending = errors.New("earlier items are not ready for this stage yet")

// lookBack returns the ranges before seq, holding items, that stage i
// (whose done ranges are done) has not finished, in order. Stage i-1 must
// have finished all of them; if it has not, the work must wait and
// lookBack returns ErrEarlierPending.
func (p *Pipeline) lookBack(ctx context.Context, i int, seq int64, done []store.Range) ([]store.Range, error) {
	if seq <= 1 {
		return nil, nil
	}
	gaps, err := p.withItems(ctx, Subtract([]store.Range{{Lo: 1, Hi: seq - 1}}, done))
	if err != nil || len(gaps) == 0 {
		return nil, err
	}
	prev, err := p.doneRanges(ctx, i-1)
	if err != nil {
		return nil, fmt.Errorf("%s: progress: %w", p.stages[i-1].Name(), err)
	}
	owed, err := p.owes(ctx, Subtract(gaps, prev))
	if err != nil {
		return nil, err
	}
	if owed {
		return nil, fmt.Errorf("%s: items before %d: %w", p.stages[i].Name(), seq, ErrEarlierPending)
	}
	return gaps, nil
}

// lookAhead returns the part of span, from its start, that stage i-1 has
// finished (for the first stage: that is stored) and stage i (whose done
// ranges are done) has not: empty when there is none.
func (p *Pipeline) lookAhead(ctx context.Context, i int, span store.Range, done []store.Range) (store.Range, error) {
	none := store.Range{Lo: span.Lo, Hi: span.Lo - 1}
	var prev []store.Range
	if i == 0 { // the first stage: what is stored
		last, err := p.store.LastSeq(ctx)
		if err != nil {
			return none, err
		}
		prev = []store.Range{{Lo: 1, Hi: last}}
	} else {
		var err error
		if prev, err = p.doneRanges(ctx, i-1); err != nil {
			return none, fmt.Errorf("%s: progress: %w", p.stages[i-1].Name(), err)
		}
	}
	var ready store.Range
	for _, d := range prev {
		if d.Lo <= span.Lo && d.Hi >= span.Lo {
			ready = store.Range{Lo: span.Lo, Hi: min(d.Hi, span.Hi)}
			break
		}
	}
	if ready.Lo == 0 {
		return none, nil
	}
	todo := Subtract([]store.Range{ready}, done)
	if len(todo) == 0 || todo[0].Lo != span.Lo {
		return none, nil
	}
	return todo[0], nil
}

// step runs fn under the pprof label step=name.
func step(ctx context.Context, name string, fn func(ctx context.Context)) {
	pprof.Do(ctx, pprof.Labels("step", name), fn)
}

func (p *Pipeline) processRange(ctx context.Context, i int, r store.Range) error {
	st := p.stages[i]
	start := time.Now()
	var (
		items   []*store.Item
		out     Outcome
		changed map[int64]bool
		err     error
	)
	p.yield(ctx, i)
	step(ctx, "load", func(ctx context.Context) { items, err = p.load(ctx, i, r) })
	if err != nil {
		return fmt.Errorf("%s: load items %d-%d: %w", st.Name(), r.Lo, r.Hi, err)
	}
	step(ctx, "process", func(ctx context.Context) { out, err = st.Process(p.withYield(ctx, i), items) })
	if err != nil {
		p.m.errors.WithLabelValues(st.Name()).Inc()
		return fmt.Errorf("%s: items %d-%d: %w", st.Name(), r.Lo, r.Hi, err)
	}
	p.yield(ctx, i)
	if p.lazy && out.Empty() {
		// Nothing to store: the done mark waits (Config.LazyDone).
		p.pend[i].add(r)
		p.m.deferred.WithLabelValues(st.Name()).Inc()
	} else {
		step(ctx, "commit", func(ctx context.Context) { changed, err = p.commit(ctx, i, r, out) })
	}
	if err != nil {
		p.m.errors.WithLabelValues(st.Name()).Inc()
		return fmt.Errorf("%s: commit items %d-%d: %w", st.Name(), r.Lo, r.Hi, err)
	}
	if i+1 < len(p.stages) && p.isRunning(i+1) {
		p.handoff[i+1].put(r, items, changed)
	}
	if p.prio != nil && i == p.prio.urgent {
		atomicMax(&p.laterDone, r.Hi)
	}
	if out.After != nil {
		step(ctx, "after", func(context.Context) { out.After() })
	}
	p.m.items.WithLabelValues(st.Name()).Add(float64(len(items)))
	p.m.failed.WithLabelValues(st.Name()).Add(float64(len(out.Failed)))
	p.m.seconds.WithLabelValues(st.Name()).Observe(time.Since(start).Seconds())
	for seq, ferr := range out.Failed {
		p.log.Warn("item failed", "stage", st.Name(), "seq", seq, "err", ferr)
	}
	return nil
}

// commit stores stage i's outcome for r and marks r done, with the
// stage's waiting done marks (Config.LazyDone), in one transaction. It
// returns the items the transaction changed (see handoff).
func (p *Pipeline) commit(ctx context.Context, i int, r store.Range, out Outcome) (changed map[int64]bool, err error) {
	st := p.stages[i]
	marks := []store.Range{r}
	var waiting []store.Range
	if p.lazy {
		pd := &p.pend[i]
		pd.flushMu.Lock()
		defer pd.flushMu.Unlock()
		waiting = pd.snapshot()
		marks = store.MergeRanges(append(marks, waiting...))
		defer func() {
			if err == nil {
				pd.remove(waiting)
			}
		}()
	}
	if p.gate != nil {
		p.gate.enter(i)
		defer p.gate.leave()
	}
	err = p.store.Update(store.Recomputable(store.WithWriter(ctx, st.Name())), func(tx store.Tx) error {
		rec := &recordingTx{Tx: tx}
		changed = nil
		if err := out.Apply(ctx, rec); err != nil {
			return err
		}
		changed = rec.changed
		if rec.added {
			changed = allChanged
		}
		for seq, ferr := range out.Failed {
			if err := tx.Fail(ctx, st.Name(), seq, ferr.Error()); err != nil {
				return err
			}
		}
		for _, m := range marks {
			if err := tx.MarkDone(ctx, st.Name(), m); err != nil {
				return err
			}
		}
		return nil
	})
	return changed, err
}

// Recover resubmits, for every stage, the items the previous stage has
// finished (or, for the first stage, that are stored) but this stage has
// not.
func (p *Pipeline) Recover(ctx context.Context) error {
	last, err := p.store.LastSeq(ctx)
	if err != nil || last == 0 {
		return err
	}
	prev := []store.Range{{Lo: 1, Hi: last}}
	for _, st := range p.stages {
		done, err := p.store.DoneRanges(ctx, st.Name())
		if err != nil {
			return err
		}
		missing, err := p.withItems(ctx, Subtract(prev, done))
		if err != nil {
			return err
		}
		for len(missing) > 0 {
			n := min(len(missing), 64)
			if err := p.publish(ctx, st.Name(), missing[:n], false); err != nil {
				return err
			}
			p.log.Info("recovered unfinished work", "stage", st.Name(), "ranges", n)
			missing = missing[n:]
		}
		prev = done
	}
	return nil
}

// withItems keeps the ranges that hold at least one stored item (seqs
// have gaps that no stage ever sees).
func (p *Pipeline) withItems(ctx context.Context, rs []store.Range) ([]store.Range, error) {
	var out []store.Range
	for _, r := range rs {
		ok, err := p.holdsItem(ctx, r)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// FirstFinder is what a store may offer to tell cheaply whether a range
// holds an item: the lowest stored Seq in r, 0 when there is none. The
// pipeline falls back on CountInRange, which reads the whole range.
type FirstFinder interface {
	FirstInRange(ctx context.Context, r store.Range) (int64, error)
}

// holdsItem reports whether r holds a stored item.
func (p *Pipeline) holdsItem(ctx context.Context, r store.Range) (bool, error) {
	if ff, ok := p.store.(FirstFinder); ok {
		seq, err := ff.FirstInRange(ctx, r)
		return seq > 0, err
	}
	n, err := p.store.CountInRange(ctx, r)
	return n > 0, err
}

// owes reports whether any of rs holds a stored item, checking as few
// ranges as it can.
func (p *Pipeline) owes(ctx context.Context, rs []store.Range) (bool, error) {
	for _, r := range rs {
		ok, err := p.holdsItem(ctx, r)
		if err != nil || ok {
			return ok, err
		}
	}
	return false, nil
}

// Idle reports whether every stage has finished every item up to seq.
func (p *Pipeline) Idle(ctx context.Context, upTo int64) (bool, error) {
	if upTo == 0 {
		return true, nil
	}
	for _, st := range p.stages {
		done, err := p.store.DoneRanges(ctx, st.Name())
		if err != nil {
			return false, err
		}
		owes, err := p.owes(ctx, Subtract([]store.Range{{Lo: 1, Hi: upTo}}, done))
		if err != nil || owes {
			return false, err
		}
	}
	return true, nil
}

// Wait blocks until every stage has finished every item up to seq,
// calling report (if not nil) with the number of items each stage still
// owes, as it goes.
//
// Whether a stage is finished is asked of the store afresh at every look
// (one index probe per unfinished range). The numbers reported are
// counted in blocks of countBlock sequence numbers, and a block wholly
// below upTo is counted once per Wait, so a look costs one probe per
// block rather than a read of every unfinished item.
func (p *Pipeline) Wait(ctx context.Context, upTo int64, report func(stage string, left int64)) error {
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	bc := &blockCounter{count: p.store.CountInRange, blocks: map[int64]int64{}}
	for {
		idle := true
		for _, st := range p.stages {
			done, err := p.store.DoneRanges(ctx, st.Name())
			if err != nil {
				return err
			}
			missing := Subtract([]store.Range{{Lo: 1, Hi: upTo}}, done)
			owes, err := p.owes(ctx, missing)
			if err != nil {
				return err
			}
			if owes {
				idle = false
			}
			if report == nil {
				if owes {
					break
				}
				continue
			}
			var left int64
			if owes {
				if left, err = bc.items(ctx, missing); err != nil {
					return err
				}
			}
			report(st.Name(), left)
		}
		if idle {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}

// countBlock is the span of sequence numbers Wait counts at once.
const countBlock = 4096

// blockCounter counts stored items in ranges, remembering the count of
// every whole aligned block of countBlock seqs it has counted.
type blockCounter struct {
	count  func(context.Context, store.Range) (int64, error)
	blocks map[int64]int64 // block start -> items
}

func (b *blockCounter) items(ctx context.Context, rs []store.Range) (int64, error) {
	var total int64
	for _, r := range rs {
		for lo := r.Lo; lo <= r.Hi; {
			start := lo - (lo-1)%countBlock // blocks are 1..4096, 4097..8192, ...
			end := start + countBlock - 1
			if lo == start && end <= r.Hi {
				n, ok := b.blocks[start]
				if !ok {
					var err error
					if n, err = b.count(ctx, store.Range{Lo: start, Hi: end}); err != nil {
						return 0, err
					}
					b.blocks[start] = n
				}
				total += n
			} else {
				n, err := b.count(ctx, store.Range{Lo: lo, Hi: min(end, r.Hi)})
				if err != nil {
					return 0, err
				}
				total += n
			}
			lo = end + 1
		}
	}
	return total, nil
}

// Covered counts the sequence numbers in 1..upTo covered by rs (merged).
func Covered(rs []store.Range, upTo int64) int64 {
	var n int64
	for _, r := range rs {
		lo, hi := max(r.Lo, 1), min(r.Hi, upTo)
		if hi >= lo {
			n += hi - lo + 1
		}
	}
	return n
}

// Subtract returns the parts of a (merged, sorted) not covered by b
// (merged, sorted).
func Subtract(a, b []store.Range) []store.Range {
	var out []store.Range
	j := 0
	for _, r := range a {
		lo := r.Lo
		for j < len(b) && b[j].Hi < lo {
			j++
		}
		k := j
		for k < len(b) && b[k].Lo <= r.Hi {
			if b[k].Lo > lo {
				out = append(out, store.Range{Lo: lo, Hi: b[k].Lo - 1})
			}
			lo = max(lo, b[k].Hi+1)
			k++
		}
		if lo <= r.Hi {
			out = append(out, store.Range{Lo: lo, Hi: r.Hi})
		}
	}
	return out
}

type metrics struct {
	items, failed, errors, loaded, yield, deferred *prometheus.CounterVec
	seconds                                        *prometheus.HistogramVec
}

func newMetrics(reg prometheus.Registerer) *metrics {
	m := &metrics{
		items:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mosaic_stage_items_total", Help: "Items processed by each pipeline stage."}, []string{"stage"}),
		failed:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mosaic_stage_failed_items_total", Help: "Items a stage could not process."}, []string{"stage"}),
		errors:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mosaic_stage_batch_errors_total", Help: "Batches that failed and will be retried."}, []string{"stage"}),
		loaded:   prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mosaic_stage_loads_total", Help: "Batches a stage took handed on by the previous stage (from=handed) or read from the store (from=store)."}, []string{"stage", "from"}),
		yield:    prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mosaic_stage_yield_seconds_total", Help: "Time a later stage waited for the urgent stages (extract, screen) to finish their work (see Config.Urgent)."}, []string{"stage"}),
		deferred: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "mosaic_stage_deferred_marks_total", Help: "Batches with nothing to store whose done mark waited for a later commit instead of a commit of its own (see pipeline.Config.LazyDone)."}, []string{"stage"}),
		seconds:  prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "mosaic_stage_batch_seconds", Help: "Time to process and commit one batch.", Buckets: prometheus.ExponentialBuckets(0.001, 4, 10)}, []string{"stage"}),
	}
	if reg != nil {
		reg.MustRegister(m.items, m.failed, m.errors, m.loaded, m.yield, m.deferred, m.seconds)
	}
	return m
}

// commitGate lets one stage commit at a time, the earliest waiting stage
// first.
type commitGate struct {
	mu      sync.Mutex
	cond    *sync.Cond
	busy    bool
	waiting []int // per stage
}

func newCommitGate(stages int) *commitGate {
	g := &commitGate{waiting: make([]int, stages)}
	g.cond = sync.NewCond(&g.mu)
	return g
}

// enter waits until no commit is in progress and no earlier stage waits.
func (g *commitGate) enter(i int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.waiting[i]++
	for g.busy || g.earlierWaiting(i) {
		g.cond.Wait()
	}
	g.waiting[i]--
	g.busy = true
}

func (g *commitGate) earlierWaiting(i int) bool {
	for j := range i {
		if g.waiting[j] > 0 {
			return true
		}
	}
	return false
}

func (g *commitGate) leave() {
	g.mu.Lock()
	g.busy = false
	g.mu.Unlock()
	g.cond.Broadcast()
}
