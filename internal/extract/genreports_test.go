package extract_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/extract"
	"github.com/mosaic-intel/mosaic/internal/gen"
)

type span struct {
	file       string
	start, end int
	typ        string
}

// genScore generates worlds with `mosaic gen` and scores PER, ORG and LOC
// on their narrative reports against truth/report_mentions.csv.
func genScore(t *testing.T, x *extract.Extractor, seeds []uint64, people int) (map[string][3]int, []string) {
	counts := map[string][3]int{} // type -> gold, guessed, correct
	var misses []string
	for _, seed := range seeds {
		dir := t.TempDir()
		if _, err := gen.Generate(context.Background(), gen.Options{Out: dir, People: people, Seed: seed}); err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(filepath.Join(dir, "truth", "report_mentions.csv"))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		gold := map[span]bool{}
		files := map[string]bool{}
		for _, r := range rows[1:] {
			s, _ := strconv.Atoi(r[1])
			e, _ := strconv.Atoi(r[2])
			gold[span{r[0], s, e, r[4]}] = true
			files[r[0]] = true
		}
		reports, _ := filepath.Glob(filepath.Join(dir, "reports", "*.txt"))
		for _, p := range reports {
			rel := "reports/" + filepath.Base(p)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			text := string(b)
			res := x.Extract(text, extract.DocumentDate(text))
			found := map[span]bool{}
			for _, e := range res.Entities {
				if e.Type != extract.PER && e.Type != extract.ORG && e.Type != extract.LOC {
					continue
				}
				sp := span{rel, e.Start, e.End, e.Type}
				found[sp] = true
				c := counts[e.Type]
				c[1]++
				if gold[sp] {
					c[2]++
				} else if os.Getenv("MOSAIC_DUMP_FP") != "" {
					t.Logf("FP %s %s %q", rel, e.Type, e.Text)
				}
				counts[e.Type] = c
			}
			for g := range gold {
				if g.file != rel {
					continue
				}
				c := counts[g.typ]
				c[0]++
				counts[g.typ] = c
				if !found[g] {
					misses = append(misses, fmt.Sprintf("%s %s %q", g.file, g.typ, text[g.start:g.end]))
				}
			}
		}
	}
	sort.Strings(misses)
	return counts, misses
}

func f1(c [3]int) (p, r, f float64) {
	if c[1] > 0 {
		p = 100 * float64(c[2]) / float64(c[1])
	}
	if c[0] > 0 {
		r = 100 * float64(c[2]) / float64(c[0])
	}
	if p+r > 0 {
		f = 2 * p * r / (p + r)
	}
	return
}

// TestGeneratedReports scores the extractor on reports written by the
// world generator. It fails when PER+ORG F1 drops under the goal of 95
// (see docs/benchmarks/extract.md for the measured figures).
func TestGeneratedReports(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	x, err := extract.New()
	if err != nil {
		t.Fatal(err)
	}
	// Seeds 1-3 were looked at while the rules were written; set
	// MOSAIC_GEN_SEEDS (e.g. "4,5,6") to score worlds never looked at.
	seeds := []uint64{1, 2, 3}
	if v := os.Getenv("MOSAIC_GEN_SEEDS"); v != "" {
		seeds = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
			if err != nil {
				t.Fatalf("MOSAIC_GEN_SEEDS: %v", err)
			}
			seeds = append(seeds, n)
		}
	}
	counts, misses := genScore(t, x, seeds, 1000)
	var po [3]int
	for _, typ := range []string{extract.PER, extract.ORG, extract.LOC} {
		c := counts[typ]
		p, r, f := f1(c)
		t.Logf("%s: P %.1f R %.1f F1 %.1f (gold %d, found %d, correct %d)", typ, p, r, f, c[0], c[1], c[2])
		if typ != extract.LOC {
			for k := range po {
				po[k] += c[k]
			}
		}
	}
	p, r, f := f1(po)
	t.Logf("PER+ORG: P %.1f R %.1f F1 %.1f", p, r, f)
	if testing.Verbose() && len(misses) > 0 {
		t.Logf("missed (%d): %s", len(misses), strings.Join(misses[:min(len(misses), 40)], "; "))
	}
	if f < 95 {
		t.Errorf("PER+ORG F1 %.1f < 95", f)
	}
}
