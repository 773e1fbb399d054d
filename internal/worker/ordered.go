package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// Store is what the workers need of the store.
type Store interface {
	pipeline.Store
	store.Progress
}

// Ordered runs a stage whose decisions depend on what it has seen before
// (screening with its watch-list index; resolution; the alert rules) in
// one place at a time and in item order:
//
//   - one worker at a time holds the stage's lease, builds the stage's
//     state afresh from the store (Open) and runs it; the others wait and
//     take over when the holder stops or its lease expires;
//   - the holder does not take ranges from the stream in the order they
//     happen to arrive: it processes, in Seq order, every item the
//     previous stage has finished, up to the first stored item the
//     previous stage has not (the barrier). Messages on the stage's
//     subject only wake it up; it also polls;
//   - a batch that fails ends the term (the stage's memory may hold what
//     the store does not), and the next term starts from the store.
//
// So the stage sees items in the same order whatever the number of
// workers upstream and whichever worker holds the lease, and decides
// exactly as the embedded pipeline (one process, items in Seq order)
// does. The fence on stage_done (see Install) rejects the commits of a
// holder that was deposed while a batch was in flight.
type Ordered struct {
	// Stage is the stage's name; Prev and Next its neighbours' ("" for
	// none: the first stage follows the stored items).
	Stage, Prev, Next string
	Store             Store
	// Bus carries the wake-ups (the stage's subject) and the work passed
	// to Next.
	Bus   pipeline.Bus
	Lease *Lease
	// Open builds the stage with its state restored from the store, for
	// one term as the lease's holder; closeFn (may be nil) runs when the
	// term ends.
	Open func(ctx context.Context) (st pipeline.Stage, closeFn func(), err error)
	// Poll is how often the holder looks for work without a wake-up
	// (default 250ms).
	Poll time.Duration
	// MaxBatch is the most items processed and committed at once.
	MaxBatch int
	// MaxSpan bounds the sequence numbers one round takes on, so that a
	// long backlog is forwarded to Next as it goes (default 20000).
	MaxSpan int64
	Log     *slog.Logger
}

func (o *Ordered) defaults() {
	if o.Poll <= 0 {
		o.Poll = 250 * time.Millisecond
	}
	if o.MaxSpan <= 0 {
		o.MaxSpan = 20000
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
}

// Run takes turns at holding the lease until ctx ends.
func (o *Ordered) Run(ctx context.Context) error {
	o.defaults()
	for ctx.Err() == nil {
		err := o.Lease.Hold(ctx, o.term)
		switch {
		case ctx.Err() != nil:
		case errors.Is(err, ErrLeaseLost):
			o.Log.Warn("stage handed over", "stage", o.Stage)
		case err != nil:
			o.Log.Error("stage term ended", "stage", o.Stage, "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
	return nil
}

// term runs the stage as the lease's holder until ctx ends.
func (o *Ordered) term(ctx context.Context) error {
	start := time.Now()
	st, closeFn, err := o.Open(ctx)
	if err != nil {
		return fmt.Errorf("open %s stage: %w", o.Stage, err)
	}
	if closeFn != nil {
		defer closeFn()
	}
	o.Log.Info("stage state restored", "stage", o.Stage, "took", time.Since(start).Round(time.Millisecond))
	ctx, cancel := context.WithCancel(ctx)
	wake := make(chan struct{}, 1)
	woken := make(chan struct{})
	defer func() {
		cancel()
		<-woken
	}()
	go func() {
		defer close(woken)
		for ctx.Err() == nil {
			err := o.Bus.Consume(ctx, o.Stage, func(context.Context, []byte, func()) error {
				select {
				case wake <- struct{}{}:
				default:
				}
				return nil
			})
			if ctx.Err() == nil {
				o.Log.Warn("wake-ups stopped; polling meanwhile", "stage", o.Stage, "err", err)
				select {
				case <-ctx.Done():
				case <-time.After(time.Second):
				}
			}
		}
	}()
	stages := []pipeline.Stage{st}
	if o.Next != "" {
		stages = append(stages, Named(o.Next))
	}
	p, err := pipeline.New(pipeline.Config{Store: o.Store, Bus: &feed{o: o, wake: wake}, Stages: stages, Logger: o.Log, MaxBatch: o.MaxBatch})
	if err != nil {
		return err
	}
	return p.RunStage(ctx, 0)
}

// Ready returns the ranges the stage may process now, in Seq order: what
// Prev has finished and the stage has not, below the first stored item
// Prev has not finished, at most MaxSpan sequence numbers from the first.
func (o *Ordered) Ready(ctx context.Context) ([]store.Range, error) {
	o.defaults()
	last, err := o.Store.LastSeq(ctx)
	if err != nil || last == 0 {
		return nil, err
	}
	all := []store.Range{{Lo: 1, Hi: last}}
	prev := all
	if o.Prev != "" {
		if prev, err = o.Store.DoneRanges(ctx, o.Prev); err != nil {
			return nil, err
		}
	}
	done, err := o.Store.DoneRanges(ctx, o.Stage)
	if err != nil {
		return nil, err
	}
	barrier := last + 1
	for _, r := range pipeline.Subtract(all, prev) {
		n, err := o.Store.CountInRange(ctx, r)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			barrier = r.Lo
			break
		}
	}
	var out []store.Range
	var limit int64
	for _, r := range pipeline.Subtract(prev, done) {
		if r.Lo >= barrier {
			break
		}
		if limit == 0 {
			limit = r.Lo + o.MaxSpan - 1
		}
		if r.Lo > limit {
			break
		}
		out = append(out, store.Range{Lo: r.Lo, Hi: min(r.Hi, barrier-1, limit)})
	}
	return out, nil
}

// feed is the bus of the holder's one-stage pipeline: Consume hands it
// the ready ranges in order; Publish passes work on over the real bus.
type feed struct {
	o    *Ordered
	wake chan struct{}
}

func (f *feed) Publish(ctx context.Context, stage string, data []byte, msgID string) error {
	return f.o.Bus.Publish(ctx, stage, data, msgID)
}

func (f *feed) Consume(ctx context.Context, _ string, h func(ctx context.Context, data []byte, progress func()) error) error {
	t := time.NewTicker(f.o.Poll)
	defer t.Stop()
	for ctx.Err() == nil {
		rs, err := f.o.Ready(ctx)
		if err == nil && len(rs) > 0 {
			var data []byte
			if data, err = json.Marshal(pipeline.Work{Ranges: rs}); err == nil {
				err = h(ctx, data, func() {})
			}
			if err == nil {
				continue // more may be ready
			}
		}
		if err != nil && ctx.Err() == nil {
			// The stage may have changed its in-memory state for a batch
			// that did not commit: end the term, so that the next one
			// restores the state from the store.
			return fmt.Errorf("%s: %w", f.o.Stage, err)
		}
		select {
		case <-ctx.Done():
		case <-f.wake:
		case <-t.C:
		}
	}
	return nil
}

// Named is a stage known only by name: the next stage of a pipeline that
// runs one stage, so that the pipeline passes work on to it.
type Named string

// Name implements pipeline.Stage.
func (n Named) Name() string { return string(n) }

// Process implements pipeline.Stage; it is never called.
func (n Named) Process(context.Context, []*store.Item) (pipeline.Outcome, error) {
	return pipeline.Outcome{}, fmt.Errorf("stage %s does not run in this process", string(n))
}
