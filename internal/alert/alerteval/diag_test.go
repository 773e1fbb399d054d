package alerteval_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/alert/alerteval"
	"github.com/mosaic-intel/mosaic/internal/daemon"
	"github.com/mosaic-intel/mosaic/internal/gen"
)

// TestDiagnoseNear is error analysis, not a test: with
// MOSAIC_ALERT_DIAG=PEOPLE (and MOSAIC_ALERT_SEED, MOSAIC_ALERT_WORLD to
// reuse a generated world) it runs a world and traces every false and
// missed alert of the near_subject rules hop by hop against the truth.
func TestDiagnoseNear(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("MOSAIC_ALERT_DIAG"))
	if n == 0 {
		t.Skip("set MOSAIC_ALERT_DIAG=PEOPLE")
	}
	seed, _ := strconv.ParseUint(os.Getenv("MOSAIC_ALERT_SEED"), 10, 64)
	seed = max(seed, 1)
	ctx := context.Background()
	dir := t.TempDir()
	world := os.Getenv("MOSAIC_ALERT_WORLD")
	if world == "" {
		world = filepath.Join(dir, "world")
		if _, err := gen.Generate(ctx, gen.Options{Out: world, People: n, Seed: seed}); err != nil {
			t.Fatal(err)
		}
	}
	links, err := alerteval.LoadLinks(world)
	if err != nil {
		t.Fatal(err)
	}
	_, err = alerteval.RunWorld(ctx, alerteval.RunOptions{World: world, DataDir: filepath.Join(dir, "data"),
		Inspect: func(ctx context.Context, nd *daemon.Node, tr *alerteval.Truth, scores []alerteval.Score, rules map[string]alerteval.Rule) error {
			var b strings.Builder
			alerteval.Report(&b, scores)
			for _, s := range scores {
				for _, r := range nd.Alerts.Engine.Rules().Rules {
					if r.Name != s.Rule || r.NearSubject == nil {
						continue
					}
					fs, err := alerteval.DiagnoseNear(ctx, nd.Store, nd.Alerts.Engine, tr, links, s, rules[s.Rule])
					if err != nil {
						return err
					}
					b.WriteString("== " + s.Rule + "\n")
					alerteval.ReportFindings(&b, fs)
				}
			}
			t.Log("\n" + b.String())
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
}
