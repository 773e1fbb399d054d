package genworld

import (
	"context"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/gen"
	"github.com/mosaic-intel/mosaic/internal/resolve"
	"github.com/mosaic-intel/mosaic/internal/resolve/eval"
)

func TestResolveGeneratedWorld(t *testing.T) {
	dir := t.TempDir()
	if _, err := gen.Generate(context.Background(), gen.Options{Out: dir, People: 2000, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	w, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Records) == 0 || len(w.Truth) != len(w.Records) {
		t.Fatalf("%d records, %d truths", len(w.Records), len(w.Truth))
	}
	w = w.Named()
	e := resolve.New(resolve.Config{})
	if err := e.AddBatch(context.Background(), w.Records); err != nil {
		t.Fatal(err)
	}
	rep := eval.Compare(e.Clusters(), w.Truth)
	t.Logf("%v", rep)
	// The floor sits below what the engine measures (see
	// docs/benchmarks/resolve.md) so that a regression fails the test.
	if rep.Pairwise.F1 < 0.96 || rep.BCubed.F1 < 0.97 || rep.Pairwise.Precision < 0.99 {
		t.Errorf("quality below the floor this test guards: %v", rep)
	}
}
