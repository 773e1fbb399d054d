package storetest

import (
	"context"
	"strings"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// AlertWithdrawal checks the verdict that a rule no longer holds
// (PutAlert with State withdrawn): a new alert becomes withdrawn and
// moves on in the feed order; firing again reopens it; an alert an
// analyst acknowledged keeps its state and gets a history line instead,
// a dismissed one is left as it is; a withdrawal of an unknown alert
// stores nothing; analysts cannot set the
// state themselves.
func AlertWithdrawal(t *testing.T, open Opener) {
	s := openStore(t, open)
	ctx := context.Background()
	put := func(a *mosaic.Alert) *mosaic.Alert {
		t.Helper()
		if err := s.Update(ctx, func(tx store.Tx) error { _, err := tx.PutAlert(ctx, a); return err }); err != nil {
			t.Fatal(err)
		}
		got, err := s.Alert(ctx, all, mosaic.AlertID(a.Rule, a.Key))
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	withdraw := func(rule, key, why string) *mosaic.Alert {
		t.Helper()
		return put(&mosaic.Alert{Rule: rule, Key: key, Records: []mosaic.ID{"rec-1"}, State: mosaic.AlertWithdrawn,
			History: []mosaic.AlertChange{{State: mosaic.AlertWithdrawn, Who: "mosaic", Why: why}}})
	}
	raised := put(&mosaic.Alert{Rule: "near", Key: "rec-1", Entities: []mosaic.ID{"ent-1"}, Records: []mosaic.ID{"rec-1"}, Score: 0.7})
	if raised.State != mosaic.AlertNew {
		t.Fatalf("raised alert is %s", raised.State)
	}
	got := withdraw("near", "rec-1", "no subject within 2 hop(s)")
	last := got.History[len(got.History)-1]
	if got.State != mosaic.AlertWithdrawn || last.State != mosaic.AlertWithdrawn || last.Who != "mosaic" || last.Why != "no subject within 2 hop(s)" {
		t.Fatalf("withdrawn alert = %s, history %+v", got.State, got.History)
	}
	if got.Last.Before(raised.Last) || got.Count != 1 || len(got.Records) != 1 {
		t.Errorf("withdrawn alert: last %v (raised %v), count %d, records %v", got.Last, raised.Last, got.Count, got.Records)
	}
	if l, _ := s.Alerts(ctx, all, store.AlertFilter{State: mosaic.AlertWithdrawn}); len(l) != 1 || l[0].ID != raised.ID {
		t.Errorf("withdrawn alerts = %v", l)
	}
	// Withdrawing again adds nothing.
	if again := withdraw("near", "rec-1", "still no subject"); len(again.History) != len(got.History) {
		t.Errorf("a second withdrawal added history: %+v", again.History)
	}
	// The same records firing again reopen it.
	re := put(&mosaic.Alert{Rule: "near", Key: "rec-1", Entities: []mosaic.ID{"ent-1"}, Records: []mosaic.ID{"rec-1"}, Score: 0.7})
	if re.State != mosaic.AlertNew || re.History[len(re.History)-1].Why != mosaic.AlertHoldsAgain || re.Last.Before(got.Last) {
		t.Errorf("re-fired alert = %s, history %+v", re.State, re.History)
	}
	// New records after a withdrawal fold in and reopen it too.
	withdraw("near", "rec-1", "split")
	re = put(&mosaic.Alert{Rule: "near", Key: "rec-1", Records: []mosaic.ID{"rec-2"}})
	if re.State != mosaic.AlertNew || re.Count != 2 {
		t.Errorf("alert folded after withdrawal = %s, count %d", re.State, re.Count)
	}

	// An acknowledged alert keeps its state; its history says why.
	ack := put(&mosaic.Alert{Rule: "near", Key: "rec-9", Records: []mosaic.ID{"rec-9"}})
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.SetAlertState(ctx, ack.ID, mosaic.AlertChange{State: mosaic.AlertAcknowledged, Who: "analyst1", Why: "looking"})
	}); err != nil {
		t.Fatal(err)
	}
	got = withdraw("near", "rec-9", "no subject within 2 hop(s)")
	last = got.History[len(got.History)-1]
	if got.State != mosaic.AlertAcknowledged || last.Who != "mosaic" || !strings.HasPrefix(last.Why, mosaic.AlertNoLongerHolds) ||
		!strings.Contains(last.Why, "analyst1") || !strings.Contains(last.Why, "no subject within 2 hop(s)") {
		t.Errorf("acknowledged alert after withdrawal = %s, history %+v", got.State, got.History)
	}
	n := len(got.History)
	if again := withdraw("near", "rec-9", "x"); len(again.History) != n {
		t.Errorf("a second withdrawal of an acknowledged alert added history: %+v", again.History)
	}
	re = put(&mosaic.Alert{Rule: "near", Key: "rec-9", Records: []mosaic.ID{"rec-9"}})
	if re.State != mosaic.AlertAcknowledged || len(re.History) != n+1 || re.History[n].Why != mosaic.AlertHoldsAgain {
		t.Errorf("acknowledged alert firing again = %s, history %+v", re.State, re.History)
	}
	if again := put(&mosaic.Alert{Rule: "near", Key: "rec-9", Records: []mosaic.ID{"rec-9"}}); len(again.History) != n+1 {
		t.Errorf("a redelivery added history: %+v", again.History)
	}

	// A dismissed alert is left as it is.
	dis := put(&mosaic.Alert{Rule: "near", Key: "rec-8", Records: []mosaic.ID{"rec-8"}})
	if err := s.Update(ctx, func(tx store.Tx) error {
		return tx.SetAlertState(ctx, dis.ID, mosaic.AlertChange{State: mosaic.AlertDismissed, Who: "analyst1", Why: "namesake"})
	}); err != nil {
		t.Fatal(err)
	}
	before := put(&mosaic.Alert{Rule: "near", Key: "rec-8", Records: []mosaic.ID{"rec-8"}})
	got = withdraw("near", "rec-8", "split")
	if got.State != mosaic.AlertDismissed || len(got.History) != len(before.History) || !got.Last.Equal(before.Last) {
		t.Errorf("dismissed alert after withdrawal = %s, history %+v", got.State, got.History)
	}

	// Nothing to withdraw: nothing stored.
	if err := s.Update(ctx, func(tx store.Tx) error {
		_, err := tx.PutAlert(ctx, &mosaic.Alert{Rule: "near", Key: "rec-404", Records: []mosaic.ID{"rec-404"}, State: mosaic.AlertWithdrawn})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Alert(ctx, all, mosaic.AlertID("near", "rec-404")); !mosaic.IsNotFound(err) {
		t.Errorf("withdrawing an unknown alert stored one: %v", err)
	}
	// Only the system withdraws.
	err := s.Update(ctx, func(tx store.Tx) error {
		return tx.SetAlertState(ctx, ack.ID, mosaic.AlertChange{State: mosaic.AlertWithdrawn, Who: "analyst1", Why: "x"})
	})
	if mosaic.KindOf(err) != mosaic.KindInvalid {
		t.Errorf("an analyst set withdrawn: %v", err)
	}
}
