package storetest

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// SeqVisibility checks the item log's order under concurrent writers, which
// the pipeline relies on:
//
//   - the items a transaction adds get consecutive seqs: no other
//     transaction's item lies between two of them, so a writer can name
//     its own items by one range;
//   - seqs become visible in order: once a reader sees seq n, every item
//     with a lower seq is visible too, so a stage that reads up to the
//     highest seq it sees never skips an item that commits later.
//
// A backend that hands out seqs when a row is inserted (a plain sequence
// or IDENTITY column) and lets transactions commit in another order breaks
// both. (Run's list should include it; it is exported so that backends can
// run it on its own meanwhile.)
func SeqVisibility(t *testing.T, open Opener) {
	t.Run("Forced", func(t *testing.T) { testSeqForced(t, open) })
	t.Run("Random", func(t *testing.T) { testSeqRandom(t, open) })
}

// testSeqForced interleaves two writers on purpose: A adds an item and,
// before adding a second one and committing, gives B the chance to add and
// commit its own (a correct backend makes B wait for A, so A goes on after
// a short grace period). B then reads the log.
func testSeqForced(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	rec := func(w string, i int) *store.Item {
		return NewRecord("seq", mosaic.KindPerson, map[string]string{"w": w, "i": fmt.Sprint(i)}, nil, "P "+w)
	}
	a1, a2, b := rec("a", 1), rec("a", 2), rec("b", 1)
	aInserted, bDone := make(chan struct{}), make(chan struct{})
	var once sync.Once
	var aErr, bErr error
	var bLast int64
	var bSaw []*store.Item
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		aErr = s.Update(ctx, func(tx store.Tx) error {
			if _, err := tx.PutItems(ctx, []*store.Item{a1}); err != nil {
				return err
			}
			once.Do(func() { close(aInserted) })
			select { // not a speed limit: only how long B gets to overtake
			case <-bDone:
			case <-time.After(300 * time.Millisecond):
			}
			_, err := tx.PutItems(ctx, []*store.Item{a2})
			return err
		})
	}()
	go func() {
		defer wg.Done()
		defer close(bDone)
		<-aInserted
		if bErr = s.Update(ctx, func(tx store.Tx) error { _, err := tx.PutItems(ctx, []*store.Item{b}); return err }); bErr != nil {
			return
		}
		if bLast, bErr = s.LastSeq(ctx); bErr != nil {
			return
		}
		bSaw, bErr = s.ItemsInRange(ctx, all, store.Range{Lo: 1, Hi: bLast})
	}()
	wg.Wait()
	if aErr != nil || bErr != nil {
		t.Fatalf("writers: %v, %v", aErr, bErr)
	}
	if b.Seq > a1.Seq && b.Seq < a2.Seq {
		t.Errorf("B's item got seq %d between A's %d and %d: a transaction's items are not consecutive", b.Seq, a1.Seq, a2.Seq)
	}
	saw := map[int64]bool{}
	for _, it := range bSaw {
		saw[it.Seq] = true
	}
	for _, it := range []*store.Item{a1, a2, b} {
		if it.Seq <= bLast && !saw[it.Seq] {
			t.Errorf("after B committed, the log showed seq %d but not %s's seq %d below it (it committed later)", bLast, it.ID, it.Seq)
		}
	}
}

// testSeqRandom runs several writers adding small batches while a reader
// takes snapshots of the log, then checks every snapshot against the final
// log.
func testSeqRandom(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	const writers, txs, per = 4, 8, 3
	type snapshot struct {
		last int64
		seen map[int64]bool
	}
	var snaps []snapshot
	var taken atomic.Int64
	readerDone := make(chan error, 1)
	go func() {
		for ctx.Err() == nil {
			last, err := s.LastSeq(ctx)
			if err == nil {
				var items []*store.Item
				items, err = s.ItemsInRange(ctx, all, store.Range{Lo: 1, Hi: max(last, 1)})
				if err == nil {
					sn := snapshot{last: last, seen: map[int64]bool{}}
					for _, it := range items {
						sn.seen[it.Seq] = true
					}
					snaps = append(snaps, sn)
					taken.Add(1)
				}
			}
			if err != nil && ctx.Err() == nil {
				readerDone <- err
				return
			}
		}
		readerDone <- nil
	}()
	owner := map[int64]string{} // seq -> transaction
	var mu sync.Mutex
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for x := 0; x < txs; x++ {
				var batch []*store.Item
				for i := 0; i < per; i++ {
					batch = append(batch, NewRecord("seq", mosaic.KindPerson, map[string]string{"w": fmt.Sprint(w), "x": fmt.Sprint(x), "i": fmt.Sprint(i)}, nil, "P"))
				}
				if err := s.Update(ctx, func(tx store.Tx) error {
					for _, it := range batch { // one call per item, as a slow writer would
						if _, err := tx.PutItems(ctx, []*store.Item{it}); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					errs <- err
					return
				}
				mu.Lock()
				for _, it := range batch {
					owner[it.Seq] = fmt.Sprintf("w%d/t%d", w, x)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	// On a loaded machine the reader may not have finished a snapshot
	// while the writers ran: let it take one before it stops.
	for deadline := time.Now().Add(30 * time.Second); taken.Load() == 0 && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
	cancel()
	if err := <-readerDone; err != nil {
		t.Fatalf("reader: %v", err)
	}
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(owner) != writers*txs*per {
		t.Fatalf("%d distinct seqs for %d items", len(owner), writers*txs*per)
	}
	seqs := make([]int64, 0, len(owner))
	for q := range owner {
		seqs = append(seqs, q)
	}
	sort.Slice(seqs, func(i, j int) bool { return seqs[i] < seqs[j] })
	// Consecutive: once a transaction's run of seqs ends, it never resumes.
	ended := map[string]bool{}
	for i, q := range seqs {
		tx := owner[q]
		if ended[tx] {
			t.Errorf("transaction %s's items are split by another's (seq %d)", tx, q)
			break
		}
		if i > 0 && owner[seqs[i-1]] != tx {
			ended[owner[seqs[i-1]]] = true
		}
	}
	// In order: each snapshot holds every final seq up to its highest.
	bad := 0
	for _, sn := range snaps {
		for _, q := range seqs {
			if q > sn.last {
				break
			}
			if !sn.seen[q] {
				bad++
				if bad <= 3 {
					t.Errorf("a reader saw seq %d but not seq %d below it", sn.last, q)
				}
			}
		}
	}
	if len(snaps) == 0 {
		t.Error("the reader took no snapshot")
	}
}
