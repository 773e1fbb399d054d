package pipeline_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/bus"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlite"
	"github.com/mosaic-intel/mosaic/internal/store/sqlstore"
)

func TestSubtract(t *testing.T) {
	r := func(lo, hi int64) store.Range { return store.Range{Lo: lo, Hi: hi} }
	for _, tc := range []struct {
		name    string
		a, b    []store.Range
		want    []store.Range
		covered int64 // of b up to 10
	}{
		{"nothing done", []store.Range{r(1, 10)}, nil, []store.Range{r(1, 10)}, 0},
		{"all done", []store.Range{r(1, 10)}, []store.Range{r(1, 10)}, nil, 10},
		{"done beyond", []store.Range{r(3, 5)}, []store.Range{r(1, 20)}, nil, 10},
		{"hole", []store.Range{r(1, 10)}, []store.Range{r(1, 3), r(6, 10)}, []store.Range{r(4, 5)}, 8},
		{"head and tail", []store.Range{r(1, 10)}, []store.Range{r(4, 6)}, []store.Range{r(1, 3), r(7, 10)}, 3},
		{"two ranges, one done", []store.Range{r(1, 3), r(7, 9)}, []store.Range{r(7, 9)}, []store.Range{r(1, 3)}, 3},
		{"done before", []store.Range{r(5, 6)}, []store.Range{r(1, 2)}, []store.Range{r(5, 6)}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := pipeline.Subtract(tc.a, tc.b); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Subtract(%v, %v) = %v, want %v", tc.a, tc.b, got, tc.want)
			}
			if got := pipeline.Covered(tc.b, 10); got != tc.covered {
				t.Errorf("Covered(%v, 10) = %d, want %d", tc.b, got, tc.covered)
			}
		})
	}
}

// env is a real store and an embedded bus in a temporary directory.
type env struct {
	st  *sqlstore.Store
	bus *bus.Bus
	reg *prometheus.Registry
}

func newEnv(t *testing.T) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := sqlite.Open(ctx, filepath.Join(dir, "mosaic.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	b, err := bus.Embedded(ctx, filepath.Join(dir, "nats"), bus.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	return &env{st: st, bus: b, reg: prometheus.NewRegistry()}
}

// record returns a record item with one person mention and its name.
func record(i int) *store.Item {
	fields := map[string]string{"name": fmt.Sprintf("Person %d", i)}
	id := mosaic.RecordID("test", mosaic.KindPerson, fields)
	m := mosaic.MentionID(id, "person")
	o := mosaic.Origin{Record: id, Field: "name"}
	return &store.Item{ID: id, Source: "test", Record: &mosaic.Record{ID: id, Source: "test", Kind: mosaic.KindPerson, Fields: fields},
		Facts: &store.Facts{
			Mentions:   []mosaic.Mention{{ID: m, Type: mosaic.TypePerson, Origin: id, Role: "person", Caption: fields["name"]}},
			Statements: []mosaic.Statement{{ID: mosaic.StatementID(m, mosaic.PropName, fields["name"], o), Subject: m, Type: mosaic.TypePerson, Prop: mosaic.PropName, Value: fields["name"], Origin: o, Source: "test"}},
		}}
}

// document returns a document item without facts.
func document(i int) *store.Item {
	text := fmt.Sprintf("Report %d.", i)
	id := mosaic.DocumentID([]byte(text))
	return &store.Item{ID: id, Source: "reports", Document: &mosaic.Document{ID: id, Source: "reports", Title: "r", Text: text, MediaType: "text/plain", Raw: []byte(text)}}
}

// put stores items in one batch and returns their ranges.
func (e *env) put(t *testing.T, items ...*store.Item) []store.Range {
	t.Helper()
	if err := e.st.Update(context.Background(), func(tx store.Tx) error {
		_, err := tx.PutItems(context.Background(), items)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var out []store.Range
	for _, it := range items {
		if n := len(out); n > 0 && out[n-1].Hi+1 == it.Seq {
			out[n-1].Hi = it.Seq
			continue
		}
		out = append(out, store.Range{Lo: it.Seq, Hi: it.Seq})
	}
	return out
}

// submitBatches stores batches of n items (every docEvery-th a document,
// the rest records), submits each as it is stored, waits for the
// pipeline, and returns the stored items.
func (e *env) submitBatches(t *testing.T, p *pipeline.Pipeline, batches, n, docEvery int) []*store.Item {
	t.Helper()
	ctx := context.Background()
	var last int64
	for b := range batches {
		var items []*store.Item
		for i := range n {
			if i%docEvery == 0 {
				items = append(items, document(100*b+i))
			} else {
				items = append(items, record(100*b+i))
			}
		}
		rs := e.put(t, items...)
		last = rs[len(rs)-1].Hi
		if err := p.Submit(ctx, rs); err != nil {
			t.Fatal(err)
		}
	}
	wait(t, p, last)
	fresh, err := e.st.ItemsInRange(ctx, pipeline.System, store.Range{Lo: 1, Hi: last})
	if err != nil {
		t.Fatal(err)
	}
	return fresh
}

// factSetter gives every document a fact naming its text, as extraction
// does.
type factSetter struct{ name string }

func (s factSetter) Name() string { return s.name }

func (s factSetter) Process(_ context.Context, items []*store.Item) (pipeline.Outcome, error) {
	facts := map[int64]*store.Facts{}
	for _, it := range items {
		if it.Document == nil {
			continue
		}
		m := mosaic.MentionID(it.ID, "e0")
		o := mosaic.Origin{Document: it.ID, Start: 0, End: len(it.Document.Text)}
		facts[it.Seq] = &store.Facts{
			Mentions:   []mosaic.Mention{{ID: m, Type: mosaic.TypeMisc, Origin: it.ID, Role: "e0", Caption: it.Document.Text}},
			Statements: []mosaic.Statement{{ID: mosaic.StatementID(m, mosaic.PropName, it.Document.Text, o), Subject: m, Type: mosaic.TypeMisc, Prop: mosaic.PropName, Value: it.Document.Text, Origin: o, Source: it.Source}},
		}
	}
	return pipeline.Outcome{Write: func(ctx context.Context, tx store.Tx) error {
		for seq, f := range facts {
			if err := tx.SetFacts(ctx, seq, f); err != nil {
				return err
			}
		}
		return nil
	}}, nil
}

// recorder keeps every item it is given and counts its batches; delay,
// if set, holds up its first batch.
type recorder struct {
	name    string
	mu      sync.Mutex
	seen    map[int64]*store.Item
	times   map[int64]int // how often each item was processed
	batches int
	delay   time.Duration
}

func newRecorder(name string) *recorder {
	return &recorder{name: name, seen: map[int64]*store.Item{}, times: map[int64]int{}}
}

func (r *recorder) Name() string { return r.name }

func (r *recorder) Process(_ context.Context, items []*store.Item) (pipeline.Outcome, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.batches == 0 && r.delay > 0 {
		time.Sleep(r.delay)
	}
	r.batches++
	for _, it := range items {
		r.seen[it.Seq] = it
		r.times[it.Seq]++
	}
	return pipeline.Outcome{}, nil
}

func (r *recorder) count() (items, batches int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.seen), r.batches
}

// run starts p and returns a function that stops it.
func run(t *testing.T, p *pipeline.Pipeline) func() {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	}
}

func wait(t *testing.T, p *pipeline.Pipeline, upTo int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := p.Wait(ctx, upTo, nil); err != nil {
		t.Fatalf("Wait: %v", err)
	}
}

// TestHandedItemsEqualStored checks that what a stage is handed by the
// stage before it is exactly what it would read from the store, including
// the items the stage before changed, and that items are handed on.
func TestHandedItemsEqualStored(t *testing.T) {
	e := newEnv(t)
	rec := newRecorder("second")
	third := newRecorder("third")
	p, err := pipeline.New(pipeline.Config{Store: e.st, Bus: e.bus, Stages: []pipeline.Stage{factSetter{"first"}, rec, third}, Registry: e.reg, MaxBatch: 10})
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, p)
	defer stop()
	fresh := e.submitBatches(t, p, 3, 25, 5)
	for _, r := range []*recorder{rec, third} {
		if n, _ := r.count(); n != len(fresh) {
			t.Fatalf("%s saw %d items, want %d", r.name, n, len(fresh))
		}
		for _, it := range fresh {
			got := r.seen[it.Seq]
			if it.Document != nil && (it.Facts == nil || len(it.Facts.Mentions) != 1) {
				t.Fatalf("document %d has no facts in the store: %+v", it.Seq, it.Facts)
			}
			if !reflect.DeepEqual(got, it) {
				t.Errorf("%s: item %d handed as\n%+v\nstored as\n%+v", r.name, it.Seq, got, it)
			}
		}
	}
	handed := loads(t, e.reg, "second", "handed") + loads(t, e.reg, "third", "handed")
	if handed == 0 {
		t.Error("no batch was handed on: every stage read the store")
	}
}

// loads returns the value of mosaic_stage_loads_total{stage, from}.
func loads(t *testing.T, reg *prometheus.Registry, stage, from string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "mosaic_stage_loads_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["stage"] == stage && labels["from"] == from {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

// TestLaggingStageCatchesUp holds up the second stage while work queues
// behind it: it then takes on what the first stage has finished in
// larger batches, processes every item exactly once, and the third stage
// still sees every item as stored.
func TestLaggingStageCatchesUp(t *testing.T) {
	e := newEnv(t)
	first, second, third := newRecorder("first"), newRecorder("second"), newRecorder("third")
	second.delay = 500 * time.Millisecond
	p, err := pipeline.New(pipeline.Config{Store: e.st, Bus: e.bus, Stages: []pipeline.Stage{first, second, third}, Registry: e.reg, MaxBatch: 40})
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, p)
	defer stop()
	const messages = 12
	fresh := e.submitBatches(t, p, messages, 10, 10)
	for _, r := range []*recorder{first, second, third} {
		r.mu.Lock()
		for _, it := range fresh {
			if n := r.times[it.Seq]; n != 1 {
				t.Errorf("%s processed item %d %d times, want once", r.name, it.Seq, n)
			}
			if !reflect.DeepEqual(r.seen[it.Seq], it) {
				t.Errorf("%s: item %d is not as stored", r.name, it.Seq)
			}
		}
		r.mu.Unlock()
	}
	if _, b := second.count(); b >= messages {
		t.Errorf("the lagging stage ran %d batches for %d messages: it did not catch up in larger ones", b, messages)
	}
	if _, b := first.count(); b != messages {
		t.Errorf("the first stage ran %d batches, want one per message (%d): it must not look ahead", b, messages)
	}
}

// TestNoLookAheadAcrossProcesses: a process that runs a stage but not the
// one before it (a worker sharing the stage's work with others) takes on
// only the work it is given, however far the stage before it has gone.
func TestNoLookAheadAcrossProcesses(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	first, second := newRecorder("first"), newRecorder("second")
	second.delay = 300 * time.Millisecond
	p, err := pipeline.New(pipeline.Config{Store: e.st, Bus: e.bus, Stages: []pipeline.Stage{first, second}, MaxBatch: 100})
	if err != nil {
		t.Fatal(err)
	}
	const messages = 6
	var all []store.Range
	for b := range messages {
		all = append(all, e.put(t, record(10*b), record(10*b+1), record(10*b+2))...)
	}
	// The first stage finished everything in another process.
	if err := e.st.Update(ctx, func(tx store.Tx) error {
		return tx.MarkDone(ctx, "first", store.Range{Lo: 1, Hi: all[len(all)-1].Hi})
	}); err != nil {
		t.Fatal(err)
	}
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.RunStage(rctx, 1) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	for _, r := range all {
		if err := e.bus.Publish(ctx, "second", []byte(fmt.Sprintf(`{"ranges":[{"lo":%d,"hi":%d}]}`, r.Lo, r.Hi)), ""); err != nil {
			t.Fatal(err)
		}
	}
	wait(t, p, all[len(all)-1].Hi)
	if n, b := second.count(); n != 3*messages || b != messages {
		t.Errorf("second stage processed %d items in %d batches, want %d in %d (one per message)", n, b, 3*messages, messages)
	}
}

// TestNoHandOnReadsStore checks the pipeline with handing on switched off
// gives the stages the same items.
func TestNoHandOnReadsStore(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	rec := newRecorder("second")
	p, err := pipeline.New(pipeline.Config{Store: e.st, Bus: e.bus, Stages: []pipeline.Stage{factSetter{"first"}, rec}, Registry: e.reg, HandOn: -1})
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, p)
	defer stop()
	rs := e.put(t, record(1), document(2), record(3))
	if err := p.Submit(ctx, rs); err != nil {
		t.Fatal(err)
	}
	wait(t, p, rs[len(rs)-1].Hi)
	if n, _ := rec.count(); n != 3 {
		t.Fatalf("second stage saw %d items, want 3", n)
	}
	if got := loads(t, e.reg, "second", "handed"); got != 0 {
		t.Errorf("%v batches handed on with HandOn < 0", got)
	}
	if it := rec.seen[rs[0].Lo+1]; it.Facts == nil {
		t.Error("the second stage did not see the facts the first stage set")
	}
}

// TestRedeliveryChangesNothing submits the same work again: no stage
// processes finished items twice.
func TestRedeliveryChangesNothing(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	first, second := newRecorder("first"), newRecorder("second")
	p, err := pipeline.New(pipeline.Config{Store: e.st, Bus: e.bus, Stages: []pipeline.Stage{first, second}})
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, p)
	defer stop()
	rs := e.put(t, record(1), record(2), record(3))
	if err := p.Submit(ctx, rs); err != nil {
		t.Fatal(err)
	}
	wait(t, p, rs[0].Hi)
	_, b1 := first.count()
	_, b2 := second.count()
	// Publish again under another message ID (as recovery does), and a
	// marker batch behind it to know the redelivery has passed.
	if err := e.bus.Publish(ctx, "first", []byte(fmt.Sprintf(`{"ranges":[{"lo":%d,"hi":%d}]}`, rs[0].Lo, rs[0].Hi)), ""); err != nil {
		t.Fatal(err)
	}
	marker := e.put(t, record(4))
	if err := p.Submit(ctx, marker); err != nil {
		t.Fatal(err)
	}
	wait(t, p, marker[0].Hi)
	if _, b := first.count(); b != b1+1 {
		t.Errorf("first stage ran %d batches after the redelivery, want %d (the marker only)", b, b1+1)
	}
	if _, b := second.count(); b != b2+1 {
		t.Errorf("second stage ran %d batches after the redelivery, want %d (the marker only)", b, b2+1)
	}
	if n, _ := second.count(); n != 4 {
		t.Errorf("second stage saw %d items, want 4", n)
	}
}

// TestRecoverFinishesLostWork marks work done for the first stage only,
// as a crash between its commit and its publish leaves it, and checks
// that Run recovers the second stage's work.
func TestRecoverFinishesLostWork(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	rs := e.put(t, record(1), record(2), record(3), record(4))
	if err := e.st.Update(ctx, func(tx store.Tx) error { return tx.MarkDone(ctx, "first", rs[0]) }); err != nil {
		t.Fatal(err)
	}
	first, second := newRecorder("first"), newRecorder("second")
	p, err := pipeline.New(pipeline.Config{Store: e.st, Bus: e.bus, Stages: []pipeline.Stage{first, second}})
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, p)
	defer stop()
	wait(t, p, rs[0].Hi)
	if n, _ := first.count(); n != 0 {
		t.Errorf("first stage redid %d finished items", n)
	}
	if n, _ := second.count(); n != 4 {
		t.Errorf("second stage saw %d items, want 4", n)
	}
}

// TestWaitReportsWhatIsLeft checks the numbers Wait reports against the
// store over ranges with gaps, and that it returns once all is done.
func TestWaitReportsWhatIsLeft(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	// 5,000 items in three batches, with a duplicate in each using up a
	// seq (gaps), so that counting crosses whole and partial blocks.
	for b := range 3 {
		var items []*store.Item
		for i := range 1700 {
			items = append(items, record(b*10000+i))
		}
		e.put(t, items...)
		e.put(t, items[0], record(b*10000+5000)) // one known (uses a seq up), one new
	}
	last, err := e.st.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want, err := e.st.CountInRange(ctx, store.Range{Lo: 1, Hi: last})
	if err != nil {
		t.Fatal(err)
	}
	if want != 3*1701 {
		t.Fatalf("stored %d items, want %d", want, 3*1701)
	}
	first := newRecorder("first")
	p, err := pipeline.New(pipeline.Config{Store: e.st, Bus: e.bus, Stages: []pipeline.Stage{first}})
	if err != nil {
		t.Fatal(err)
	}
	// Before anything runs: Wait reports every item once, then gives up
	// at the deadline.
	var reports []int64
	wctx, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	err = p.Wait(wctx, last, func(stage string, left int64) { reports = append(reports, left) })
	cancel()
	if err == nil {
		t.Fatal("Wait returned with nothing processed")
	}
	if len(reports) == 0 || reports[0] != want {
		t.Fatalf("first report %v, want %d left", reports, want)
	}
	for _, n := range reports {
		if n != want {
			t.Fatalf("reports %v changed with nothing processed", reports)
		}
	}
	// Part done: the report counts what is left exactly.
	done := store.Range{Lo: 1, Hi: 2500}
	if err := e.st.Update(ctx, func(tx store.Tx) error { return tx.MarkDone(ctx, "first", done) }); err != nil {
		t.Fatal(err)
	}
	left, err := e.st.CountInRange(ctx, store.Range{Lo: 2501, Hi: last})
	if err != nil {
		t.Fatal(err)
	}
	reports = nil
	wctx, cancel = context.WithTimeout(ctx, 300*time.Millisecond)
	_ = p.Wait(wctx, last, func(stage string, n int64) { reports = append(reports, n) })
	cancel()
	if len(reports) == 0 || reports[0] != left {
		t.Fatalf("reports %v with 1..2500 done, want %d left", reports, left)
	}
	// Running: Wait returns, and its last report is 0.
	stop := run(t, p)
	defer stop()
	if err := p.Submit(ctx, []store.Range{{Lo: 2501, Hi: last}}); err != nil {
		t.Fatal(err)
	}
	reports = nil
	wctx, cancel = context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := p.Wait(wctx, last, func(stage string, n int64) { reports = append(reports, n) }); err != nil {
		t.Fatal(err)
	}
	if reports[len(reports)-1] != 0 {
		t.Errorf("last report %d, want 0", reports[len(reports)-1])
	}
	if n, _ := first.count(); int64(n) != left {
		t.Errorf("stage saw %d items, want %d", n, left)
	}
	idle, err := p.Idle(ctx, last)
	if err != nil || !idle {
		t.Errorf("Idle = %v, %v after Wait", idle, err)
	}
}

// orderRecorder is a recorder that also keeps the order it saw items in,
// and says whether it is Ordered.
type orderRecorder struct {
	*recorder
	ordered bool
	order   []int64
}

func (r *orderRecorder) Ordered() bool { return r.ordered }

func (r *orderRecorder) Process(ctx context.Context, items []*store.Item) (pipeline.Outcome, error) {
	r.mu.Lock()
	for _, it := range items {
		r.order = append(r.order, it.Seq)
	}
	r.mu.Unlock()
	return r.recorder.Process(ctx, items)
}

// TestOrderedStageTakesEarlierItemsFirst: when the work for later items
// arrives before the work for earlier ones (as after a crash, when the
// message a dead process had taken comes back last), an Ordered stage
// still sees the items in Seq order; a stage that is not Ordered sees
// them in delivery order (the control that shows the test can fail).
func TestOrderedStageTakesEarlierItemsFirst(t *testing.T) {
	for _, ordered := range []bool{true, false} {
		t.Run(fmt.Sprintf("ordered=%v", ordered), func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t)
			var items []*store.Item
			for i := range 8 {
				items = append(items, record(i))
			}
			rs := e.put(t, items...)
			all := rs[0]
			if err := e.st.Update(ctx, func(tx store.Tx) error { return tx.MarkDone(ctx, "first", all) }); err != nil {
				t.Fatal(err)
			}
			// The later half's work is in the stream before the earlier half's.
			for _, r := range []store.Range{{Lo: all.Lo + 4, Hi: all.Hi}, {Lo: all.Lo, Hi: all.Lo + 3}} {
				data, err := json.Marshal(pipeline.Work{Ranges: []store.Range{r}})
				if err != nil {
					t.Fatal(err)
				}
				if err := e.bus.Publish(ctx, "second", data, ""); err != nil {
					t.Fatal(err)
				}
			}
			first := newRecorder("first")
			second := &orderRecorder{recorder: newRecorder("second"), ordered: ordered}
			p, err := pipeline.New(pipeline.Config{Store: e.st, Bus: e.bus, Stages: []pipeline.Stage{first, second}, Registry: e.reg})
			if err != nil {
				t.Fatal(err)
			}
			stop := run(t, p)
			defer stop()
			wait(t, p, all.Hi)
			second.mu.Lock()
			defer second.mu.Unlock()
			inOrder := slices.IsSorted(second.order)
			if len(second.order) != 8 {
				t.Fatalf("the stage saw %d items (%v), want each of 8 once", len(second.order), second.order)
			}
			if ordered && !inOrder {
				t.Errorf("an Ordered stage saw items in the order %v, want Seq order", second.order)
			}
			if !ordered && inOrder {
				t.Errorf("a stage that is not Ordered saw %v: the later work should have come first", second.order)
			}
		})
	}
}

// TestOldChainDataUpgrades opens a store written by the older chain
// (extract → resolve → link → screen, where screen also ran the rules)
// with today's (extract → screen → resolve → link → rules): a first batch
// every old stage finished, and a second that a crash left after resolve.
// Nothing finished is redone; the screen and link stages finish the
// second batch; the new rules stage, which has no done ranges, takes
// every item once, in order.
func TestOldChainDataUpgrades(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t)
	var one, two []*store.Item
	for i := range 6 {
		one = append(one, record(i))
		two = append(two, record(100+i))
	}
	two = append(two, document(1))
	r1, r2 := e.put(t, one...)[0], e.put(t, two...)[0]
	if err := e.st.Update(ctx, func(tx store.Tx) error {
		for _, st := range []string{pipeline.Extract, pipeline.Resolve, pipeline.Link, pipeline.Screen} {
			if err := tx.MarkDone(ctx, st, r1); err != nil {
				return err
			}
		}
		for _, st := range []string{pipeline.Extract, pipeline.Resolve} {
			if err := tx.MarkDone(ctx, st, r2); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	recs := map[string]*orderRecorder{}
	var chain []pipeline.Stage
	for _, name := range pipeline.Order {
		r := &orderRecorder{recorder: newRecorder(name), ordered: name != pipeline.Extract && name != pipeline.Link}
		recs[name] = r
		chain = append(chain, r)
	}
	p, err := pipeline.New(pipeline.Config{Store: e.st, Bus: e.bus, Stages: chain})
	if err != nil {
		t.Fatal(err)
	}
	stop := run(t, p)
	defer stop()
	wait(t, p, r2.Hi)
	seqs := func(rs ...store.Range) []int64 {
		var out []int64
		for _, r := range rs {
			for s := r.Lo; s <= r.Hi; s++ {
				out = append(out, s)
			}
		}
		return out
	}
	want := map[string][]int64{
		pipeline.Extract: nil,
		pipeline.Screen:  seqs(r2),
		pipeline.Resolve: nil,
		pipeline.Link:    seqs(r2),
		pipeline.Rules:   seqs(r1, r2),
	}
	for _, name := range pipeline.Order {
		r := recs[name]
		r.mu.Lock()
		got := slices.Clone(r.order)
		twice := 0
		for _, n := range r.times {
			if n > 1 {
				twice++
			}
		}
		r.mu.Unlock()
		if !slices.Equal(got, want[name]) {
			t.Errorf("stage %s processed %v, want %v", name, got, want[name])
		}
		if twice > 0 {
			t.Errorf("stage %s processed %d items twice", name, twice)
		}
	}
}

// TestFirstStageLooksAhead: items stored after the pipeline started, in
// three transactions of which only the first is submitted. With
// FirstLooksAhead the first stage takes all three in one batch; without,
// it takes the submitted ones only (the control).
func TestFirstStageLooksAhead(t *testing.T) {
	for _, ahead := range []bool{true, false} {
		t.Run(fmt.Sprintf("ahead=%v", ahead), func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t)
			first := newRecorder("first")
			p, err := pipeline.New(pipeline.Config{Store: e.st, Bus: e.bus, Stages: []pipeline.Stage{first}, FirstLooksAhead: ahead, CommitFirst: true})
			if err != nil {
				t.Fatal(err)
			}
			stop := run(t, p)
			defer stop()
			// One item first, so that Run's Recover is over.
			warm := e.put(t, record(99))
			if err := p.Submit(ctx, warm); err != nil {
				t.Fatal(err)
			}
			wait(t, p, warm[0].Hi)
			first.mu.Lock()
			first.seen, first.batches = map[int64]*store.Item{}, 0
			first.mu.Unlock()
			var rs []store.Range
			for b := range 3 {
				rs = append(rs, e.put(t, record(10*b), record(10*b+1))...)
			}
			if err := p.Submit(ctx, rs[:1]); err != nil {
				t.Fatal(err)
			}
			wait(t, p, rs[0].Hi)
			n, batches := first.count()
			if ahead && (n != 6 || batches != 1) {
				t.Errorf("the first stage took %d items in %d batches, want all 6 in one", n, batches)
			}
			if !ahead && n != 2 {
				t.Errorf("without look-ahead the first stage took %d items, want the 2 submitted", n)
			}
		})
	}
}
