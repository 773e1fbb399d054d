// Package bustest is the conformance suite for the bus in both of its
// modes (embedded server, external server or cluster).
package bustest

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/mosaic-intel/mosaic/internal/bus"
)

// Opener returns a bus on a fresh namespace, and a function that closes
// it and opens a new bus on the same namespace and data (a restart).
type Opener func(tb testing.TB) (b *bus.Bus, restart func() *bus.Bus)

// Run runs the suite.
func Run(t *testing.T, open Opener) {
	t.Run("PublishConsume", func(t *testing.T) { testPublishConsume(t, open) })
	t.Run("RedeliverOnError", func(t *testing.T) { testRedeliver(t, open) })
	t.Run("SurvivesRestart", func(t *testing.T) { testRestart(t, open) })
	t.Run("SharedConsumer", func(t *testing.T) { testShared(t, open) })
	t.Run("Dedup", func(t *testing.T) { testDedup(t, open) })
}

func collect(ctx context.Context, t *testing.T, b *bus.Bus, stage string, want int, h func(string) error) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var mu sync.Mutex
	var got []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		b.Consume(ctx, stage, func(ctx context.Context, data []byte, progress func()) error {
			progress()
			if h != nil {
				if err := h(string(data)); err != nil {
					return err
				}
			}
			mu.Lock()
			got = append(got, string(data))
			if len(got) >= want {
				cancel()
			}
			mu.Unlock()
			return nil
		})
	}()
	<-done
	mu.Lock()
	defer mu.Unlock()
	if len(got) < want {
		t.Fatalf("consumed %d of %d messages on %s before timeout: %v", len(got), want, stage, got)
	}
	return got
}

func testPublishConsume(t *testing.T, open Opener) {
	b, _ := open(t)
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		if err := b.Publish(ctx, "extract", []byte(fmt.Sprint(i)), ""); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Publish(ctx, "resolve", []byte("other"), ""); err != nil {
		t.Fatal(err)
	}
	got := collect(ctx, t, b, "extract", 5, nil)
	if fmt.Sprint(got) != "[0 1 2 3 4]" {
		t.Errorf("got %v, want [0 1 2 3 4] in order", got)
	}
	if n, err := b.Pending(ctx, "extract"); err != nil || n != 0 {
		t.Errorf("extract pending = %d, %v after acks", n, err)
	}
	if n, err := b.Pending(ctx, "resolve"); err != nil || n != 1 {
		t.Errorf("resolve pending = %d, %v; other stages' work must stay", n, err)
	}
}

func testRedeliver(t *testing.T, open Opener) {
	b, _ := open(t)
	ctx := context.Background()
	if err := b.Publish(ctx, "screen", []byte("flaky"), ""); err != nil {
		t.Fatal(err)
	}
	tries := 0
	got := collect(ctx, t, b, "screen", 1, func(string) error {
		tries++
		if tries < 2 {
			return errors.New("database down")
		}
		return nil
	})
	if tries != 2 || got[0] != "flaky" {
		t.Errorf("tries = %d, got %v; want one failure then success", tries, got)
	}
}

func testRestart(t *testing.T, open Opener) {
	b, restart := open(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if err := b.Publish(ctx, "link", []byte(fmt.Sprint(i)), ""); err != nil {
			t.Fatal(err)
		}
	}
	// Consume and acknowledge one, then restart: the other two survive and
	// the acknowledged one does not come back.
	collect(ctx, t, b, "link", 1, nil)
	b2 := restart()
	got := collect(ctx, t, b2, "link", 2, nil)
	sort.Strings(got)
	if fmt.Sprint(got) != "[1 2]" {
		t.Errorf("after restart got %v, want [1 2]", got)
	}
}

func testShared(t *testing.T, open Opener) {
	b, _ := open(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	const n = 40
	for i := 0; i < n; i++ {
		if err := b.Publish(ctx, "resolve", []byte(fmt.Sprint(i)), ""); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for w := 0; w < 3; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.Consume(ctx, "resolve", func(ctx context.Context, data []byte, _ func()) error {
				mu.Lock()
				defer mu.Unlock()
				seen[string(data)]++
				if len(seen) == n {
					cancel()
				}
				return nil
			})
		}()
	}
	wg.Wait()
	if len(seen) != n {
		t.Fatalf("three consumers saw %d distinct messages, want %d", len(seen), n)
	}
	for k, c := range seen {
		if c != 1 {
			t.Errorf("message %s delivered %d times to the shared consumer", k, c)
		}
	}
}

func testDedup(t *testing.T, open Opener) {
	b, _ := open(t)
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		if err := b.Publish(ctx, "extract", []byte("same"), "batch-1"); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := b.Pending(ctx, "extract"); err != nil || n != 1 {
		t.Errorf("after publishing one message ID three times, pending = %d, %v; want 1", n, err)
	}
}
