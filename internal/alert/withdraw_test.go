package alert_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/alert"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/screen"
	"github.com/mosaic-intel/mosaic/internal/stages"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlite"
	"github.com/mosaic-intel/mosaic/internal/store/sqlstore"
)

func withdrawn(as []*mosaic.Alert) []*mosaic.Alert {
	var out []*mosaic.Alert
	for _, a := range as {
		if a.State == mosaic.AlertWithdrawn {
			out = append(out, a)
		}
	}
	return out
}

// A purchase by someone resolution merges with the intermediary's
// contact (a namesake, no phone of its own) alerts; once resolution
// splits them, the alert is withdrawn; a new record that joins them again
// raises it again.
func TestAlertWithdrawnAfterSplit(t *testing.T) {
	f := newFixture(t, nil)
	chain(f)
	as := byRule(f.feed(f.buy("PUR-1", "Philippa Drummond-Achebe", "", "acetone", "2024-04-01")), "precursor_near_subject")
	if len(as) != 1 || as[0].State == mosaic.AlertWithdrawn {
		t.Fatalf("got %d precursor alerts before the split, want 1 raised", len(as))
	}
	id := mosaic.AlertID(as[0].Rule, as[0].Key)
	buyer := mosaic.MentionID(f.id("PUR-1"), "buyer")
	if _, _, err := f.res.Engine().Split(string(buyer)); err != nil {
		t.Fatal(err)
	}
	got := f.feed()
	w := withdrawn(got)
	if len(w) != 1 || mosaic.AlertID(w[0].Rule, w[0].Key) != id || !slices.Contains(w[0].Records, f.id("PUR-1")) {
		t.Fatalf("after the split: %d alerts, withdrawn %v, want the purchase's", len(got), w)
	}
	why := w[0].History[len(w[0].History)-1]
	if why.State != mosaic.AlertWithdrawn || why.Who != "mosaic" || !strings.Contains(why.Why, "no subject within 2 hop(s) of the buyer") {
		t.Errorf("withdrawal = %+v", why)
	}
	if st := f.eng.RecheckStats(); st.Withdrawn != 1 || st.Rechecked < 1 {
		t.Errorf("recheck stats %+v", st)
	}
	// Nothing changes: nothing more is withdrawn or raised.
	if more := f.feed(); len(more) != 0 {
		t.Errorf("second pass returned %d alerts", len(more))
	}
	// A call from the buyer's own phone to the intermediary: it fires
	// again (with the same anchor), so the alert is raised again.
	f.feed(f.buy("PUR-2", "Philippa Drummond-Achebe", "07700 900077", "lawn seed", "2024-04-02"))
	re := f.feed(f.call("COM-3", "+447700900077", "+447700900002"))
	ids := []mosaic.ID{}
	for _, a := range byRule(re, "precursor_near_subject") {
		if a.State != mosaic.AlertWithdrawn {
			ids = append(ids, mosaic.AlertID(a.Rule, a.Key))
		}
	}
	if !slices.Contains(ids, id) {
		t.Errorf("the alert did not fire again after the buyer was linked again: %v", ids)
	}
}

// An alert that still holds after a change to its entities is not
// withdrawn.
func TestAlertHoldingIsNotWithdrawn(t *testing.T) {
	f := newFixture(t, nil)
	chain(f)
	as := byRule(f.feed(f.buy("PUR-1", "Philippa Drummond-Achebe", "07700 900003", "acetone", "2024-04-01")), "precursor_near_subject")
	if len(as) != 1 {
		t.Fatalf("got %d precursor alerts, want 1", len(as))
	}
	// The buyer's entity grows (another record of her) and the subject's
	// too: the alert still holds.
	f.feed(f.person("PER-B2", "Philippa Drummond-Achebe", "1990-09-09", "07700 900003"),
		f.person("PER-S2", "Evander Okonkwo-Lindqvist", "1979-07-07", "07700 900001"))
	if w := withdrawn(f.feed()); len(w) != 0 {
		t.Errorf("withdrew %d holding alerts: %v", len(w), w[0].History)
	}
	// The purchase's own phone keeps the path when the buyer is split off.
	if _, _, err := f.res.Engine().Split(string(mosaic.MentionID(f.id("PUR-1"), "buyer"))); err != nil {
		t.Fatal(err)
	}
	if w := withdrawn(f.feed()); len(w) != 0 {
		t.Errorf("withdrew an alert whose path still holds: %v", w[0].History)
	}
	if st := f.eng.RecheckStats(); st.Rechecked == 0 {
		t.Errorf("nothing was re-checked: %+v", st)
	}
}

// KeepStale never withdraws (the behaviour before).
func TestKeepStale(t *testing.T) {
	f := newFixture(t, nil)
	eng, err := alert.NewEngine(alert.EngineConfig{Resolver: alert.EngineResolver{Engine: f.res.Engine()}, KeepStale: true})
	if err != nil {
		t.Fatal(err)
	}
	f.eng = eng
	chain(f)
	if as := byRule(f.feed(f.buy("PUR-1", "Philippa Drummond-Achebe", "", "acetone", "2024-04-01")), "precursor_near_subject"); len(as) != 1 {
		t.Fatalf("got %d alerts", len(as))
	}
	if _, _, err := f.res.Engine().Split(string(mosaic.MentionID(f.id("PUR-1"), "buyer"))); err != nil {
		t.Fatal(err)
	}
	if as := f.feed(); len(as) != 0 {
		t.Errorf("KeepStale returned %d alerts", len(as))
	}
}

// TestWithdrawalThroughTheRulesStage: the rules stage commits the
// engine's verdicts with its batch; the stored alert goes new ->
// withdrawn (after the split) -> new (when it fires again), and its
// history says why.
func TestWithdrawalThroughTheRulesStage(t *testing.T) {
	ctx := context.Background()
	st := tempStore(t)
	f := newFixture(t, nil)
	rules := stages.NewAlertRules(f.eng, screen.NewIndex())
	run := func(items ...*store.Item) {
		t.Helper()
		if _, err := f.res.Process(ctx, items); err != nil {
			t.Fatal(err)
		}
		out, err := rules.Process(ctx, items)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Update(ctx, func(tx store.Tx) error { return out.Apply(ctx, tx) }); err != nil {
			t.Fatal(err)
		}
	}
	stored := func(id mosaic.ID) *mosaic.Alert {
		t.Helper()
		a, err := st.Alert(ctx, pipeline.System, id)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	run(subjectTwoHopsFromBuyer(f)...)
	run(f.buy("PUR-1", "Philippa Drummond-Achebe", "", "acetone", "2024-04-01"))
	id := mosaic.AlertID("precursor_near_subject", string(f.id("PUR-1")))
	raised := stored(id)
	if raised.State != mosaic.AlertNew {
		t.Fatalf("raised alert is %s", raised.State)
	}
	if _, _, err := f.res.Engine().Split(string(mosaic.MentionID(f.id("PUR-1"), "buyer"))); err != nil {
		t.Fatal(err)
	}
	run(f.person("PER-X", "Ignatius Featherstonehaugh", "1960-01-01", "07700 900099")) // any batch re-checks
	got := stored(id)
	last := got.History[len(got.History)-1]
	if got.State != mosaic.AlertWithdrawn || last.Who != "mosaic" || !strings.Contains(last.Why, "no subject within 2 hop(s)") || !got.Last.After(raised.Last) {
		t.Fatalf("after the split the stored alert is %s, history %+v", got.State, got.History)
	}
	run(f.buy("PUR-2", "Philippa Drummond-Achebe", "07700 900077", "lawn seed", "2024-04-02"))
	run(f.call("COM-3", "+447700900077", "+447700900002"))
	re := stored(id)
	if re.State != mosaic.AlertNew || re.History[len(re.History)-1].Why != mosaic.AlertHoldsAgain {
		t.Errorf("after firing again the stored alert is %s, history %+v", re.State, re.History)
	}
	if n, _ := st.Alerts(ctx, pipeline.System, store.AlertFilter{State: mosaic.AlertWithdrawn}); len(n) != 0 {
		t.Errorf("%d alerts left withdrawn", len(n))
	}
}

// TestWithdrawalReachesFeedAndWebhooks: a withdrawal and a reopening are
// new versions of the alert in the feed (so the stream and webhooks send
// them), each with a delivery ID and event of its own.
func TestWithdrawalReachesFeedAndWebhooks(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	feed := &alert.Feed{Store: st, Principal: access.Local()}
	a := put(t, st, newAlert("a", "rec-1"))
	got, cur, err := feed.Next(ctx, alert.Cursor{})
	if err != nil || len(got) != 1 {
		t.Fatalf("first read: %v %v", got, err)
	}
	id1, ev1 := alert.DeliveryOf(got[0])
	time.Sleep(2 * time.Millisecond)
	put(t, st, &mosaic.Alert{Rule: a.Rule, Key: a.Key, Records: a.Records, State: mosaic.AlertWithdrawn,
		History: []mosaic.AlertChange{{State: mosaic.AlertWithdrawn, Who: "mosaic", Why: "split"}}})
	got, cur, _ = feed.Next(ctx, cur)
	if len(got) != 1 || got[0].State != mosaic.AlertWithdrawn {
		t.Fatalf("the withdrawal is not in the feed: %v", got)
	}
	id2, ev2 := alert.DeliveryOf(got[0])
	time.Sleep(2 * time.Millisecond)
	put(t, st, newAlert("a", "rec-1"))
	got, _, _ = feed.Next(ctx, cur)
	if len(got) != 1 || got[0].State != mosaic.AlertNew {
		t.Fatalf("the reopening is not in the feed: %v", got)
	}
	id3, ev3 := alert.DeliveryOf(got[0])
	if ev1 != "alert.raised" || ev2 != "alert.withdrawn" || ev3 != "alert.reopened" {
		t.Errorf("events %s, %s, %s", ev1, ev2, ev3)
	}
	if id1 == id2 || id2 == id3 || id1 == id3 || id1 != string(a.ID)+":1" {
		t.Errorf("delivery ids %s, %s, %s", id1, id2, id3)
	}
}

// TestWithdrawalAfterRestart: an engine restored from the store re-checks
// the stored open alerts at its first evaluation.
func TestWithdrawalAfterRestart(t *testing.T) {
	ctx := context.Background()
	st := tempStore(t)
	f := newFixture(t, nil)
	run := func(items ...*store.Item) {
		t.Helper()
		as := f.feed(items...)
		if err := st.Update(ctx, func(tx store.Tx) error {
			if _, err := tx.PutItems(ctx, items); err != nil {
				return err
			}
			for _, a := range as {
				if _, err := tx.PutAlert(ctx, a); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	run(subjectTwoHopsFromBuyer(f)...)
	run(f.buy("PUR-1", "Philippa Drummond-Achebe", "", "acetone", "2024-04-01"),
		f.buy("PUR-9", "Philippa Drummond-Achebe", "07700 900003", "acetone", "2024-04-09"))
	if l, _ := st.Alerts(ctx, pipeline.System, store.AlertFilter{Rule: "precursor_near_subject"}); len(l) != 2 {
		t.Fatalf("%d precursor alerts stored, want 2", len(l))
	}
	if _, _, err := f.res.Engine().Split(string(mosaic.MentionID(f.id("PUR-1"), "buyer"))); err != nil {
		t.Fatal(err)
	}
	eng, err := alert.NewEngine(alert.EngineConfig{Resolver: alert.EngineResolver{Engine: f.res.Engine()}})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Restore(ctx, st); err != nil {
		t.Fatal(err)
	}
	as, err := eng.Evaluate(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	w := withdrawn(as)
	if len(w) != 1 || w[0].Key != string(f.id("PUR-1")) {
		t.Fatalf("after a restart: withdrawn %v, want the purchase without a phone", w)
	}
	if st := eng.RecheckStats(); st.Rechecked != 2 || st.Open != 1 {
		t.Errorf("recheck stats %+v: want both stored alerts re-checked, one left open", st)
	}
}

// tempStore opens a new SQLite store in the test's temporary directory,
// closed when the test ends.
func tempStore(t *testing.T) *sqlstore.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// subjectTwoHopsFromBuyer is a watch-listed subject, a friend and a buyer,
// each with a phone, and calls subject -> friend -> buyer: the buyer is
// two hops from the subject.
func subjectTwoHopsFromBuyer(f *fixture) []*store.Item {
	return []*store.Item{
		f.subject("WL-7", "Evander Okonkwo-Lindqvist", "1979-07-07", "domestic-subjects"),
		f.person("PER-S", "Evander Okonkwo-Lindqvist", "1979-07-07", "07700 900001"),
		f.person("PER-F", "Casimir Vanterpool", "1985-01-15", "07700 900002"),
		f.person("PER-B", "Philippa Drummond-Achebe", "1990-09-09", "07700 900003"),
		f.call("COM-1", "+447700900001", "+447700900002"),
		f.call("COM-2", "+447700900002", "+447700900003"),
	}
}
