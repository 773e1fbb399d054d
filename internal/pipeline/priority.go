package pipeline

import (
	"context"
	"sync"
	"time"
)

// priority lets the urgent first stages (extraction and watch-list
// screening: what a screening alert waits for) go before the later ones
// when one process runs them all on the same cores and the same store
// writer. While an urgent stage is handling a message, a later stage
// waits before it loads a batch, before it commits, and whenever its
// Process calls Yield; each wait is bounded by maxYield, and a wait that
// runs out gives the later stages a pass: for the next passFor they do
// not wait at all. So they keep at least passFor/(maxYield+passFor) of the
// time even while urgent work never stops (a long upload, extraction of a
// large document), instead of one item per maxYield.
//
// Go cannot prioritise goroutines, and SQLite has one writer: without
// this, a screening batch of a few milliseconds' work waits for the CPU
// that resolution takes and for its large commits (docs/benchmarks/alerts.md).
type priority struct {
	urgent   int // stages [0, urgent) are urgent
	maxYield time.Duration
	passFor  time.Duration

	mu        sync.Mutex
	active    int           // urgent messages in progress
	idle      chan struct{} // closed while active == 0
	last      time.Time     // when urgent work last ended
	passUntil time.Time     // later stages do not wait before this
}

// recentWindow is how long after urgent work ended the later stages keep
// their batches small.
const recentWindow = time.Second

// recent reports whether urgent work is in progress or ended less than
// recentWindow ago.
func (q *priority) recent() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.active > 0 || !q.last.IsZero() && time.Since(q.last) < recentWindow
}

// HoldBacklog is how far behind the submitted items resolution must be
// for Hold to hold the later stages back: a second of a 5,000 records/s
// feed, or five seconds of one at 1,000/s.
const HoldBacklog = 10 * DefaultUrgentBatch

// maxYieldDefault bounds one wait of a later stage; passDefault is the
// pass a wait that runs out gives.
const (
	maxYieldDefault = 250 * time.Millisecond
	passDefault     = 50 * time.Millisecond
)

func newPriority(urgent int, maxYield, passFor time.Duration) *priority {
	q := &priority{urgent: urgent, maxYield: maxYield, passFor: passFor, idle: make(chan struct{})}
	close(q.idle)
	return q
}

// isUrgent reports whether stage i goes first.
func (q *priority) isUrgent(i int) bool { return q != nil && i < q.urgent }

// begin marks an urgent stage's message in progress; end undoes it.
func (q *priority) begin() {
	q.mu.Lock()
	if q.active == 0 {
		q.idle = make(chan struct{})
	}
	q.active++
	q.mu.Unlock()
}

func (q *priority) end() {
	q.mu.Lock()
	q.active--
	if q.active == 0 {
		close(q.idle)
		q.last = time.Now()
	}
	q.mu.Unlock()
}

// wait blocks a later stage while urgent work is in progress, for at most
// maxYield, unless a pass is running. It reports how long it waited.
func (q *priority) wait(ctx context.Context) time.Duration {
	q.mu.Lock()
	idle := q.idle
	pass := time.Now().Before(q.passUntil)
	q.mu.Unlock()
	if pass {
		return 0
	}
	select {
	case <-idle:
		return 0
	default:
	}
	start := time.Now()
	t := time.NewTimer(q.maxYield)
	defer t.Stop()
	select {
	case <-idle:
	case <-t.C:
		q.mu.Lock()
		q.passUntil = time.Now().Add(q.passFor)
		q.mu.Unlock()
	case <-ctx.Done():
	}
	return time.Since(start)
}

// Hold marks urgent work outside the stages in progress, such as the API
// taking in a live feed's upload: the later stages wait for it as they
// wait for an urgent stage's message. It returns the function that ends
// it. It does nothing without Config.Urgent, and nothing while the first
// later stage (resolution) is fewer than HoldBacklog items behind what was
// submitted: then the stages keep up, the feed does not compete with them
// for long, and holding them back would only delay rule alerts (at 1,000
// records/s a hold on every upload made them 3.7 times later at the
// median, docs/benchmarks/alerts.md).
func (p *Pipeline) Hold() (release func()) {
	if p == nil || p.prio == nil || p.submitted.Load()-p.laterDone.Load() < HoldBacklog {
		return func() {}
	}
	p.prio.begin()
	var once sync.Once
	return func() { once.Do(p.prio.end) }
}

type yieldKey struct{}

// withYield gives ctx the yield function for stage i's Process.
func (p *Pipeline) withYield(ctx context.Context, i int) context.Context {
	if p.prio == nil || p.prio.isUrgent(i) {
		return ctx
	}
	return context.WithValue(ctx, yieldKey{}, func(ctx context.Context) { p.yield(ctx, i) })
}

// Yield lets urgent stages go first: a stage whose Process runs long
// calls it between items. It returns at once unless the pipeline runs
// with Config.Urgent and an urgent stage is at work, and waits at most a
// quarter of a second.
func Yield(ctx context.Context) {
	if f, ok := ctx.Value(yieldKey{}).(func(context.Context)); ok {
		f(ctx)
	}
}

// yield makes a later stage wait for the urgent ones (see priority).
func (p *Pipeline) yield(ctx context.Context, i int) {
	if p.prio == nil || p.prio.isUrgent(i) {
		return
	}
	if d := p.prio.wait(ctx); d > 0 {
		p.m.yield.WithLabelValues(p.stages[i].Name()).Add(d.Seconds())
	}
}

// batch is the most items stage i takes at once now: MaxBatch, or
// UrgentBatch for a later stage while urgent work is about.
func (p *Pipeline) batch(i int) int64 {
	if p.prio != nil && !p.prio.isUrgent(i) && p.prio.recent() {
		return min(p.maxBatch, p.urgentBatch)
	}
	return p.maxBatch
}
