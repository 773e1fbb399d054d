package cluster_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/mosaic-intel/mosaic/internal/bus"
	"github.com/mosaic-intel/mosaic/internal/bus/bustest"
	"github.com/mosaic-intel/mosaic/internal/bus/cluster"
)

func connect(tb testing.TB, c *cluster.Cluster, ns string) *bus.Bus {
	tb.Helper()
	opts := bus.Options{Replicas: 3, AckWait: 2 * time.Second, Namespace: ns}
	if os.Getenv("MOSAIC_NATS_LOG") != "" { // the bus's warnings and fetch errors, for diagnosis
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	b, err := bus.Connect(context.Background(), c.URL(), opts)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// TestBusConformance runs the bus suite on the cluster with streams and
// consumers replicated three times. A restart closes the client, restarts
// one node (a different one each time) and reconnects.
func TestBusConformance(t *testing.T) {
	runConformance(t, false)
}

// TestBusConformanceRollingRestart is the same with a rolling restart of
// all three nodes, one after another. It is opt-in (MOSAIC_LONG=1): in 7 of
// 20 runs here, the two messages that were delivered but not acknowledged
// before the restart were not redelivered within the suite's 30 s after
// it, although the stream and consumer state had survived (see the report
// in docs/storage.md).
func TestBusConformanceRollingRestart(t *testing.T) {
	if os.Getenv("MOSAIC_LONG") == "" {
		t.Skip("set MOSAIC_LONG=1 to run (known to fail sometimes: see the doc comment)")
	}
	runConformance(t, true)
}

func runConformance(t *testing.T, rolling bool) {
	c := cluster.Start(t)
	n := 0
	bustest.Run(t, func(tb testing.TB) (*bus.Bus, func() *bus.Bus) {
		n++
		ns := fmt.Sprintf("conf%d", n)
		cur := connect(tb, c, ns)
		tb.Cleanup(func() { cur.DeleteStream(context.Background()); cur.Close() })
		restarts := 0
		return cur, func() *bus.Bus {
			cur.Close()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			nodes := []int{(n + restarts) % cluster.Size}
			if rolling {
				nodes = []int{0, 1, 2}
			}
			restarts++
			for _, i := range nodes {
				c.Stop(i)
				if err := c.Restart(ctx, i); err != nil {
					tb.Fatal(err)
				}
			}
			cur = connect(tb, c, ns)
			return cur
		}
	})
}

// TestPublishThroughNodeRestart publishes without pause while the stream's
// leader is stopped and started again. A publish that fails is retried
// with the same message ID (the stream drops the copy if the first try was
// stored after all). Afterwards every publish that returned nil is
// consumed exactly once.
func TestPublishThroughNodeRestart(t *testing.T) {
	c := cluster.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	b := connect(t, c, "fault")
	defer b.Close()
	if err := b.Publish(ctx, "resolve", []byte("warm-up"), "warm-up"); err != nil {
		t.Fatal(err)
	}
	leader := streamLeader(ctx, t, c, "MOSAIC_WORK_FAULT")
	t.Logf("stream leader: %s", c.Names()[leader])

	const before, after, most = 100, 100, 5000
	var (
		mu        sync.Mutex
		acked     = map[string]bool{"warm-up": true}
		attempted = map[string]bool{"warm-up": true}
		failures  int
	)
	progress := make(chan int, most)
	restarted := make(chan struct{})
	pubDone := make(chan struct{})
	go func() {
		defer close(pubDone)
		sinceRestart := -1
		for i := 0; i < most && sinceRestart < after && ctx.Err() == nil; i++ {
			id := fmt.Sprintf("m%05d", i)
			mu.Lock()
			attempted[id] = true
			mu.Unlock()
			for try := 0; try < 20 && ctx.Err() == nil; try++ {
				pctx, pcancel := context.WithTimeout(ctx, 3*time.Second)
				err := b.Publish(pctx, "resolve", []byte(id), id)
				pcancel()
				mu.Lock()
				if err == nil {
					acked[id] = true
				} else {
					failures++
				}
				mu.Unlock()
				if err == nil {
					break
				}
			}
			progress <- i
			select {
			case <-restarted:
				sinceRestart++
			default:
			}
		}
	}()
	waitFor := func(k int) {
		for i := range progress {
			if i >= k {
				return
			}
		}
	}
	waitFor(before)
	c.Stop(leader)
	// Keep publishing while the node is down: until 50 more messages went
	// through, or a few seconds passed if none can.
	deadline := time.After(5 * time.Second)
wait:
	for k := 0; k < 50; {
		select {
		case <-progress:
			k++
		case <-deadline:
			break wait
		}
	}
	if err := c.Restart(ctx, leader); err != nil {
		t.Fatal(err)
	}
	close(restarted)
	go func() {
		for range progress { // drain so the publisher never blocks
		}
	}()
	<-pubDone
	close(progress)
	mu.Lock()
	t.Logf("%d messages acknowledged, %d attempted, %d failed attempts", len(acked), len(attempted), failures)
	want := len(acked)
	mu.Unlock()
	if want < before+after {
		t.Fatalf("only %d publishes were acknowledged", want)
	}

	// Consume everything once the node is back.
	seen := map[string]int{}
	cctx, ccancel := context.WithTimeout(ctx, time.Minute)
	defer ccancel()
	b.Consume(cctx, "resolve", func(_ context.Context, data []byte, _ func()) error {
		mu.Lock()
		defer mu.Unlock()
		seen[string(data)]++
		done := true
		for id := range acked {
			if seen[id] == 0 {
				done = false
				break
			}
		}
		if done {
			ccancel()
		}
		return nil
	})
	mu.Lock()
	defer mu.Unlock()
	lost := 0
	for id := range acked {
		switch n := seen[id]; {
		case n == 0:
			lost++
			if lost <= 5 {
				t.Errorf("acknowledged message %s was never consumed", id)
			}
		case n > 1:
			t.Errorf("message %s consumed %d times", id, n)
		}
	}
	if lost > 0 {
		t.Errorf("%d of %d acknowledged messages lost", lost, len(acked))
	}
	for id, n := range seen {
		if !attempted[id] {
			t.Errorf("consumed %q, which nobody published", id)
		}
		if n > 1 && !acked[id] {
			t.Errorf("unacknowledged message %s consumed %d times", id, n)
		}
	}
	// With work-queue retention the stream drops a message once its ack
	// is applied, which on a replicated stream can trail the ack's reply
	// by a moment: wait for the count to settle, then look at whatever is
	// left. Anything still there is a message delivered again after its
	// ack (a double) or one never delivered (a loss).
	var left uint64
	var perr error
	for range 60 {
		if left, perr = b.Pending(ctx, "resolve"); perr == nil && left == 0 {
			return
		}
		time.Sleep(500 * time.Millisecond)
	}
	extra := map[string]int{}
	xctx, xcancel := context.WithTimeout(ctx, 10*time.Second)
	defer xcancel()
	b.Consume(xctx, "resolve", func(_ context.Context, data []byte, _ func()) error {
		extra[string(data)]++
		if uint64(len(extra)) >= left {
			xcancel()
		}
		return nil
	})
	t.Errorf("pending after consuming everything: %d, %v; left in the stream: %v", left, perr, extra)
}

// streamLeader returns the index of the node leading stream.
func streamLeader(ctx context.Context, t *testing.T, c *cluster.Cluster, stream string) int {
	t.Helper()
	nc, err := nats.Connect(c.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	s, err := js.Stream(ctx, stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if info.Cluster == nil || c.Index(info.Cluster.Leader) < 0 {
		t.Fatalf("stream %s has no leader among %v: %+v", stream, c.Names(), info.Cluster)
	}
	if n := len(info.Cluster.Replicas) + 1; n != cluster.Size {
		t.Errorf("stream %s has %d copies, want %d", stream, n, cluster.Size)
	}
	return c.Index(info.Cluster.Leader)
}
