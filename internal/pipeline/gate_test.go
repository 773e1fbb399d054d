package pipeline

import (
	"sync"
	"testing"
	"time"
)

// waitFor polls cond (under the gate's lock) until it holds.
func waitFor(t *testing.T, g *commitGate, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		g.mu.Lock()
		ok := cond()
		g.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestCommitGateEarlierStageFirst: while a commit is in progress, a late
// stage and then an early stage wait; the early one commits first,
// although it came second. Neither enters while the commit is in
// progress.
func TestCommitGateEarlierStageFirst(t *testing.T) {
	g := newCommitGate(3)
	g.enter(2)
	var (
		mu    sync.Mutex
		order []int
		wg    sync.WaitGroup
	)
	commit := func(i int) {
		defer wg.Done()
		g.enter(i)
		mu.Lock()
		order = append(order, i)
		mu.Unlock()
		g.leave()
	}
	wg.Add(2)
	go commit(2)
	waitFor(t, g, func() bool { return g.waiting[2] == 1 })
	go commit(0)
	waitFor(t, g, func() bool { return g.waiting[0] == 1 })
	mu.Lock()
	if len(order) != 0 {
		t.Errorf("%v committed while a commit was in progress", order)
	}
	mu.Unlock()
	g.leave()
	wg.Wait()
	if len(order) != 2 || order[0] != 0 || order[1] != 2 {
		t.Errorf("commit order %v, want the early stage (0) before the late one (2)", order)
	}
}
