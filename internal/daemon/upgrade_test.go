package daemon_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/daemon"
	"github.com/mosaic-intel/mosaic/internal/extract"
	"github.com/mosaic-intel/mosaic/internal/gen"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/stages"
	"github.com/mosaic-intel/mosaic/internal/store"
)

// oldScreen is the screen stage of the older chain (extract → resolve →
// link → screen): watch-list screening, whose alerts named the entity
// resolution had put the mention in, and the alert rules, in one stage
// named screen.
type oldScreen struct {
	n *daemon.Node
}

func (oldScreen) Name() string { return pipeline.Screen }

func (s oldScreen) Process(ctx context.Context, items []*store.Item) (pipeline.Outcome, error) {
	a, err := s.n.Screen.Process(ctx, items)
	if err != nil {
		return a, err
	}
	b, err := s.n.Rules.Process(ctx, items)
	if err != nil {
		return b, err
	}
	return pipeline.Outcome{
		Write: func(ctx context.Context, tx store.Tx) error {
			if err := a.Apply(ctx, entityAlerts{Tx: tx, st: s.n.Store}); err != nil {
				return err
			}
			return b.Apply(ctx, tx)
		},
		After: func() {
			for _, f := range []func(){a.After, b.After} {
				if f != nil {
					f()
				}
			}
		},
	}, nil
}

// entityAlerts stores alerts naming entities instead of mentions, as the
// older screen stage did.
type entityAlerts struct {
	store.Tx
	st store.Store
}

func (t entityAlerts) PutAlert(ctx context.Context, a *mosaic.Alert) (bool, error) {
	if err := stages.EntitiesNow(ctx, t.st, a); err != nil {
		return false, err
	}
	return t.Tx.PutAlert(ctx, a)
}

// stageItems reads how many items each stage processed in this process.
func stageItems(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "mosaic_stage_items_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			out[stageLabel(m)] = m.GetCounter().GetValue()
		}
	}
	return out
}

func stageLabel(m *dto.Metric) string {
	for _, l := range m.GetLabel() {
		if l.GetName() == "stage" {
			return l.GetValue()
		}
	}
	return ""
}

// TestOldChainDataDirectory runs a world through the older chain, then
// opens its data directory with today's: the stages that had finished
// redo nothing, the new rules stage (no done ranges) goes over every item
// once, and no alert is lost or counted again.
func TestOldChainDataDirectory(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	world := filepath.Join(dir, "world")
	if _, err := gen.Generate(ctx, gen.Options{Out: world, People: 300, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")

	n, err := daemon.Open(ctx, daemon.Config{DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	x, err := extract.New()
	if err != nil {
		t.Fatal(err)
	}
	n.Pipeline, err = pipeline.New(pipeline.Config{Store: n.Store, Bus: n.Bus,
		Stages: []pipeline.Stage{stages.NewExtract(x), n.Resolve, n.Link, oldScreen{n}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Start(ctx); err != nil {
		t.Fatal(err)
	}
	sum := ingestWorld(ctx, t, n, world)
	before, err := n.Store.Alerts(ctx, pipeline.System, store.AlertFilter{Limit: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	if done, _ := n.Store.DoneRanges(ctx, pipeline.Rules); len(done) != 0 {
		t.Fatalf("the old chain has done ranges for rules: %v", done)
	}
	n.Close()

	reg := prometheus.NewRegistry()
	n2, err := daemon.Open(ctx, daemon.Config{DataDir: data, Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	defer n2.Close()
	if err := n2.Start(ctx); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	if err := n2.Pipeline.Wait(wctx, sum.LastSeq, nil); err != nil {
		t.Fatalf("the new chain did not finish: %v", err)
	}
	processed := stageItems(t, reg)
	for _, st := range []string{pipeline.Extract, pipeline.Screen, pipeline.Resolve, pipeline.Link} {
		if processed[st] != 0 {
			t.Errorf("stage %s redid %.0f items", st, processed[st])
		}
	}
	if want := float64(sum.Added); processed[pipeline.Rules] != want {
		t.Errorf("the rules stage took %.0f items, want every item once (%.0f)", processed[pipeline.Rules], want)
	}

	after, err := n2.Store.Alerts(ctx, pipeline.System, store.AlertFilter{Limit: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[mosaic.ID]*mosaic.Alert{}
	for _, a := range after {
		byID[a.ID] = a
	}
	var screening, rules, grown int
	for _, old := range before {
		a := byID[old.ID]
		if a == nil {
			t.Errorf("alert %s (%s) was lost", old.ID, old.Rule)
			continue
		}
		for _, r := range old.Records {
			if !slices.Contains(a.Records, r) {
				t.Errorf("alert %s lost record %s", a.ID, r)
			}
		}
		if old.Rule == stages.RuleWatchlist {
			screening++
			if a.Count != old.Count || len(a.Records) != len(old.Records) {
				t.Errorf("screening alert %s: count %d, %d records; before %d, %d", a.ID, a.Count, len(a.Records), old.Count, len(old.Records))
			}
			continue
		}
		rules++
		if a.Count != old.Count {
			grown++
		}
	}
	if screening == 0 || rules == 0 {
		t.Errorf("the old chain raised %d screening and %d rule alerts: the world tests too little", screening, rules)
	}
	t.Logf("%d screening and %d rule alerts before; after: %d alerts, %d rule alerts folded new records", screening, rules, len(after), grown)
}
