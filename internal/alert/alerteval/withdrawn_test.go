package alerteval_test

import (
	"context"
	"path/filepath"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/alert/alerteval"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlite"
	"github.com/mosaic-intel/mosaic/internal/store/storetest"
)

// TestWithdrawnNotCounted: a withdrawn alert counts as not raised; the
// Before figures count it.
func TestWithdrawnNotCounted(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	p1 := storetest.NewRecord("t", mosaic.KindPurchase, map[string]string{"record_id": "PUR-000001"}, mosaic.Marking{})
	p2 := storetest.NewRecord("t", mosaic.KindPurchase, map[string]string{"record_id": "PUR-000002"}, mosaic.Marking{})
	err = st.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.PutItems(ctx, []*store.Item{p1, p2}); err != nil {
			return err
		}
		for _, it := range []*store.Item{p1, p2} {
			if _, err := tx.PutAlert(ctx, &mosaic.Alert{Rule: "near", Key: string(it.ID), Records: []mosaic.ID{it.ID}}); err != nil {
				return err
			}
		}
		_, err := tx.PutAlert(ctx, &mosaic.Alert{Rule: "near", Key: string(p2.ID), Records: []mosaic.ID{p2.ID}, State: mosaic.AlertWithdrawn})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	truth := &alerteval.Truth{Patterns: []alerteval.Pattern{{ID: "P1", Rule: "near", Records: []string{"PUR-000001"}}}}
	scores, err := alerteval.Evaluate(ctx, st, truth, map[string]alerteval.Rule{"near": {Kind: mosaic.KindPurchase, Who: "buyer"}})
	if err != nil {
		t.Fatal(err)
	}
	s := scores[0]
	if s.Alerts != 1 || s.Withdrawn != 1 || s.Predicted != 1 || s.Precision != 1 || s.Recall != 1 {
		t.Errorf("after withdrawal: %+v", s)
	}
	if s.BeforePredicted != 2 || s.BeforeCorrect != 1 || s.BeforePrecision != 0.5 || s.BeforeRecall != 1 {
		t.Errorf("before withdrawal: %+v", s)
	}
}
