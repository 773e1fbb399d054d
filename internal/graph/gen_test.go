package graph_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/gen"
	"github.com/mosaic-intel/mosaic/internal/graph"
)

// TestCellsOnGeneratedWorld recovers the generator's planted cells from its
// truth links (family, communication, co-travel, shared phones, visits,
// reported meetings among 5,000 people) and scores them by adjusted Rand
// index. Larger worlds: MOSAIC_LONG=1.
func TestCellsOnGeneratedWorld(t *testing.T) {
	worlds := []struct {
		people int
		seed   uint64
	}{{5000, 1}, {5000, 2}}
	if os.Getenv("MOSAIC_LONG") == "1" {
		worlds = append(worlds, struct {
			people int
			seed   uint64
		}{50000, 1})
	}
	for _, w := range worlds {
		t.Run(fmt.Sprintf("people=%d,seed=%d", w.people, w.seed), func(t *testing.T) {
			dir := t.TempDir()
			if _, err := gen.Generate(context.Background(), gen.Options{Out: dir, People: w.people, Seed: w.seed}); err != nil {
				t.Fatal(err)
			}
			lf, err := os.Open(filepath.Join(dir, "truth", "links.csv"))
			if err != nil {
				t.Fatal(err)
			}
			defer lf.Close()
			src, err := graph.ReadLinksCSV(lf)
			if err != nil {
				t.Fatal(err)
			}
			cf, err := os.Open(filepath.Join(dir, "truth", "cells.csv"))
			if err != nil {
				t.Fatal(err)
			}
			defer cf.Close()
			truth, err := graph.ReadCellsCSV(cf)
			if err != nil {
				t.Fatal(err)
			}
			g, err := graph.Load(context.Background(), src)
			if err != nil {
				t.Fatal(err)
			}
			cells, err := g.Cells(context.Background(), access.Local(), graph.CellOptions{MinSize: 3})
			if err != nil {
				t.Fatal(err)
			}
			ari := graph.CellsARI(cells, truth)
			t.Logf("%d truth cell members, %d cells found, ARI %.3f", len(truth), len(cells), ari)
			if ari < 0.9 {
				t.Errorf("ARI %.3f < 0.9", ari)
			}
		})
	}
}
