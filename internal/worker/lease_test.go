package worker_test

import (
	"context"
	"errors"
	"testing"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/postgres"
	"github.com/mosaic-intel/mosaic/internal/store/postgres/pgtest"
	"github.com/mosaic-intel/mosaic/internal/store/sqlstore"
	"github.com/mosaic-intel/mosaic/internal/worker"
)

// openAs opens the test database as the worker called id.
func openAs(t *testing.T, dbURL, id string) *sqlstore.Store {
	t.Helper()
	u, err := worker.AppURL(dbURL, worker.HolderName(id))
	if err != nil {
		t.Fatal(err)
	}
	st, err := postgres.Open(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := worker.Install(context.Background(), st.DB()); err != nil {
		t.Fatal(err)
	}
	return st
}

func markDone(ctx context.Context, st store.Updater, stage string, r store.Range) error {
	return st.Update(ctx, func(tx store.Tx) error { return tx.MarkDone(ctx, stage, r) })
}

func TestLeaseFence(t *testing.T) {
	ctx := context.Background()
	db := pgtest.TestDatabase(t)
	a, b := openAs(t, db, "a"), openAs(t, db, "b")
	la := worker.NewLease(a.DB(), pipeline.Resolve, worker.HolderName("a"), 300*time.Millisecond, nil)
	lb := worker.NewLease(b.DB(), pipeline.Resolve, worker.HolderName("b"), 300*time.Millisecond, nil)

	// Before anyone holds the lease, nobody is fenced.
	if err := markDone(ctx, b, pipeline.Resolve, store.Range{Lo: 1, Hi: 1}); err != nil {
		t.Fatalf("no lease yet: %v", err)
	}
	if ok, err := la.TryAcquire(ctx); !ok || err != nil {
		t.Fatalf("a could not take a free lease: %v %v", ok, err)
	}
	if ok, err := lb.TryAcquire(ctx); ok || err != nil {
		t.Fatalf("b took a's live lease: %v %v", ok, err)
	}
	if err := markDone(ctx, a, pipeline.Resolve, store.Range{Lo: 2, Hi: 2}); err != nil {
		t.Fatalf("holder fenced out: %v", err)
	}
	if err := markDone(ctx, b, pipeline.Resolve, store.Range{Lo: 3, Hi: 3}); err == nil {
		t.Fatal("b marked resolve work done without the lease")
	}
	if err := markDone(ctx, b, pipeline.Extract, store.Range{Lo: 3, Hi: 3}); err != nil {
		t.Fatalf("a stage without a lease was fenced: %v", err)
	}

	// a stops renewing: once the lease expires b takes it, and a is out.
	deadline := time.Now().Add(10 * time.Second)
	for {
		ok, err := lb.TryAcquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("b never took the expired lease")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if lb.Epoch() != la.Epoch()+1 {
		t.Errorf("epochs a=%d b=%d: want one change of hands", la.Epoch(), lb.Epoch())
	}
	if ok, err := la.Renew(ctx); ok || err != nil {
		t.Fatalf("deposed holder renewed: %v %v", ok, err)
	}
	if err := markDone(ctx, a, pipeline.Resolve, store.Range{Lo: 4, Hi: 4}); err == nil {
		t.Fatal("deposed holder committed resolve work")
	}
	done, err := a.DoneRanges(ctx, pipeline.Resolve)
	if err != nil {
		t.Fatal(err)
	}
	if want := []store.Range{{Lo: 1, Hi: 2}}; !equalRanges(done, want) {
		t.Errorf("resolve done %v, want %v", done, want)
	}
	if h, _, err := worker.Holder(ctx, a.DB(), pipeline.Resolve); err != nil || h != worker.HolderName("b") {
		t.Errorf("holder %q %v", h, err)
	}
}

// TestTakeoverWaitsForCommit: a batch in flight when the lease expires
// either commits before the new holder has the lease, or not at all.
func TestTakeoverWaitsForCommit(t *testing.T) {
	ctx := context.Background()
	db := pgtest.TestDatabase(t)
	a, b := openAs(t, db, "a"), openAs(t, db, "b")
	la := worker.NewLease(a.DB(), pipeline.Screen, worker.HolderName("a"), 200*time.Millisecond, nil)
	lb := worker.NewLease(b.DB(), pipeline.Screen, worker.HolderName("b"), 200*time.Millisecond, nil)
	if ok, err := la.TryAcquire(ctx); !ok || err != nil {
		t.Fatalf("%v %v", ok, err)
	}
	inTx := make(chan struct{})
	var committed time.Time
	errc := make(chan error, 1)
	go func() {
		errc <- a.Update(ctx, func(tx store.Tx) error {
			if err := tx.MarkDone(ctx, pipeline.Screen, store.Range{Lo: 1, Hi: 5}); err != nil {
				return err
			}
			close(inTx)
			time.Sleep(600 * time.Millisecond) // the lease expires meanwhile
			committed = time.Now()
			return nil
		})
	}()
	<-inTx
	var acquired time.Time
	for {
		ok, err := lb.TryAcquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			acquired = time.Now()
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := <-errc; err != nil {
		t.Fatalf("batch begun under the lease failed: %v", err)
	}
	if acquired.Before(committed) {
		t.Errorf("b took the lease at %v, before a's batch committed at %v", acquired, committed)
	}
}

func TestHoldEndsTermWhenLeaseIsTaken(t *testing.T) {
	ctx := context.Background()
	db := pgtest.TestDatabase(t)
	a := openAs(t, db, "a")
	la := worker.NewLease(a.DB(), pipeline.Resolve, worker.HolderName("a"), 300*time.Millisecond, nil)
	started := make(chan struct{})
	errc := make(chan error, 1)
	go func() {
		errc <- la.Hold(ctx, func(ctx context.Context) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
	}()
	<-started
	// An operator (or a worker that saw it expire) hands the lease over.
	if _, err := a.DB().ExecContext(ctx, `UPDATE mosaic_leases SET holder = 'mosaic-worker-other', epoch = epoch + 1 WHERE name = $1`, pipeline.Resolve); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if !errors.Is(err, worker.ErrLeaseLost) {
			t.Errorf("Hold returned %v, want ErrLeaseLost", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the term went on after its lease was taken")
	}
}

func TestReady(t *testing.T) {
	ctx := context.Background()
	db := pgtest.TestDatabase(t)
	st := openAs(t, db, "r")
	var items []*store.Item
	for i := range 10 {
		id := mosaic.HashID(mosaic.PrefixRecord, "ready", string(rune('a'+i)))
		items = append(items, &store.Item{ID: id, Source: "s", Record: &mosaic.Record{ID: id, Source: "s", Kind: mosaic.KindPerson, Fields: map[string]string{"n": string(rune('a' + i))}}})
	}
	if err := st.Update(ctx, func(tx store.Tx) error { _, err := tx.PutItems(ctx, items); return err }); err != nil {
		t.Fatal(err)
	}
	seq := func(i int) int64 { return items[i].Seq }
	o := &worker.Ordered{Stage: pipeline.Resolve, Prev: pipeline.Extract, Store: st, MaxSpan: 1000}
	for _, c := range []struct {
		name    string
		extract []store.Range
		resolve []store.Range
		want    []store.Range
	}{
		{"nothing extracted", nil, nil, nil},
		{"a prefix", []store.Range{{Lo: seq(0), Hi: seq(3)}}, nil, []store.Range{{Lo: seq(0), Hi: seq(3)}}},
		{"stops at the first item not extracted", []store.Range{{Lo: seq(0), Hi: seq(1)}, {Lo: seq(3), Hi: seq(9)}}, nil, []store.Range{{Lo: seq(0), Hi: seq(1)}}},
		{"skips what is resolved", []store.Range{{Lo: seq(0), Hi: seq(9)}}, []store.Range{{Lo: seq(0), Hi: seq(4)}}, []store.Range{{Lo: seq(5), Hi: seq(9)}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := st.DB().ExecContext(ctx, `DELETE FROM stage_done`); err != nil {
				t.Fatal(err)
			}
			for _, r := range c.extract {
				if err := markDone(ctx, st, pipeline.Extract, r); err != nil {
					t.Fatal(err)
				}
			}
			for _, r := range c.resolve {
				if err := markDone(ctx, st, pipeline.Resolve, r); err != nil {
					t.Fatal(err)
				}
			}
			got, err := o.Ready(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !equalRanges(got, c.want) {
				t.Errorf("Ready = %v, want %v", got, c.want)
			}
		})
	}
}

func equalRanges(a, b []store.Range) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
