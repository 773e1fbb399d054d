package pipeline

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/mosaic-intel/mosaic/internal/store"
)

// A later stage's wait lasts while an urgent message is in progress and
// ends when it ends.
func TestPriorityWaitsForUrgentWork(t *testing.T) {
	q := newPriority(2, time.Hour, 0)
	q.begin()
	q.begin() // two urgent messages at once: both must end
	var (
		mu     sync.Mutex
		events []string
		note   = func(s string) { mu.Lock(); events = append(events, s); mu.Unlock() }
	)
	done := make(chan struct{})
	go func() {
		q.wait(context.Background())
		note("returned")
		close(done)
	}()
	time.Sleep(20 * time.Millisecond)
	note("first ended")
	q.end()
	time.Sleep(20 * time.Millisecond)
	note("second ended")
	q.end()
	<-done
	want := []string{"first ended", "second ended", "returned"}
	if len(events) != 3 || events[0] != want[0] || events[1] != want[1] || events[2] != want[2] {
		t.Fatalf("events %v, want %v", events, want)
	}
	// Idle again: no wait at all.
	if d := q.wait(context.Background()); d != 0 {
		t.Fatalf("waited %v with no urgent work", d)
	}
}

// A wait is bounded: a later stage progresses even while urgent work
// never ends, and a cancelled context ends it too.
func TestPriorityWaitIsBounded(t *testing.T) {
	q := newPriority(1, 5*time.Millisecond, 0)
	q.begin()
	for range 3 {
		if d := q.wait(context.Background()); d <= 0 {
			t.Fatalf("wait %v: expected a (bounded) wait while urgent work runs", d)
		}
	}
	q2 := newPriority(1, time.Hour, 0)
	q2.begin()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	q2.wait(ctx) // returns: the context is done
}

// A wait that runs out gives a pass: while it lasts the later stages do
// not wait, so urgent work that never ends cannot hold them to one step
// per wait; after it they wait again.
func TestPriorityPassAfterWaitRunsOut(t *testing.T) {
	q := newPriority(1, 5*time.Millisecond, 200*time.Millisecond)
	q.begin()
	if d := q.wait(context.Background()); d <= 0 {
		t.Fatalf("first wait %v: expected a wait while urgent work runs", d)
	}
	if d := q.wait(context.Background()); d != 0 {
		t.Fatalf("wait right after one ran out: %v, want none (the pass)", d)
	}
	time.Sleep(250 * time.Millisecond)
	if d := q.wait(context.Background()); d <= 0 {
		t.Fatalf("wait after the pass: %v, want a wait again", d)
	}
	// A wait that ends because urgent work ended gives no pass.
	q2 := newPriority(1, time.Hour, time.Hour)
	q2.begin()
	go func() { time.Sleep(10 * time.Millisecond); q2.end() }()
	q2.wait(context.Background())
	q2.begin()
	defer q2.end()
	returned := make(chan struct{})
	go func() { q2.wait(context.Background()); close(returned) }()
	select {
	case <-returned:
		t.Fatal("a wait ended by idle urgent work gave a pass")
	case <-time.After(30 * time.Millisecond):
	}
}

// Hold makes the later stages wait like an urgent message does, once
// they have fallen HoldBacklog items behind, and its release (idempotent)
// lets them go; without Urgent it is a no-op.
func TestHold(t *testing.T) {
	p := &Pipeline{prio: newPriority(1, time.Hour, 0)}
	p.submitted.Store(HoldBacklog - 1)
	p.Hold()() // resolution is not far behind: no hold
	if p.prio.active != 0 {
		t.Fatal("held while the later stages keep up")
	}
	p.submitted.Store(HoldBacklog + 10)
	p.laterDone.Store(5)
	release := p.Hold()
	returned := make(chan struct{})
	go func() { p.prio.wait(context.Background()); close(returned) }()
	select {
	case <-returned:
		t.Fatal("a later stage did not wait for held work")
	case <-time.After(30 * time.Millisecond):
	}
	release()
	release()
	<-returned
	if p.prio.active != 0 {
		t.Fatalf("%d urgent works still active after release", p.prio.active)
	}
	(&Pipeline{}).Hold()()
	var none *Pipeline
	none.Hold()()
}

// Only the stages after the urgent ones yield, and only with Urgent set.
func TestYieldOnlyForLaterStages(t *testing.T) {
	var stages []Stage
	for _, n := range Order[:4] {
		stages = append(stages, namedStage(n))
	}
	p := &Pipeline{prio: newPriority(2, time.Hour, 0), m: newMetrics(nil), stages: stages}
	p.prio.begin()
	defer p.prio.end()
	for i := range 2 {
		Yield(p.withYield(context.Background(), i)) // urgent: must not block
	}
	Yield(context.Background()) // no yield function: must not block
	ctx, cancel := context.WithCancel(context.Background())
	returned := make(chan struct{})
	go func() {
		Yield(p.withYield(ctx, 2))
		close(returned)
	}()
	select {
	case <-returned:
		t.Fatal("stage 2 did not wait for the urgent work")
	case <-time.After(30 * time.Millisecond):
	}
	cancel()
	<-returned
}

type namedStage string

func (s namedStage) Name() string { return string(s) }
func (namedStage) Process(context.Context, []*store.Item) (Outcome, error) {
	return Outcome{}, nil
}

// Later stages take small batches while urgent work is about, and full
// ones once it has been quiet for a while; urgent stages always take full
// ones.
func TestBatchWhileUrgent(t *testing.T) {
	p := &Pipeline{prio: newPriority(2, time.Hour, 0), maxBatch: 4000, urgentBatch: 500}
	if got := p.batch(3); got != 4000 {
		t.Fatalf("no urgent work yet: batch %d, want 4000", got)
	}
	p.prio.begin()
	if got := p.batch(3); got != 500 {
		t.Fatalf("urgent work in progress: batch %d, want 500", got)
	}
	if got := p.batch(1); got != 4000 {
		t.Fatalf("urgent stage: batch %d, want 4000", got)
	}
	p.prio.end()
	if got := p.batch(3); got != 500 {
		t.Fatalf("urgent work just ended: batch %d, want 500", got)
	}
	p.prio.mu.Lock()
	p.prio.last = time.Now().Add(-2 * recentWindow)
	p.prio.mu.Unlock()
	if got := p.batch(3); got != 4000 {
		t.Fatalf("quiet for a while: batch %d, want 4000", got)
	}
	if got := (&Pipeline{maxBatch: 4000}).batch(3); got != 4000 {
		t.Fatalf("no priority: batch %d, want 4000", got)
	}
}
