package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlite"
)

// syncBuffer is a buffer safe for a command writing while the test reads.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func alertsData(t *testing.T) (string, func(key, rec string) mosaic.ID) {
	t.Helper()
	dir := t.TempDir()
	put := func(key, rec string) mosaic.ID {
		st, err := sqlite.Open(context.Background(), filepath.Join(dir, "mosaic.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		a := &mosaic.Alert{Rule: "watchlisted_travel", Key: key, Title: "subject " + key + " travelled", Records: []mosaic.ID{mosaic.ID(rec)}, Score: 0.9}
		if err := st.Update(context.Background(), func(tx store.Tx) error { _, err := tx.PutAlert(context.Background(), a); return err }); err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	return dir, put
}

func jsonAlerts(t *testing.T, out string) []mosaic.Alert {
	t.Helper()
	var as []mosaic.Alert
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var a mosaic.Alert
		if err := json.Unmarshal(sc.Bytes(), &a); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		as = append(as, a)
	}
	return as
}

func TestAlertsListAndState(t *testing.T) {
	dir, put := alertsData(t)
	a := put("a", "rec-1")
	put("b", "rec-2")
	out, code := runCLI(t, "alerts", "--data", dir, "--json")
	if code != 0 || len(jsonAlerts(t, out)) != 2 {
		t.Fatalf("list: exit %d\n%s", code, out)
	}
	if _, code := runCLI(t, "alerts", "ack", string(a), "--data", dir); code != 2 {
		t.Errorf("ack without --why: exit %d, want 2", code)
	}
	out, code = runCLI(t, "alerts", "ack", string(a), "--why", "on it", "--who", "analyst1", "--data", dir)
	if code != 0 || !strings.Contains(out, "acknowledged") {
		t.Fatalf("ack: exit %d %s", code, out)
	}
	out, _ = runCLI(t, "alerts", "--data", dir, "--json", "--state", "acknowledged")
	as := jsonAlerts(t, out)
	if len(as) != 1 || as[0].ID != a {
		t.Fatalf("acknowledged alerts: %+v", as)
	}
	h := as[0].History[len(as[0].History)-1]
	if h.Who != "analyst1" || h.Why != "on it" || h.State != mosaic.AlertAcknowledged {
		t.Errorf("history %+v", h)
	}
	if _, code := runCLI(t, "alerts", "dismiss", "alr-nope", "--why", "x", "--data", dir); code != 1 {
		t.Errorf("dismiss of a missing alert: exit %d", code)
	}
}

// follow runs `mosaic alerts --follow` until it has printed want alerts.
func follow(t *testing.T, dir string, want int) []mosaic.Alert {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	out := &syncBuffer{}
	env := &Env{Stdout: out, Stderr: &syncBuffer{}, Getenv: func(string) string { return "" }}
	done := make(chan int)
	go func() {
		done <- Run(ctx, env, []string{"alerts", "--follow", "--json", "--cursor", "t", "--poll", "10ms", "--data", dir})
	}()
	deadline := time.After(20 * time.Second)
	for strings.Count(out.String(), "\n") < want {
		select {
		case code := <-done:
			t.Fatalf("follow exited %d", code)
		case <-deadline:
			t.Fatalf("follow printed %d alerts, want %d", strings.Count(out.String(), "\n"), want)
		case <-time.After(10 * time.Millisecond):
		}
	}
	time.Sleep(50 * time.Millisecond) // nothing more should come
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("follow exit %d", code)
	}
	return jsonAlerts(t, out.String())
}

// TestAlertsFollowResumes: a follower stopped and started again prints
// what happened meanwhile (new and folded alerts), and not what it printed
// before.
func TestAlertsFollowResumes(t *testing.T) {
	dir, put := alertsData(t)
	a := put("a", "rec-1")
	put("b", "rec-2")
	if got := follow(t, dir, 2); len(got) != 2 {
		t.Fatalf("first follow: %d alerts", len(got))
	}
	put("a", "rec-3") // folds while nobody follows
	c := put("c", "rec-4")
	got := follow(t, dir, 2)
	if len(got) != 2 || got[0].ID != a || got[0].Count != 2 || got[1].ID != c {
		t.Fatalf("after restart: %+v", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "alerts", "cursors", "t.json")); err != nil {
		t.Errorf("cursor file: %v", err)
	}
}

func TestAlertsRulesRefusesSpecialCategory(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "rules.yaml")
	os.WriteFile(f, []byte("version: 1\nrules:\n  - {name: profile, record: travel, who: passenger, subject: true, where: {ethnicity: {in: [x]}}}\n"), 0o644)
	var out, errb bytes.Buffer
	code := Run(context.Background(), &Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}, []string{"alerts", "rules", f})
	if code != 1 || !strings.Contains(errb.String(), `rule "profile"`) || !strings.Contains(errb.String(), "ethnicity") {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	out.Reset()
	if code := Run(context.Background(), &Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}, []string{"alerts", "rules", "--data", dir}); code != 0 || !strings.Contains(out.String(), "hire_near_precursor") {
		t.Fatalf("built-in rules: exit %d %s", code, out.String())
	}
}
