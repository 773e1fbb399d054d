package alert_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/alert"
	"github.com/mosaic-intel/mosaic/internal/daemon"
	"github.com/mosaic-intel/mosaic/internal/gen"
	"github.com/mosaic-intel/mosaic/internal/ingest"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// TestServiceThroughPipeline runs a small world through an embedded node
// whose data directory configures a webhook, and checks that every stored
// alert reaches the (real, local) receiver.
func TestServiceThroughPipeline(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole pipeline")
	}
	ctx := context.Background()
	dir := t.TempDir()
	world := filepath.Join(dir, "world")
	if _, err := gen.Generate(ctx, gen.Options{Out: world, People: 300, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	secret := []byte("0123456789abcdef-e2e")
	rcv := newReceiver(t, secret)
	data := filepath.Join(dir, "data")
	os.MkdirAll(data, 0o750)
	os.WriteFile(filepath.Join(data, "hook.key"), secret, 0o600)
	os.WriteFile(filepath.Join(data, alert.WebhooksFile), []byte(fmt.Sprintf(
		"webhooks:\n  - {name: e2e, url: %q, secret_file: hook.key, all: true, min_backoff: 20ms}\n", rcv.srv.URL)), 0o600)

	n, err := daemon.Open(ctx, daemon.Config{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if err := n.Start(ctx); err != nil {
		t.Fatal(err)
	}
	sum, err := ingest.New(n.Store, n.Pipeline, ingest.Options{}).Ingest(ctx,
		[]string{filepath.Join(world, "watchlist"), filepath.Join(world, "records"), filepath.Join(world, "reports")})
	if err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	if err := n.Pipeline.Wait(wctx, sum.LastSeq, nil); err != nil {
		t.Fatal(err)
	}
	as, err := n.Store.Alerts(ctx, access.Local(), store.AlertFilter{Limit: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]int{}
	var want []string
	for _, a := range as {
		rules[a.Rule]++
		want = append(want, fmt.Sprintf("%s:%d", a.ID, a.Count))
	}
	for _, r := range []string{"watchlist_match", "watchlisted_travel", "prison_visit_of_concern"} {
		if rules[r] == 0 {
			t.Errorf("no %s alert (got %v)", r, rules)
		}
	}
	waitFor(t, "every alert at the webhook", func() bool { return rcv.has(want...) })
}
