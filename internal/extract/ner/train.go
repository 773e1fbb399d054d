package ner

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/mosaic-intel/mosaic/internal/extract/conll"
	"github.com/mosaic-intel/mosaic/internal/extract/gazetteer"
)

// LabeledDoc is a training document: its sentences and their gold entities.
type LabeledDoc struct {
	Doc  Doc
	Gold [][]Entity
}

// DocsFromCoNLL reads the documents of a CoNLL file (any IOB scheme).
func DocsFromCoNLL(f *conll.File, cols conll.Columns) []LabeledDoc {
	out := make([]LabeledDoc, 0, len(f.Documents))
	for _, d := range f.Documents {
		var ld LabeledDoc
		for _, s := range d.Sentences {
			ld.Doc = append(ld.Doc, f.Words(s, cols))
			ld.Gold = append(ld.Gold, FromTags(f.Tags(s, cols)))
		}
		out = append(out, ld)
	}
	return out
}

// TrainOptions configure Train.
type TrainOptions struct {
	Bits   uint  // log2 of the number of feature buckets (default 20)
	Epochs int   // passes over the data per model (default 8)
	Folds  int   // jackknife folds for the second pass; 0 trains one pass only
	Seed   int64 // shuffling seed (default 1)
	Log    io.Writer
	Meta   map[string]string
}

func (o *TrainOptions) defaults() {
	if o.Bits == 0 {
		o.Bits = 20
	}
	if o.Epochs == 0 {
		o.Epochs = 8
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
}

// Train learns a tagger from train, printing dev scores after each epoch
// when dev is non-empty. Training is deterministic for fixed options.
func Train(ctx context.Context, train, dev []LabeledDoc, g *gazetteer.Gazetteer, o TrainOptions) (*Tagger, error) {
	o.defaults()
	if o.Bits < 8 || o.Bits > 24 {
		return nil, fmt.Errorf("train: bits %d out of range 8..24", o.Bits)
	}
	f := featurizer{bits: o.Bits, gaz: g}
	start := time.Now()
	infos := make([]*docInfo, len(train))
	for i, d := range train {
		infos[i] = f.prepare(d.Doc)
	}
	all := make([]int, len(train))
	for i := range all {
		all[i] = i
	}
	set := newSampleSet(&f, train, infos, all, nil)
	fmt.Fprintf(o.Log, "featurised %d docs, %d sentences in %v\n", len(train), len(set.sents), time.Since(start).Round(time.Millisecond))

	t := &Tagger{f: f, Meta: o.Meta}
	var err error
	if t.m1, err = trainModel(ctx, set, o, "pass 1", func(m *model) *Tagger {
		return &Tagger{f: f, m1: m}
	}, dev); err != nil {
		return nil, err
	}
	if o.Folds < 2 {
		return t, nil
	}
	// Jackknife: first-pass labels for each training document from a model
	// that did not see it, so the second pass learns how far to trust them.
	jack := make([][][]int, len(train))
	for k := 0; k < o.Folds; k++ {
		var in, out []int
		for i := range train {
			if i%o.Folds == k {
				out = append(out, i)
			} else {
				in = append(in, i)
			}
		}
		sub := newSampleSet(&f, train, infos, in, nil)
		m, err := trainModel(ctx, sub, o, fmt.Sprintf("fold %d/%d", k+1, o.Folds), nil, nil)
		if err != nil {
			return nil, err
		}
		ft := &Tagger{f: f, m1: m}
		for _, i := range out {
			jack[i] = ft.labels(train[i].Doc)
		}
	}
	set2 := newSampleSet(&f, train, infos, all, jack)
	if t.m2, err = trainModel(ctx, set2, o, "pass 2", func(m *model) *Tagger {
		return &Tagger{f: f, m1: t.m1, m2: m}
	}, dev); err != nil {
		return nil, err
	}
	fmt.Fprintf(o.Log, "trained in %v\n", time.Since(start).Round(time.Millisecond))
	return t, nil
}

// sample is one training sentence: features per token and gold labels.
type sample struct {
	feats [][]uint32
	gold  []int
}

type sampleSet struct {
	sents []sample
}

// newSampleSet featurises the sentences of docs idx; with jack non-nil the
// second-pass features are added from the jackknifed first-pass labels.
func newSampleSet(f *featurizer, docs []LabeledDoc, infos []*docInfo, idx []int, jack [][][]int) *sampleSet {
	set := &sampleSet{}
	b := &fb{bits: f.bits}
	for _, di := range idx {
		d := docs[di]
		var agg *aggregate
		if jack != nil {
			agg = newAggregate(infos[di], jack[di])
		}
		for s, words := range d.Doc {
			n := len(words)
			if n == 0 {
				continue
			}
			b.out = nil
			offs := make([]int, n+1)
			for i := 0; i < n; i++ {
				offs[i] = len(b.out)
				f.token(infos[di], s, i, b)
				if agg != nil {
					f.stage2(infos[di], agg, s, i, b)
				}
			}
			offs[n] = len(b.out)
			sm := sample{feats: make([][]uint32, n), gold: encode(n, d.Gold[s])}
			for i := 0; i < n; i++ {
				sm.feats[i] = b.out[offs[i]:offs[i+1]:offs[i+1]]
			}
			set.sents = append(set.sents, sm)
		}
	}
	return set
}

// trainModel runs the averaged structured perceptron over set. When mk and
// dev are given, the dev score is logged after every epoch.
func trainModel(ctx context.Context, set *sampleSet, o TrainOptions, name string, mk func(*model) *Tagger, dev []LabeledDoc) (*model, error) {
	nl := NumLabels
	rows := 1 << o.Bits
	w := make([]float32, rows*nl)
	u := make([]float64, rows*nl) // sum of c*delta, for averaging
	tr := make([]float32, (nl+1)*nl)
	tu := make([]float64, (nl+1)*nl)
	c := 1.0
	rng := rand.New(rand.NewPCG(uint64(o.Seed), 0x5eed))
	order := make([]int, len(set.sents))
	for i := range order {
		order[i] = i
	}
	var em []float32
	pred := []int{}
	upd := func(b uint32, l int, d float32) {
		k := int(b)*nl + l
		w[k] += d
		u[k] += c * float64(d)
	}
	updT := func(a, b int, d float32) {
		k := (a+1)*nl + b
		tr[k] += d
		tu[k] += c * float64(d)
	}
	var final *model
	for ep := 1; ep <= o.Epochs; ep++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		t0 := time.Now()
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		mistakes := 0
		for _, si := range order {
			sm := &set.sents[si]
			n := len(sm.gold)
			if cap(em) < n*nl {
				em = make([]float32, n*nl)
				pred = make([]int, n)
			}
			em = em[:n*nl]
			pred = pred[:n]
			for i, fs := range sm.feats {
				out := em[i*nl : (i+1)*nl]
				for k := range out {
					out[k] = 0
				}
				for _, b := range fs {
					row := w[int(b)*nl : int(b)*nl+nl]
					for k, v := range row {
						out[k] += v
					}
				}
			}
			viterbi(em, tr, nl, n, pred)
			prevG, prevP := -1, -1
			for i := 0; i < n; i++ {
				g, p := sm.gold[i], pred[i]
				if g != p {
					mistakes++
					for _, b := range sm.feats[i] {
						upd(b, g, 1)
						upd(b, p, -1)
					}
				}
				if g != p || prevG != prevP {
					updT(prevG, g, 1)
					updT(prevP, p, -1)
				}
				prevG, prevP = g, p
			}
			c++
		}
		final = average(w, u, tr, tu, c, o.Bits, nl)
		msg := fmt.Sprintf("%s epoch %d: %d token errors, %v", name, ep, mistakes, time.Since(t0).Round(time.Millisecond))
		if mk != nil && len(dev) > 0 {
			sc := Evaluate(mk(final), dev)
			msg += fmt.Sprintf(", dev F1 %.2f (P %.2f R %.2f)", sc.Total.F1(), sc.Total.Precision(), sc.Total.Recall())
		}
		fmt.Fprintln(o.Log, msg)
	}
	return final, nil
}

// average returns the averaged weights, quantised to int16.
func average(w []float32, u []float64, tr []float32, tu []float64, c float64, bits uint, nl int) *model {
	avg := make([]float32, len(w))
	maxAbs := 0.0
	for k := range w {
		a := float64(w[k]) - u[k]/c
		avg[k] = float32(a)
		if math.Abs(a) > maxAbs {
			maxAbs = math.Abs(a)
		}
	}
	m := &model{bits: bits, nl: nl, idx: make([]int32, 1<<bits), trans: make([]float32, len(tr))}
	if maxAbs == 0 {
		maxAbs = 1
	}
	m.scale = float32(maxAbs / 32767)
	q := make([]int16, nl)
	for r := range m.idx {
		nz := false
		for k := range q {
			q[k] = int16(math.Round(float64(avg[r*nl+k]) / float64(m.scale)))
			nz = nz || q[k] != 0
		}
		if !nz {
			m.idx[r] = -1
			continue
		}
		m.idx[r] = int32(len(m.w))
		m.w = append(m.w, q...)
	}
	for k := range tr {
		m.trans[k] = float32(float64(tr[k]) - tu[k]/c)
	}
	return m
}

// Evaluate tags docs and scores them against their gold entities with
// conlleval's rules.
func Evaluate(t *Tagger, docs []LabeledDoc) *conll.Score {
	sc := conll.NewScore()
	for _, d := range docs {
		got := t.Tag(d.Doc)
		for s := range d.Doc {
			n := len(d.Doc[s])
			sc.Add(IOB2(n, d.Gold[s]), IOB2(n, got[s]))
		}
	}
	return sc
}
