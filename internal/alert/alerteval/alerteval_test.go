package alerteval_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/alert/alerteval"
	"github.com/mosaic-intel/mosaic/internal/gen"
)

// TestWorldQuality runs a small generated world through the embedded
// pipeline and scores every rule against the generator's truth, in both
// arrival orders. MOSAIC_ALERT_PEOPLE sets the world size (default 400).
func TestWorldQuality(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole pipeline")
	}
	people := 400
	if s := os.Getenv("MOSAIC_ALERT_PEOPLE"); s != "" {
		people, _ = strconv.Atoi(s)
	}
	ctx := context.Background()
	dir := t.TempDir()
	world := filepath.Join(dir, "world")
	if _, err := gen.Generate(ctx, gen.Options{Out: world, People: people, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	for _, order := range []alerteval.Order{alerteval.WatchlistFirst, alerteval.WatchlistLast} {
		t.Run(string(order), func(t *testing.T) {
			res, err := alerteval.RunWorld(ctx, alerteval.RunOptions{World: world, DataDir: filepath.Join(dir, string(order)), Order: order})
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			alerteval.Report(&b, res.Scores)
			t.Logf("%d items in %v\n%s", res.Items, res.Ingest, b.String())
			var correct, predicted, truth int
			for _, s := range res.Scores {
				for _, m := range s.Missed {
					t.Logf("missed %s %s: %s", m.ID, m.Rule, m.Description)
				}
				if len(s.FalseRecords) > 0 {
					t.Logf("%s false: %v", s.Rule, s.FalseRecords)
				}
				if s.Patterns == 0 {
					t.Errorf("%s: the world planted no pattern", s.Rule)
				}
				// Resolution decides much of what is found; each rule must
				// still find most of its patterns and raise few false alerts.
				if s.Recall < 0.6 || s.Precision < 0.6 {
					t.Errorf("%s: precision %.3f recall %.3f, want both >= 0.6", s.Rule, s.Precision, s.Recall)
				}
				correct, predicted, truth = correct+s.Correct, predicted+s.Predicted, truth+s.Truth
			}
			p, r := float64(correct)/float64(predicted), float64(correct)/float64(truth)
			t.Logf("all rules: precision %.3f recall %.3f", p, r)
			if p < 0.8 || r < 0.8 {
				t.Errorf("all rules: precision %.3f recall %.3f, want both >= 0.8", p, r)
			}
		})
	}
}
