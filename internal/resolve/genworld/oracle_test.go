package genworld

import (
	"context"
	"os"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/gen"
)

func TestOracleBounds(t *testing.T) {
	dir := os.Getenv("MOSAIC_ORACLE") // a generated world; default: a small one
	if dir == "" {
		dir = t.TempDir()
		if _, err := gen.Generate(context.Background(), gen.Options{Out: dir, People: 400, Seed: 5}); err != nil {
			t.Fatal(err)
		}
	}
	w, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	names, err := ReadNames(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		what string
		w    *World
	}{{"named mentions", w.Named()}, {"all mentions", w}} {
		b := Oracle(tc.w, names)
		t.Logf("%s: evidence only: %v", tc.what, b.Evidence)
		t.Logf("%s: + names borne by one person: %v", tc.what, b.UniqueName)
		if b.Evidence.Pairwise.Precision != 1 || b.UniqueName.Pairwise.Precision != 1 {
			t.Errorf("%s: an oracle bound put two people together: %v / %v", tc.what, b.Evidence, b.UniqueName)
		}
		if b.UniqueName.Pairwise.Recall < b.Evidence.Pairwise.Recall || b.Evidence.Pairwise.Recall <= 0 {
			t.Errorf("%s: bounds out of order: %v / %v", tc.what, b.Evidence, b.UniqueName)
		}
	}
}
