package pairs

import (
	"os"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/shareddata"
)

func readSplit(t *testing.T, name string) []Pair {
	t.Helper()
	f, err := os.Open(shareddata.Path(t, "data/er/magellan/DBLP-ACM/"+name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ps, err := ReadMagellan(f)
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// Evaluate trains on the train split and scores the valid split.
func evaluate(t *testing.T, train, valid []Pair) (p, r, f float64) {
	fz := Featurizer{Attributes: []string{"title", "authors", "venue", "year"}}
	var xs [][]float64
	var ys []bool
	for _, p := range train {
		xs = append(xs, fz.Features(p.A, p.B))
		ys = append(ys, p.Match)
	}
	m, err := Train(xs, ys, 1000, 1e-4)
	if err != nil {
		t.Fatal(err)
	}
	var tp, fp, fn float64
	for _, q := range valid {
		pred := m.Match(fz.Features(q.A, q.B))
		switch {
		case pred && q.Match:
			tp++
		case pred:
			fp++
		case q.Match:
			fn++
		}
	}
	p, r = tp/(tp+fp), tp/(tp+fn)
	return p, r, 2 * p * r / (p + r)
}

// TestDBLPACM is the benchmark run (several seconds): MOSAIC_LONG=1.
func TestDBLPACM(t *testing.T) {
	if os.Getenv("MOSAIC_LONG") == "" {
		t.Skip("set MOSAIC_LONG=1 to train and score DBLP-ACM")
	}
	train, valid := readSplit(t, "train.txt"), readSplit(t, "valid.txt")
	p, r, f := evaluate(t, train, valid)
	t.Logf("DBLP-ACM valid: precision %.4f recall %.4f F1 %.4f (%d train, %d valid pairs)", p, r, f, len(train), len(valid))
	if f < 0.98 {
		t.Errorf("F1 %.4f < 0.98", f)
	}
}

func TestReadMagellanRejectsBadLines(t *testing.T) {
	for _, in := range []string{"COL a VAL x\tCOL a VAL y\t2\n", "only one field\n"} {
		if _, err := ReadMagellan(stringsReader(in)); err == nil {
			t.Errorf("accepted %q", in)
		}
	}
}

func FuzzReadMagellan(f *testing.F) {
	f.Add("COL title VAL a b COL year VAL 1999 \tCOL title VAL a c \t1\n")
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := ReadMagellan(stringsReader(s))
		if err != nil {
			return
		}
		fz := Featurizer{Attributes: []string{"title", "year"}}
		for _, p := range ps {
			if len(fz.Features(p.A, p.B)) != 2*perAttr {
				t.Fatal("feature vector length")
			}
		}
	})
}

func TestTrainLearnsSeparableData(t *testing.T) {
	fz := Featurizer{Attributes: []string{"name", "year"}}
	var xs [][]float64
	var ys []bool
	names := []string{"alpha beta", "gamma delta", "epsilon zeta", "eta theta", "iota kappa"}
	for i, a := range names {
		for j, b := range names {
			for _, yr := range []string{"1999", "2001"} {
				xs = append(xs, fz.Features(map[string]string{"name": a, "year": "1999"}, map[string]string{"name": b, "year": yr}))
				ys = append(ys, i == j && yr == "1999")
			}
		}
	}
	m, err := Train(xs, ys, 1000, 1e-4)
	if err != nil {
		t.Fatal(err)
	}
	for i, x := range xs {
		if m.Match(x) != ys[i] {
			t.Errorf("example %d: predicted %v, want %v (p=%.3f)", i, m.Match(x), ys[i], m.Probability(x))
		}
	}
	if _, err := Train(nil, nil, 1, 0); err == nil {
		t.Error("training on nothing succeeded")
	}
}
