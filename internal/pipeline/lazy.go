package pipeline

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/mosaic-intel/mosaic/internal/store"
)

// Lazy done marks (Config.LazyDone).
//
// A batch a stage finished with nothing to store still needs its done
// mark, but not a commit of its own: on a store with one writer that
// commit queues behind whatever commit is in progress (a later stage's
// large batch), and the batch waits with it before the next stage may
// start. With LazyDone the mark waits in memory instead, the next stage
// of this process sees it at once (doneRanges), and the mark reaches the
// store with the stage's next commit or, when no commit comes, from the
// stage's flusher within Config.LazyFlush. Nothing is lost in a crash: the
// store does not count the batch done, so Recover hands it to the stage
// again, and the stage, having nothing to store, does nothing twice.

// DefaultLazyFlush is how long a waiting done mark may wait for a commit
// of its stage before the stage's flusher writes it alone.
const DefaultLazyFlush = 250 * time.Millisecond

// pendingDone holds a stage's waiting done marks.
type pendingDone struct {
	// flushMu is held while the marks are being written (a commit of
	// the stage or its flusher), so that each is written once.
	flushMu sync.Mutex

	mu     sync.Mutex
	ranges []store.Range
}

func (d *pendingDone) add(r store.Range) {
	d.mu.Lock()
	d.ranges = store.MergeRanges(append(d.ranges, r))
	d.mu.Unlock()
}

func (d *pendingDone) snapshot() []store.Range {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]store.Range(nil), d.ranges...)
}

// remove drops marks now in the store.
func (d *pendingDone) remove(rs []store.Range) {
	if len(rs) == 0 {
		return
	}
	d.mu.Lock()
	d.ranges = Subtract(d.ranges, rs)
	d.mu.Unlock()
}

// doneRanges returns what stage i has finished: the store's done ranges
// and, with LazyDone, the marks waiting in this process.
func (p *Pipeline) doneRanges(ctx context.Context, i int) ([]store.Range, error) {
	var waiting []store.Range
	if p.lazy {
		// Before the store: a mark the flusher writes meanwhile is then
		// in one or the other.
		waiting = p.pend[i].snapshot()
	}
	done, err := p.store.DoneRanges(ctx, p.stages[i].Name())
	if err != nil || len(waiting) == 0 {
		return done, err
	}
	return store.MergeRanges(append(done, waiting...)), nil
}

// flushLoop writes stage i's waiting marks every Config.LazyFlush until
// ctx ends.
func (p *Pipeline) flushLoop(ctx context.Context, i int) {
	t := time.NewTicker(p.lazyFlush)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := p.flush(ctx, i); err != nil && ctx.Err() == nil {
				p.m.errors.WithLabelValues(p.stages[i].Name()).Inc()
				p.log.Warn("writing done marks", "stage", p.stages[i].Name(), "err", err)
			}
		}
	}
}

// flush writes stage i's waiting marks in a transaction of their own.
func (p *Pipeline) flush(ctx context.Context, i int) error {
	d := &p.pend[i]
	d.flushMu.Lock()
	defer d.flushMu.Unlock()
	rs := d.snapshot()
	if len(rs) == 0 {
		return nil
	}
	if p.gate != nil {
		p.gate.enter(i)
		defer p.gate.leave()
	}
	name := p.stages[i].Name()
	err := p.store.Update(store.Recomputable(store.WithWriter(ctx, name+" marks")), func(tx store.Tx) error {
		for _, r := range rs {
			if err := tx.MarkDone(ctx, name, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: done marks: %w", name, err)
	}
	d.remove(rs)
	return nil
}
