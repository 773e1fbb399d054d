package httpapi

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/alert"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlite"
)

func alertServer(t *testing.T) (*httptest.Server, store.Store, *alert.Notifier) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	n := alert.NewNotifier()
	api := New(Config{Store: st})
	api.HandleAlerts(AlertsConfig{Notifier: n, Poll: time.Hour, Heartbeat: time.Hour})
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return srv, st, n
}

func putAlert(t *testing.T, st store.Store, key, rec string, marking mosaic.Marking) *mosaic.Alert {
	t.Helper()
	a := &mosaic.Alert{Rule: "r", Key: key, Title: key, Records: []mosaic.ID{mosaic.ID(rec)}, Marking: marking}
	if err := st.Update(context.Background(), func(tx store.Tx) error { _, err := tx.PutAlert(context.Background(), a); return err }); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestAlertRoutes(t *testing.T) {
	srv, st, _ := alertServer(t)
	a := putAlert(t, st, "a", "rec-1", mosaic.NewMarking("TRAVEL"))
	b := putAlert(t, st, "b", "rec-2", mosaic.NewMarking("INTEL"))
	var list struct{ Alerts []*mosaic.Alert }
	if code := get(t, srv.URL+"/api/v1/alerts", nil, &list); code != 200 || len(list.Alerts) != 2 {
		t.Fatalf("list: %d %d", code, len(list.Alerts))
	}
	if code := get(t, srv.URL+"/api/v1/alerts", map[string]string{"X-Mosaic-Clearances": "TRAVEL"}, &list); code != 200 || len(list.Alerts) != 1 || list.Alerts[0].ID != a.ID {
		t.Fatalf("list as TRAVEL: %d %v", code, list.Alerts)
	}
	if code := get(t, srv.URL+"/api/v1/alerts/"+string(b.ID), map[string]string{"X-Mosaic-Clearances": "TRAVEL"}, nil); code != 404 {
		t.Errorf("INTEL alert as TRAVEL: %d, want 404", code)
	}
	if code := get(t, srv.URL+"/api/v1/alerts?state=bogus", nil, nil); code != 400 {
		t.Errorf("bad state filter: %d", code)
	}
	post := func(id mosaic.ID, body string, hdr map[string]string) (int, *mosaic.Alert) {
		req, _ := http.NewRequest("POST", srv.URL+"/api/v1/alerts/"+string(id)+"/state", strings.NewReader(body))
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out mosaic.Alert
		json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, &out
	}
	code, got := post(a.ID, `{"state":"acknowledged","why":"looking into it"}`, nil)
	if code != 200 || got.State != mosaic.AlertAcknowledged {
		t.Fatalf("ack: %d %+v", code, got)
	}
	h := got.History[len(got.History)-1]
	if h.Who != "local" || h.Why != "looking into it" {
		t.Errorf("history %+v", h)
	}
	if code, _ := post(a.ID, `{"state":"acknowledged"}`, nil); code != 400 {
		t.Errorf("no why: %d", code)
	}
	if code, _ := post(a.ID, `{"state":"closed","why":"x"}`, nil); code != 400 {
		t.Errorf("unknown state: %d", code)
	}
	if code, _ := post(b.ID, `{"state":"dismissed","why":"x"}`, map[string]string{"X-Mosaic-Clearances": "TRAVEL"}); code != 404 {
		t.Errorf("dismissing an alert the caller cannot see: %d", code)
	}
}

type sse struct {
	resp *http.Response
	sc   *bufio.Scanner
}

func openStream(t *testing.T, url, lastID string) *sse {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return &sse{resp: resp, sc: bufio.NewScanner(resp.Body)}
}

// next reads the next alert event (id and alert).
func (s *sse) next(t *testing.T) (string, *mosaic.Alert) {
	t.Helper()
	type ev struct {
		id string
		a  *mosaic.Alert
	}
	ch := make(chan ev, 1)
	go func() {
		var id, event string
		for s.sc.Scan() {
			line := s.sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				id = line[4:]
			case strings.HasPrefix(line, "event: "):
				event = line[7:]
			case strings.HasPrefix(line, "data: ") && event == "alert":
				a := new(mosaic.Alert)
				json.Unmarshal([]byte(line[6:]), a)
				ch <- ev{id, a}
				return
			}
		}
		close(ch)
	}()
	select {
	case e, ok := <-ch:
		if !ok {
			t.Fatal("stream ended")
		}
		return e.id, e.a
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10s")
	}
	return "", nil
}

func TestAlertStream(t *testing.T) {
	srv, st, n := alertServer(t)
	old := putAlert(t, st, "old", "rec-0", nil)
	s := openStream(t, srv.URL+"/api/v1/alerts/stream", "")
	a := putAlert(t, st, "a", "rec-1", nil)
	n.Notify()
	_, got := s.next(t)
	if got.ID != a.ID {
		t.Fatalf("first event %s (%s), want the new alert, not the old one", got.Key, got.ID)
	}
	putAlert(t, st, "a", "rec-2", nil) // folds
	n.Notify()
	lastID, got := s.next(t)
	if got.ID != a.ID || got.Count != 2 {
		t.Fatalf("fold event: %s count %d", got.Key, got.Count)
	}
	s.resp.Body.Close()
	// Reconnecting with Last-Event-ID resumes after that event. Alerts of
	// the last few seconds before it may come again (at least once: a
	// transaction stamped earlier may have committed later), never the
	// event itself, and nothing is lost.
	b := putAlert(t, st, "b", "rec-3", nil)
	s2 := openStream(t, srv.URL+"/api/v1/alerts/stream", lastID)
	for {
		_, got := s2.next(t)
		if got.ID == b.ID {
			break
		}
		if got.ID == a.ID && got.Count == 2 {
			t.Fatal("the Last-Event-ID event was sent again")
		}
		if got.ID != old.ID {
			t.Fatalf("unexpected %s after reconnect", got.Key)
		}
	}
	// since=start replays everything, oldest first.
	s3 := openStream(t, srv.URL+"/api/v1/alerts/stream?since=start", "")
	if _, got := s3.next(t); got.ID != old.ID {
		t.Fatalf("since=start began with %s", got.Key)
	}
}

// FuzzParseEventID: any Last-Event-ID either parses or is refused; the
// IDs the stream sends parse back to their alert's position.
func FuzzParseEventID(f *testing.F) {
	f.Add("1719999999123456:alr-0123", int64(1719999999123456), "alr-0123")
	f.Add("x:y", int64(1), "")
	f.Fuzz(func(t *testing.T, s string, micros int64, id string) {
		parseEventID(s)
		if micros <= 0 || strings.Contains(id, ":") {
			return
		}
		a := &mosaic.Alert{ID: mosaic.ID(id), Last: time.UnixMicro(micros)}
		c, ok := parseEventID(eventID(a))
		if !ok || c.Last.UnixMicro() != micros || (id != "" && c.Seen[a.ID] != micros) {
			t.Fatalf("round trip of %q: %+v %v", eventID(a), c, ok)
		}
	})
}
