package resolve

import (
	"math"
	"sort"
)

// Model holds the Fellegi-Sunter parameters: for every feature and level,
// m (the chance that a matching pair is at that level) and u (the same for
// a non-matching pair), and the prior chance that a candidate pair matches.
// A pair's match weight is log2(prior/(1-prior)) plus, for every feature
// with values on both sides, log2(m/u) of its level and a term-frequency
// adjustment; its match probability is 2^w / (1 + 2^w).
//
// Probabilities are calibrated among candidate pairs (pairs that share a
// blocking key), which is where decisions are made.
type Model struct {
	Prior    float64                  `json:"prior"`
	Features map[string]*FeatureModel `json:"features"`
}

// FeatureModel holds the levels of one feature, weakest first.
type FeatureModel struct {
	Levels []Level `json:"levels"`
}

// Level is one comparison level with its m and u probabilities.
type Level struct {
	Label string  `json:"label"`
	M     float64 `json:"m"`
	U     float64 `json:"u"`
	// URandom is u among random pairs (the reference of term-frequency
	// adjustment); 0 means U.
	URandom float64 `json:"u_random,omitempty"`
}

// Default m and u per feature kind, used until parameters are estimated.
var defaultMU = [...][2][]float64{
	kindName:    {{0.02, 0.03, 0.10, 0.10, 0.20, 0.55}, {0.90, 0.07, 0.025, 0.004, 0.002, 0.0002}},
	kindDate:    {{0.03, 0.02, 0.05, 0.90}, {0.96, 0.035, 0.003, 0.002}},
	kindIdent:   {{0.002, 0.05, 0.948}, {0.9998, 0.00015, 0.00005}},
	kindAddress: {{0.20, 0.10, 0.20, 0.50}, {0.95, 0.04, 0.009, 0.001}},
	kindCountry: {{0.05, 0.95}, {0.80, 0.20}},
	kindAttr:    {{0.10, 0.10, 0.20, 0.60}, {0.90, 0.07, 0.02, 0.01}},
}

const defaultPrior = 0.05

// compiledModel is a Model laid out by feature index for scoring.
type compiledModel struct {
	prior  float64
	priorW float64
	m, u   [][]float64
	w      [][]float64 // log2(m/u)
	// uRand is u among random pairs: the reference for term-frequency
	// adjustment, which compares a value's frequency with the chance that
	// two random records agree at that level.
	uRand [][]float64
}

func defaultFeature(kind int) *FeatureModel {
	labels := kindLevels[kind]
	fm := &FeatureModel{Levels: make([]Level, len(labels))}
	for l, lab := range labels {
		fm.Levels[l] = Level{Label: lab, M: defaultMU[kind][0][l], U: defaultMU[kind][1][l]}
	}
	return fm
}

// compile lays out model for the given features, filling in defaults for
// features the model does not know.
func compileModel(m *Model, feats []featureSpec) compiledModel {
	c := compiledModel{prior: defaultPrior}
	if m != nil && m.Prior > 0 && m.Prior < 1 {
		c.prior = m.Prior
	}
	c.priorW = math.Log2(c.prior / (1 - c.prior))
	for _, f := range feats {
		fm := defaultFeature(f.kind)
		if m != nil {
			if got, ok := m.Features[f.name]; ok && len(got.Levels) == len(fm.Levels) {
				fm = got
			}
		}
		k := len(fm.Levels)
		mm, uu, ww, ur := make([]float64, k), make([]float64, k), make([]float64, k), make([]float64, k)
		for l, lv := range fm.Levels {
			mm[l], uu[l] = clampP(lv.M), clampP(lv.U)
			ww[l] = math.Log2(mm[l] / uu[l])
			ur[l] = uu[l]
			if lv.URandom > 0 {
				ur[l] = clampP(lv.URandom)
			}
		}
		c.m, c.u, c.w, c.uRand = append(c.m, mm), append(c.u, uu), append(c.w, ww), append(c.uRand, ur)
	}
	return c
}

func clampP(p float64) float64 { return max(1e-7, min(1-1e-7, p)) }

// export returns the compiled parameters as a Model.
func (c *compiledModel) export(feats []featureSpec) *Model {
	m := &Model{Prior: c.prior, Features: map[string]*FeatureModel{}}
	for f, spec := range feats {
		fm := &FeatureModel{}
		for l, lab := range kindLevels[spec.kind] {
			fm.Levels = append(fm.Levels, Level{Label: lab, M: c.m[f][l], U: c.u[f][l], URandom: c.uRand[f][l]})
		}
		m.Features[spec.name] = fm
	}
	return m
}

// pattern is a comparison vector: one level per feature, -1 for missing.
type pattern string

func patternOf(cmp []fres, buf []byte) []byte {
	buf = buf[:0]
	for _, c := range cmp {
		buf = append(buf, byte(c.level+1))
	}
	return buf
}

// estimate runs expectation-maximisation over the comparison patterns of
// candidate pairs (counts by pattern) to fit the prior and every m not in
// fixedM, and, when fitU, every u; u starts from the random-pair estimate
// in c.
//
// fixedU lists features whose u stays at its random-pair estimate whatever
// fitU says.
func (c *compiledModel) estimate(cand map[pattern]int, fitU bool, iters int, fixedM, fixedU map[int]bool) {
	type pc struct {
		p pattern
		n float64
	}
	pats := make([]pc, 0, len(cand))
	for p, n := range cand {
		// A pair compared on one feature only says nothing about how
		// that feature separates matches from non-matches (the mixture is
		// not identifiable there); such pairs would let u swallow m.
		seen := 0
		for i := 0; i < len(p); i++ {
			if p[i] != 0 {
				seen++
			}
		}
		if seen >= 2 {
			pats = append(pats, pc{p, float64(n)})
		}
	}
	sort.Slice(pats, func(i, j int) bool { return pats[i].p < pats[j].p })
	if len(pats) == 0 {
		return
	}
	nf := len(c.m)
	for it := 0; it < iters; it++ {
		mAcc, uAcc := make([][]float64, nf), make([][]float64, nf)
		for f := range nf {
			mAcc[f], uAcc[f] = make([]float64, len(c.m[f])), make([]float64, len(c.u[f]))
		}
		var sumMatch, sumAll float64
		for _, p := range pats {
			lm, lu := math.Log(c.prior), math.Log(1-c.prior)
			for f := 0; f < nf && f < len(p.p); f++ {
				l := int(p.p[f]) - 1
				if l < 0 {
					continue
				}
				lm += math.Log(c.m[f][l])
				lu += math.Log(c.u[f][l])
			}
			pm := 1 / (1 + math.Exp(lu-lm))
			sumMatch += pm * p.n
			sumAll += p.n
			for f := 0; f < nf && f < len(p.p); f++ {
				l := int(p.p[f]) - 1
				if l < 0 {
					continue
				}
				mAcc[f][l] += pm * p.n
				uAcc[f][l] += (1 - pm) * p.n
			}
		}
		c.prior = max(1e-6, min(0.999, sumMatch/sumAll))
		for f := range nf {
			if !fixedM[f] {
				normInto(c.m[f], mAcc[f])
			}
			if fitU && !fixedU[f] {
				normInto(c.u[f], uAcc[f])
			}
		}
	}
	c.reweigh()
	for f := range c.w {
		c.monotone(f)
	}
}

// monotone makes the weights of feature f non-decreasing with the level
// (pool-adjacent-violators on log2(m/u)), since a closer agreement must
// never count against a match, and then keeps "differs" from counting for
// one: EM on blocked pairs can otherwise confuse "similar names" with
// "same person".
func (c *compiledModel) monotone(f int) {
	w := c.w[f]
	type block struct {
		sum float64
		n   int
	}
	var bs []block
	for _, v := range w {
		bs = append(bs, block{v, 1})
		for len(bs) > 1 && bs[len(bs)-2].sum/float64(bs[len(bs)-2].n) > bs[len(bs)-1].sum/float64(bs[len(bs)-1].n) {
			last := bs[len(bs)-1]
			bs = bs[:len(bs)-1]
			bs[len(bs)-1].sum += last.sum
			bs[len(bs)-1].n += last.n
		}
	}
	l := 0
	for _, b := range bs {
		for range b.n {
			w[l] = b.sum / float64(b.n)
			l++
		}
	}
	w[0] = min(w[0], 0)
	// Keep m consistent with the adjusted weights (u is the reference).
	for l := range w {
		c.m[f][l] = clampP(c.u[f][l] * math.Exp2(w[l]))
	}
}

// normInto sets dst to the smoothed proportions of acc (left as is when
// acc is empty).
func normInto(dst, acc []float64) {
	s := 0.0
	for _, v := range acc {
		s += v
	}
	if s <= 0 {
		return
	}
	for l := range dst {
		dst[l] = clampP((acc[l] + 0.01) / (s + 0.01*float64(len(acc))))
	}
}

func (c *compiledModel) reweigh() {
	c.priorW = math.Log2(c.prior / (1 - c.prior))
	for f := range c.m {
		for l := range c.m[f] {
			c.w[f][l] = math.Log2(c.m[f][l] / c.u[f][l])
		}
	}
}
