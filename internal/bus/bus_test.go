package bus_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"testing"
	"time"

	"github.com/mosaic-intel/mosaic/internal/bus"
	"github.com/mosaic-intel/mosaic/internal/bus/bustest"
)

func TestEmbedded(t *testing.T) {
	bustest.Run(t, func(tb testing.TB) (*bus.Bus, func() *bus.Bus) {
		dir := tb.TempDir()
		var cur *bus.Bus
		open := func() *bus.Bus {
			b, err := bus.Embedded(context.Background(), dir, bus.Options{AckWait: 2 * time.Second})
			if err != nil {
				tb.Fatal(err)
			}
			cur = b
			return b
		}
		b := open()
		tb.Cleanup(func() { cur.Close() })
		return b, func() *bus.Bus { cur.Close(); return open() }
	})
}

// TestExternal runs the suite against the NATS server at $MOSAIC_NATS_URL
// (default nats://127.0.0.1:4222), skipping when none answers.
func TestExternal(t *testing.T) {
	url := os.Getenv("MOSAIC_NATS_URL")
	if url == "" {
		url = "nats://127.0.0.1:4222"
	}
	if c, err := net.DialTimeout("tcp", hostPort(url), time.Second); err != nil {
		t.Skipf("skipping: no NATS server at %s: %v", url, err)
	} else {
		c.Close()
	}
	n := 0
	bustest.Run(t, func(tb testing.TB) (*bus.Bus, func() *bus.Bus) {
		n++
		ns := fmt.Sprintf("t%d%d", time.Now().UnixNano()%1e9, n)
		var cur *bus.Bus
		open := func() *bus.Bus {
			b, err := bus.Connect(context.Background(), url, bus.Options{AckWait: 2 * time.Second, Namespace: ns})
			if err != nil {
				tb.Fatal(err)
			}
			cur = b
			return b
		}
		b := open()
		tb.Cleanup(func() { cur.DeleteStream(context.Background()); cur.Close() })
		return b, func() *bus.Bus { cur.Close(); return open() }
	})
}

func hostPort(url string) string {
	for _, p := range []string{"nats://", "tls://"} {
		if len(url) > len(p) && url[:len(p)] == p {
			url = url[len(p):]
		}
	}
	return url
}
