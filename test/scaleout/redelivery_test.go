package scaleout

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/daemon"
	"github.com/mosaic-intel/mosaic/internal/gen"
	"github.com/mosaic-intel/mosaic/internal/ingest"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/postgres"
	"github.com/mosaic-intel/mosaic/internal/store/postgres/pgtest"
)

// TestRedeliveryChangesNothing finishes a world with two workers, then
// delivers every stage's work again (the whole range, as a redelivery or
// a recovery would): nothing stored may change.
func TestRedeliveryChangesNothing(t *testing.T) {
	ctx := context.Background()
	world := filepath.Join(t.TempDir(), "world")
	if _, err := gen.Generate(ctx, gen.Options{Out: world, People: 60, Seed: 23}); err != nil {
		t.Fatal(err)
	}
	d := newDeployment(ctx, t)
	d.start(ctx, "w1")
	d.start(ctx, "w2")
	sum, err := ingest.New(d.store, d.pipe, ingest.Options{BatchSize: 40}).Ingest(ctx, inputs(world))
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	if err := d.pipe.Wait(wctx, sum.LastSeq, nil); err != nil {
		t.Fatal(err)
	}
	before := take(ctx, t, d.store)

	all, err := json.Marshal(pipeline.Work{Ranges: []store.Range{{Lo: 1, Hi: sum.LastSeq}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range daemon.AllStages {
		if err := d.bus.Publish(ctx, st, all, ""); err != nil {
			t.Fatal(err)
		}
	}
	d.waitFor(ctx, "the redelivered work to be taken", func() bool {
		for _, st := range daemon.AllStages {
			if n, err := d.bus.Pending(ctx, st); err != nil || n > 0 {
				return false
			}
		}
		return true
	})
	time.Sleep(time.Second) // the last message taken is acknowledged after its (empty) work
	d.stopAll()
	compare(t, take(ctx, t, d.store), before)
}

// TestConcurrentDuplicateFacts: a stateless stage's message redelivered
// while the first delivery still runs (a worker stalled past its ack
// wait) writes the same facts twice at once. The stored counters must
// count them once.
func TestConcurrentDuplicateFacts(t *testing.T) {
	ctx := context.Background()
	st, err := postgres.Open(ctx, pgtest.TestDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	id := mosaic.HashID(mosaic.PrefixRecord, "dup")
	it := &store.Item{ID: id, Source: "s", Record: &mosaic.Record{ID: id, Source: "s", Kind: mosaic.KindPerson, Fields: map[string]string{"name": "Ann Lee"}}}
	if err := st.Update(ctx, func(tx store.Tx) error { _, err := tx.PutItems(ctx, []*store.Item{it}); return err }); err != nil {
		t.Fatal(err)
	}
	m := mosaic.MentionID(id, "person")
	o := mosaic.Origin{Record: id, Field: "name"}
	facts := &store.Facts{
		Mentions:   []mosaic.Mention{{ID: m, Type: mosaic.TypePerson, Origin: id, Role: "person", Caption: "Ann Lee"}},
		Statements: []mosaic.Statement{{ID: mosaic.StatementID(m, mosaic.PropName, "Ann Lee", o), Subject: m, Type: mosaic.TypePerson, Prop: mosaic.PropName, Value: "Ann Lee", Origin: o, Source: "s"}},
	}
	start, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The first writer holds its transaction open until the second has
	// begun writing the same item.
	secondStarted := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	wg.Add(2)
	go func() {
		defer wg.Done()
		errs <- st.Update(ctx, func(tx store.Tx) error {
			if err := tx.SetFacts(ctx, it.Seq, facts); err != nil {
				return err
			}
			<-secondStarted
			time.Sleep(300 * time.Millisecond) // the second is now waiting on the row
			return nil
		})
	}()
	go func() {
		defer wg.Done()
		time.Sleep(100 * time.Millisecond) // after the first has written
		close(secondStarted)
		errs <- st.Update(ctx, func(tx store.Tx) error { return tx.SetFacts(ctx, it.Seq, facts) })
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	end, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got := end.Mentions - start.Mentions; got != 1 {
		t.Errorf("mentions counted %d times, want once", got)
	}
	if got := end.Statements - start.Statements; got != 1 {
		t.Errorf("statements counted %d times, want once", got)
	}
}
