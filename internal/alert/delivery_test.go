package alert_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/alert"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlite"
)

func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "mosaic.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func put(t *testing.T, st store.Store, a *mosaic.Alert) *mosaic.Alert {
	t.Helper()
	err := st.Update(context.Background(), func(tx store.Tx) error {
		_, err := tx.PutAlert(context.Background(), a)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func newAlert(key, rec string) *mosaic.Alert {
	return &mosaic.Alert{Rule: "test_rule", Key: key, Title: "t " + key, Records: []mosaic.ID{mosaic.ID(rec)}, Score: 0.5}
}

func TestFeedOrderFoldAndCursor(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	feed := &alert.Feed{Store: st, Principal: access.Local()}
	a := put(t, st, newAlert("a", "rec-1"))
	time.Sleep(2 * time.Millisecond)
	b := put(t, st, newAlert("b", "rec-2"))
	got, cur, err := feed.Next(ctx, alert.Cursor{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != a.ID || got[1].ID != b.ID {
		t.Fatalf("first read: %v", ids(got))
	}
	if got, _, _ := feed.Next(ctx, cur); len(got) != 0 {
		t.Fatalf("nothing new, got %v", ids(got))
	}
	// A fold (new evidence) moves the alert to the end of the feed.
	time.Sleep(2 * time.Millisecond)
	put(t, st, newAlert("a", "rec-3"))
	got, cur, _ = feed.Next(ctx, cur)
	if len(got) != 1 || got[0].ID != a.ID || got[0].Count != 2 {
		t.Fatalf("after fold: %v", got)
	}
	// An alert stamped before the cursor but committed after it (a slower
	// transaction) is still read, within the grace window.
	late := newAlert("late", "rec-4")
	late.First, late.Last = cur.Last.Add(-time.Second), cur.Last.Add(-time.Second)
	put(t, st, late)
	// The cursor survives a restart through its file.
	cf := alert.CursorFile(filepath.Join(t.TempDir(), "c", "x.json"))
	if err := cf.Save(cur); err != nil {
		t.Fatal(err)
	}
	cur2, err := cf.Load()
	if err != nil {
		t.Fatal(err)
	}
	got, _, _ = feed.Next(ctx, cur2)
	if len(got) != 1 || got[0].Key != "late" {
		t.Fatalf("late commit: %v", ids(got))
	}
}

func ids(as []*mosaic.Alert) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Key+"@"+strconv.Itoa(a.Count))
	}
	return out
}

// receiver is a real HTTP server that fails while down is set, and
// records the deliveries it accepts.
type receiver struct {
	t      *testing.T
	secret []byte
	mu     sync.Mutex
	down   bool
	fails  int
	got    map[string]int // delivery ID -> times received
	alerts map[mosaic.ID]bool
	srv    *httptest.Server
}

func newReceiver(t *testing.T, secret []byte) *receiver {
	r := &receiver{t: t, secret: secret, got: map[string]int{}, alerts: map[mosaic.ID]bool{}}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		ts, _ := strconv.ParseInt(req.Header.Get("X-Mosaic-Timestamp"), 10, 64)
		if !alert.VerifySignature(r.secret, ts, body, req.Header.Get("X-Mosaic-Signature")) {
			t.Errorf("bad signature on %s", req.Header.Get("X-Mosaic-Delivery"))
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.down {
			r.fails++
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		var d alert.Delivery
		if err := json.Unmarshal(body, &d); err != nil || d.ID != req.Header.Get("X-Mosaic-Delivery") {
			t.Errorf("delivery body %s: %v", body, err)
		}
		r.got[d.ID]++
		r.alerts[d.Alert.ID] = true
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) set(down bool) {
	r.mu.Lock()
	r.down = down
	r.mu.Unlock()
}

func (r *receiver) has(ids ...string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		if r.got[id] == 0 {
			return false
		}
	}
	return true
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func runDeliverer(t *testing.T, st store.Store, hook *alert.Webhook, dir string, n *alert.Notifier) (stop func()) {
	t.Helper()
	d, err := alert.NewDeliverer(alert.DelivererConfig{Webhook: hook, Store: st, Notifier: n, Dir: dir, Poll: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := d.Run(ctx); err != nil {
			t.Error(err)
		}
	}()
	return func() { cancel(); <-done }
}

// TestWebhookRetriesAndRestart delivers to a real local server that
// fails at first, then across a restart of the deliverer while the
// server is down: every alert arrives, signed, at least once.
func TestWebhookRetriesAndRestart(t *testing.T) {
	st := openStore(t)
	secret := []byte("0123456789abcdef-secret")
	rcv := newReceiver(t, secret)
	rcv.set(true)
	hook := &alert.Webhook{Name: "soc", URL: rcv.srv.URL, Secret: secret, All: true,
		MinBackoff: alert.Duration(10 * time.Millisecond), MaxBackoff: alert.Duration(80 * time.Millisecond)}
	dir := t.TempDir()
	n := alert.NewNotifier()
	stop := runDeliverer(t, st, hook, dir, n)
	a := put(t, st, newAlert("a", "rec-1"))
	b := put(t, st, newAlert("b", "rec-2"))
	n.Notify()
	waitFor(t, "failed attempts", func() bool { rcv.mu.Lock(); defer rcv.mu.Unlock(); return rcv.fails >= 4 })
	rcv.set(false)
	waitFor(t, "delivery after failures", func() bool { return rcv.has(string(a.ID)+":1", string(b.ID)+":1") })

	// Restart while the receiver is down, with undelivered alerts in the
	// outbox and one raised while the deliverer is stopped.
	rcv.set(true)
	c := put(t, st, newAlert("c", "rec-3"))
	n.Notify()
	waitFor(t, "c in the outbox", func() bool {
		b, _ := os.ReadFile(filepath.Join(dir, "webhook-soc.json"))
		return json.Valid(b) && len(b) > 0 && containsID(b, c.ID)
	})
	stop()
	put(t, st, newAlert("a", "rec-4")) // a folds while nobody delivers
	d := put(t, st, newAlert("d", "rec-5"))
	rcv.set(false)
	stop = runDeliverer(t, st, hook, dir, alert.NewNotifier())
	defer stop()
	waitFor(t, "deliveries after restart", func() bool {
		return rcv.has(string(c.ID)+":1", string(d.ID)+":1", string(a.ID)+":2")
	})
}

func containsID(b []byte, id mosaic.ID) bool {
	var ob alert.Outbox
	if json.Unmarshal(b, &ob) != nil {
		return false
	}
	for _, p := range ob.Pending {
		if p.Alert == id {
			return true
		}
	}
	return false
}

func TestWebhookClearances(t *testing.T) {
	st := openStore(t)
	secret := []byte("0123456789abcdef-secret")
	rcv := newReceiver(t, secret)
	hook := &alert.Webhook{Name: "partner", URL: rcv.srv.URL, Secret: secret, Clearances: []string{"TRAVEL"},
		MinBackoff: alert.Duration(10 * time.Millisecond)}
	n := alert.NewNotifier()
	stop := runDeliverer(t, st, hook, t.TempDir(), n)
	defer stop()
	secretAlert := newAlert("s", "rec-1")
	secretAlert.Marking = mosaic.NewMarking("INTEL")
	put(t, st, secretAlert)
	ok := newAlert("t", "rec-2")
	ok.Marking = mosaic.NewMarking("TRAVEL")
	put(t, st, ok)
	n.Notify()
	waitFor(t, "the travel alert", func() bool { return rcv.has(string(ok.ID) + ":1") })
	time.Sleep(100 * time.Millisecond)
	rcv.mu.Lock()
	defer rcv.mu.Unlock()
	if rcv.alerts[secretAlert.ID] {
		t.Error("an INTEL alert went to a receiver cleared for TRAVEL only")
	}
}

func TestLoadWebhooks(t *testing.T) {
	dir := t.TempDir()
	if hs, err := alert.LoadWebhooks(dir); err != nil || len(hs) != 0 {
		t.Fatalf("no file: %v %v", hs, err)
	}
	os.WriteFile(filepath.Join(dir, "hook.key"), []byte("0123456789abcdef0123\n"), 0o600)
	os.WriteFile(filepath.Join(dir, alert.WebhooksFile), []byte("webhooks:\n  - {name: soc, url: 'https://soc.example/hook', secret_file: hook.key, all: true}\n"), 0o600)
	hs, err := alert.LoadWebhooks(dir)
	if err != nil || len(hs) != 1 || string(hs[0].Secret) != "0123456789abcdef0123" {
		t.Fatalf("%v %v", hs, err)
	}
	os.WriteFile(filepath.Join(dir, alert.WebhooksFile), []byte("webhooks:\n  - {name: soc, url: 'https://soc.example/hook'}\n"), 0o600)
	if _, err := alert.LoadWebhooks(dir); err == nil {
		t.Error("a webhook without a secret loaded")
	}
}
