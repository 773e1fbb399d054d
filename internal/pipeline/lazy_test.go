package pipeline_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlstore"
)

// extractLike stores facts for documents and has nothing to store for
// records, as extraction does.
type extractLike struct {
	*recorder
	facts factSetter
}

func (s extractLike) Process(ctx context.Context, items []*store.Item) (pipeline.Outcome, error) {
	if _, err := s.recorder.Process(ctx, items); err != nil {
		return pipeline.Outcome{}, err
	}
	for _, it := range items {
		if it.Document != nil {
			return s.facts.Process(ctx, items)
		}
	}
	return pipeline.Outcome{}, nil
}

// alwaysWrites is an Ordered stage that stores something for every batch
// (as resolution does), so its own done marks are always committed.
type alwaysWrites struct{ *orderRecorder }

func (s alwaysWrites) Process(ctx context.Context, items []*store.Item) (pipeline.Outcome, error) {
	if _, err := s.orderRecorder.Process(ctx, items); err != nil {
		return pipeline.Outcome{}, err
	}
	return pipeline.Outcome{Write: func(context.Context, store.Tx) error { return nil }}, nil
}

// mortalStore is a store a test can "kill": after that, nothing more
// reaches it, as when the process dies.
type mortalStore struct {
	*sqlstore.Store
	dead atomic.Bool
}

func (s *mortalStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	if s.dead.Load() {
		return errors.New("the process is dead")
	}
	return s.Store.Update(ctx, fn)
}

// waitSeen waits until r has seen n items.
func waitSeen(t *testing.T, r *recorder, n int) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		if got, _ := r.count(); got >= n {
			return
		}
		if time.Now().After(deadline) {
			got, _ := r.count()
			t.Fatalf("stage %s saw %d items, want %d", r.name, got, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func covers(done []store.Range, r store.Range) bool {
	return len(pipeline.Subtract([]store.Range{r}, done)) == 0
}

// TestLazyDoneMarks: with LazyDone, a batch with nothing to store is not
// committed, yet the next (Ordered) stage takes it at once; its done mark
// reaches the store with the stage's next commit; and a mark lost with
// the process is made good by Recover, which has the stage do the batch
// again. Without LazyDone (the control) every batch is marked in the
// store as it is done.
func TestLazyDoneMarks(t *testing.T) {
	for _, lazy := range []bool{true, false} {
		t.Run(fmt.Sprintf("lazy=%v", lazy), func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t)
			first := extractLike{recorder: newRecorder("first"), facts: factSetter{"first"}}
			second := alwaysWrites{&orderRecorder{recorder: newRecorder("second"), ordered: true}}
			ms := &mortalStore{Store: e.st}
			p, err := pipeline.New(pipeline.Config{Store: ms, Bus: e.bus, Stages: []pipeline.Stage{first, second},
				LazyDone: lazy, LazyFlush: time.Hour, CommitFirst: true, FirstLooksAhead: true})
			if err != nil {
				t.Fatal(err)
			}
			stop := run(t, p)
			submit := func(items ...*store.Item) store.Range {
				t.Helper()
				rs := e.put(t, items...)
				if err := p.Submit(ctx, rs); err != nil {
					t.Fatal(err)
				}
				return store.Range{Lo: rs[0].Lo, Hi: rs[len(rs)-1].Hi}
			}
			firstDone := func() []store.Range {
				t.Helper()
				d, err := e.st.DoneRanges(ctx, "first")
				if err != nil {
					t.Fatal(err)
				}
				return d
			}

			// Records only: nothing to store.
			b1 := submit(record(1), record(2), record(3), record(4))
			waitSeen(t, second.recorder, 4)
			if got := covers(firstDone(), b1); got == lazy {
				t.Errorf("records only: first stage's batch marked in the store = %v, want %v", got, !lazy)
			}
			// A document: a commit, which carries the waiting marks.
			b2 := submit(record(5), document(6), record(7))
			waitSeen(t, second.recorder, 7)
			if d := firstDone(); !covers(d, b1) || !covers(d, b2) {
				t.Errorf("after a commit of the first stage its done ranges are %v, want %v and %v", d, b1, b2)
			}
			// Records again, then the process dies before any commit of
			// the first stage: the mark is lost (lazy) or stored.
			b3 := submit(record(8), record(9), record(10), record(11))
			waitSeen(t, second.recorder, 11)
			// The second stage commits its results with its marks.
			for deadline := time.Now().Add(time.Minute); ; time.Sleep(5 * time.Millisecond) {
				d, _ := e.st.DoneRanges(ctx, "second")
				if covers(d, store.Range{Lo: b1.Lo, Hi: b3.Hi}) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("second stage's done ranges %v do not cover %d-%d", d, b1.Lo, b3.Hi)
				}
			}
			ms.dead.Store(true)
			stop()
			if got := covers(firstDone(), b3); got == lazy {
				t.Errorf("after the stop: first stage's last batch marked = %v, want %v", got, !lazy)
			}

			// A new process recovers: the first stage does the lost batch
			// again, the second stage (done) nothing.
			first2 := extractLike{recorder: newRecorder("first"), facts: factSetter{"first"}}
			second2 := alwaysWrites{&orderRecorder{recorder: newRecorder("second"), ordered: true}}
			p2, err := pipeline.New(pipeline.Config{Store: e.st, Bus: e.bus, Stages: []pipeline.Stage{first2, second2}, CommitFirst: true})
			if err != nil {
				t.Fatal(err)
			}
			rctx, cancel := context.WithCancel(ctx)
			ran := make(chan error, 1)
			go func() { ran <- p2.Run(rctx) }()
			defer func() {
				cancel()
				// Nothing may be left to recover, so the stop may come
				// while Run still recovers.
				if err := <-ran; err != nil && !errors.Is(err, context.Canceled) {
					t.Errorf("Run: %v", err)
				}
			}()
			wait(t, p2, b3.Hi)
			want := 0
			if lazy {
				want = 4
			}
			if n, _ := first2.count(); n != want {
				t.Errorf("after recovery the first stage redid %d items, want %d", n, want)
			}
			if n, _ := second2.count(); n != 0 {
				t.Errorf("after recovery the second stage redid %d items, want 0", n)
			}
		})
	}
}

// TestLazyDoneFlushes: marks waiting with no commit of their stage to
// come reach the store from the stage's flusher, so Wait (which asks the
// store) returns; and a stage that stops writes its waiting marks.
func TestLazyDoneFlushes(t *testing.T) {
	t.Run("at stop", func(t *testing.T) {
		ctx := context.Background()
		e := newEnv(t)
		first, second := newRecorder("first"), newRecorder("second")
		p, err := pipeline.New(pipeline.Config{Store: e.st, Bus: e.bus, Stages: []pipeline.Stage{first, second},
			LazyDone: true, LazyFlush: time.Hour, CommitFirst: true})
		if err != nil {
			t.Fatal(err)
		}
		stop := run(t, p)
		rs := e.put(t, record(1), record(2))
		if err := p.Submit(ctx, rs); err != nil {
			t.Fatal(err)
		}
		waitSeen(t, second, 2)
		if d, _ := e.st.DoneRanges(ctx, "second"); covers(d, rs[0]) {
			t.Fatalf("second stage's marks %v reached the store before the stop", d)
		}
		stop()
		for _, st := range []string{"first", "second"} {
			if d, _ := e.st.DoneRanges(ctx, st); !covers(d, rs[0]) {
				t.Errorf("after the stop, stage %s: done ranges %v do not cover %v", st, d, rs[0])
			}
		}
	})
	t.Run("flusher", testLazyFlusher)
}

func testLazyFlusher(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	first, second := newRecorder("first"), newRecorder("second")
	p, err := pipeline.New(pipeline.Config{Store: e.st, Bus: e.bus, Stages: []pipeline.Stage{first, second},
		LazyDone: true, LazyFlush: 20 * time.Millisecond, CommitFirst: true})
	if err != nil {
		t.Fatal(err)
	}
	defer run(t, p)()
	rs := e.put(t, record(1), record(2), record(3))
	if err := p.Submit(ctx, rs); err != nil {
		t.Fatal(err)
	}
	wait(t, p, rs[0].Hi)
	for _, st := range []string{"first", "second"} {
		if d, _ := e.st.DoneRanges(ctx, st); !covers(d, rs[0]) {
			t.Errorf("stage %s: done ranges %v do not cover %v", st, d, rs[0])
		}
	}
	if n, _ := second.count(); n != 3 {
		t.Errorf("second stage saw %d items, want 3", n)
	}
}
