package sqlstore

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Checkpoints behind the commits
//
// A write-ahead log (SQLite's WAL) must be copied back into the database
// from time to time: a checkpoint. Left to SQLite, the transaction whose
// commit takes the log past a threshold runs the checkpoint inside its
// commit, so whichever writer is unlucky (often an upload the caller is
// waiting for) pays for copying and syncing everything the pipeline wrote
// before it. With Options.Checkpoint the dialect turns that off and the
// store runs the checkpoint from a goroutine of its own, on a reader
// connection, at most every Options.CheckpointEvery while commits arrive.
// SQLite's passive checkpoint takes no write lock: the writer keeps
// committing to the log meanwhile. Durability is the log's and does not
// change: a committed transaction is in the synced log whether or not it
// has been copied back.

// DefaultCheckpointEvery is Options.CheckpointEvery's default.
const DefaultCheckpointEvery = 250 * time.Millisecond

// checkpointer runs Options.Checkpoint behind the commits.
type checkpointer struct {
	run     func(ctx context.Context) error
	every   time.Duration
	wake    chan struct{}
	ctx     context.Context
	cancel  context.CancelFunc
	stopped chan struct{}
	runs    atomic.Int64
	failed  atomic.Int64
	counter *prometheus.CounterVec
}

func startCheckpointer(run func(context.Context) error, every time.Duration, counter *prometheus.CounterVec) *checkpointer {
	if every <= 0 {
		every = DefaultCheckpointEvery
	}
	c := &checkpointer{run: run, every: every, wake: make(chan struct{}, 1), stopped: make(chan struct{}), counter: counter}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	go c.loop()
	return c
}

// committed tells the checkpointer that the log has grown.
func (c *checkpointer) committed() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer close(c.stopped)
	for {
		select {
		case <-c.ctx.Done():
			return
		case <-c.wake:
		}
		// Let the commits of the next moment gather, so that a page
		// written again and again is copied once.
		t := time.NewTimer(c.every)
		select {
		case <-c.ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		if err := c.run(c.ctx); err != nil {
			// The log only grows until the next checkpoint succeeds;
			// nothing committed is at risk.
			c.failed.Add(1)
			c.counter.WithLabelValues("failed").Inc()
			continue
		}
		c.runs.Add(1)
		c.counter.WithLabelValues("ok").Inc()
	}
}

// close stops the goroutine (the dialect's close checkpoints what is
// left).
func (c *checkpointer) close() {
	c.cancel()
	<-c.stopped
}

// CheckpointStats reports how many checkpoints the store ran behind the
// commits and how many failed (Options.Checkpoint; zero without it).
func (s *Store) CheckpointStats() (runs, failed int64) {
	if s.ckpt == nil {
		return 0, 0
	}
	return s.ckpt.runs.Load(), s.ckpt.failed.Load()
}
