// Package ner is Mosaic's named-entity tagger: a two-pass averaged
// perceptron over hashed features with BILOU labels and Viterbi decoding,
// written in pure Go.
//
// The first pass tags each sentence from local features (word, shape,
// affixes, a two-token window, gazetteer matches and document-level case
// evidence). The second pass sees the first pass's labels of the whole
// document (how other occurrences of the same word were labelled, and the
// longer entities that contain it), so that a later "Abedi" takes the type
// of an earlier "Salman Abedi". See MODEL.md for data and scores.
//
// A Tagger is immutable after loading and safe for concurrent use.
package ner

import (
	"bytes"
	"compress/gzip"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"

	"github.com/mosaic-intel/mosaic/internal/extract/gazetteer"
)

//go:embed model
var modelFS embed.FS

// ModelPath is where the trained model lives in the source tree (and, under
// model/, in the embedded file system).
const ModelPath = "internal/extract/ner/model/ner.bin.gz"

// ErrNoModel reports that no trained model is embedded in this binary.
var ErrNoModel = errors.New("no trained NER model embedded (run: mosaic train ner)")

// Tagger tags documents with PER, ORG, LOC and MISC entities.
type Tagger struct {
	f    featurizer
	m1   *model
	m2   *model // nil for a one-pass model
	Meta map[string]string
}

// Default loads the model embedded in the binary.
func Default(g *gazetteer.Gazetteer) (*Tagger, error) {
	b, err := modelFS.ReadFile("model/ner.bin.gz")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNoModel
	}
	if err != nil {
		return nil, fmt.Errorf("read embedded model: %w", err)
	}
	return Load(bytes.NewReader(b), g)
}

// Load reads a gzip-compressed model written by Tagger.Save.
func Load(r io.Reader, g *gazetteer.Gazetteer) (*Tagger, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	ms, meta, err := readModels(zr)
	if err != nil {
		return nil, fmt.Errorf("load model: %w", err)
	}
	if len(ms) < 1 || len(ms) > 2 {
		return nil, fmt.Errorf("load model: %d passes, want 1 or 2", len(ms))
	}
	t := &Tagger{f: featurizer{bits: ms[0].bits, gaz: g}, m1: ms[0], Meta: meta}
	if len(ms) == 2 {
		t.m2 = ms[1]
	}
	return t, nil
}

// Save writes the model gzip-compressed.
func (t *Tagger) Save(w io.Writer) error {
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	ms := []*model{t.m1}
	if t.m2 != nil {
		ms = append(ms, t.m2)
	}
	if err := writeModels(zw, t.Meta, ms...); err != nil {
		return fmt.Errorf("save model: %w", err)
	}
	return zw.Close()
}

// Tag returns the entities of every sentence of d (token indices).
func (t *Tagger) Tag(d Doc) [][]Entity {
	labels := t.labels(d)
	out := make([][]Entity, len(d))
	for s := range labels {
		out[s] = decode(labels[s])
	}
	return out
}

func (t *Tagger) labels(d Doc) [][]int {
	di := t.f.prepare(d)
	labels := make([][]int, len(d))
	var em []float32
	b := &fb{bits: t.f.bits}
	feats := make([][]uint32, 0, 64)
	run := func(m *model, s int, agg *aggregate, out [][]int) {
		n := len(d[s])
		feats = feats[:0]
		b.out = b.out[:0]
		offs := make([]int, n+1)
		for i := 0; i < n; i++ {
			offs[i] = len(b.out)
			t.f.token(di, s, i, b)
			if agg != nil {
				t.f.stage2(di, agg, s, i, b)
			}
		}
		offs[n] = len(b.out)
		for i := 0; i < n; i++ {
			feats = append(feats, b.out[offs[i]:offs[i+1]])
		}
		if cap(em) < n*m.nl {
			em = make([]float32, n*m.nl)
		}
		em = em[:n*m.nl]
		m.emissions(feats, em)
		out[s] = make([]int, n)
		viterbi(em, m.trans, m.nl, n, out[s])
	}
	for s := range d {
		run(t.m1, s, nil, labels)
	}
	if t.m2 == nil {
		return labels
	}
	agg := newAggregate(di, labels)
	second := make([][]int, len(d))
	for s := range d {
		run(t.m2, s, agg, second)
	}
	return second
}
