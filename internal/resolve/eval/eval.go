// Package eval measures a clustering against the truth: pairwise
// precision, recall and F1 (over all pairs of records put together), and
// B-cubed precision, recall and F1 (averaged over records).
package eval

import "fmt"

// Scores are precision, recall and F1 of one measure.
type Scores struct {
	Precision, Recall, F1 float64
}

func (s Scores) String() string {
	return fmt.Sprintf("P=%.4f R=%.4f F1=%.4f", s.Precision, s.Recall, s.F1)
}

func f1(p, r float64) float64 {
	if p+r == 0 {
		return 0
	}
	return 2 * p * r / (p + r)
}

// Report holds both measures and the counts behind the pairwise one.
type Report struct {
	Records        int
	Pairwise       Scores
	BCubed         Scores
	TruePairs      int64 // pairs in the same true cluster
	PredictedPairs int64 // pairs in the same predicted cluster
	CorrectPairs   int64 // pairs in both
}

func (r Report) String() string {
	return fmt.Sprintf("records=%d pairwise %v (true pairs %d, predicted %d, correct %d); B-cubed %v",
		r.Records, r.Pairwise, r.TruePairs, r.PredictedPairs, r.CorrectPairs, r.BCubed)
}

// Compare scores predicted cluster IDs against true cluster IDs, both by
// record ID. Only records present in both maps count.
func Compare(pred, truth map[string]string) Report {
	type cell struct{ p, t string }
	cells := map[cell]int64{}
	psize, tsize := map[string]int64{}, map[string]int64{}
	n := 0
	for id, t := range truth {
		p, ok := pred[id]
		if !ok {
			continue
		}
		n++
		cells[cell{p, t}]++
		psize[p]++
		tsize[t]++
	}
	rep := Report{Records: n}
	pairs := func(k int64) int64 { return k * (k - 1) / 2 }
	for _, k := range psize {
		rep.PredictedPairs += pairs(k)
	}
	for _, k := range tsize {
		rep.TruePairs += pairs(k)
	}
	var bp, br float64
	for c, k := range cells {
		rep.CorrectPairs += pairs(k)
		// Each of the k records in this cell has precision k/|pred| and
		// recall k/|truth|.
		bp += float64(k) * float64(k) / float64(psize[c.p])
		br += float64(k) * float64(k) / float64(tsize[c.t])
	}
	rep.Pairwise.Precision = ratio(rep.CorrectPairs, rep.PredictedPairs)
	rep.Pairwise.Recall = ratio(rep.CorrectPairs, rep.TruePairs)
	rep.Pairwise.F1 = f1(rep.Pairwise.Precision, rep.Pairwise.Recall)
	if n > 0 {
		rep.BCubed.Precision, rep.BCubed.Recall = bp/float64(n), br/float64(n)
		rep.BCubed.F1 = f1(rep.BCubed.Precision, rep.BCubed.Recall)
	}
	return rep
}

func ratio(a, b int64) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}
