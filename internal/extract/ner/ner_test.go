package ner

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/extract/conll"
	"github.com/mosaic-intel/mosaic/internal/extract/gazetteer"
	"github.com/mosaic-intel/mosaic/internal/shareddata"
)

func gaz(t testing.TB) *gazetteer.Gazetteer {
	t.Helper()
	g, err := gazetteer.New()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestBILOU(t *testing.T) {
	ents := []Entity{{0, 1, "PER"}, {2, 5, "LOC"}, {5, 7, "ORG"}}
	labels := encode(8, ents)
	got := decode(labels)
	if len(got) != 3 {
		t.Fatalf("decode(encode) = %v", got)
	}
	for i := range ents {
		if got[i] != ents[i] {
			t.Fatalf("decode(encode) = %v, want %v", got, ents)
		}
	}
	for i := 1; i < len(labels); i++ {
		if !allowed(labels[i-1], labels[i]) {
			t.Errorf("%s -> %s not allowed", LabelName(labels[i-1]), LabelName(labels[i]))
		}
	}
	if allowed(0, label(0, posI)) || allowed(label(0, posB), 0) || allowed(label(0, posB), label(1, posL)) {
		t.Error("invalid BILOU transitions allowed")
	}
}

// synthetic builds a tiny corpus in which capitalised words after "Mr"
// are people and words after "in" are places.
func synthetic() []LabeledDoc {
	people := []string{"Smith", "Jones", "Brown", "Taylor", "Wilson", "Evans", "Walker", "Wright"}
	places := []string{"Leeds", "Paris", "Berlin", "Madrid", "Oslo", "Lima", "Cairo", "Delhi"}
	var docs []LabeledDoc
	for i := 0; i < 40; i++ {
		p, l := people[i%len(people)], places[(i*3)%len(places)]
		docs = append(docs, LabeledDoc{
			Doc:  Doc{{"Mr", p, "arrived", "in", l, "today", "."}, {p, "left", "."}},
			Gold: [][]Entity{{{1, 2, "PER"}, {4, 5, "LOC"}}, {{0, 1, "PER"}}},
		})
	}
	return docs
}

func TestTrainSaveLoad(t *testing.T) {
	g := gaz(t)
	docs := synthetic()
	tg, err := Train(context.Background(), docs, nil, g, TrainOptions{Bits: 16, Epochs: 4, Folds: 2})
	if err != nil {
		t.Fatal(err)
	}
	if f1 := Evaluate(tg, docs).Total.F1(); f1 < 99 {
		t.Fatalf("training F1 %.1f on separable data", f1)
	}
	var buf bytes.Buffer
	if err := tg.Save(&buf); err != nil {
		t.Fatal(err)
	}
	back, err := Load(bytes.NewReader(buf.Bytes()), g)
	if err != nil {
		t.Fatal(err)
	}
	test := Doc{{"Mr", "Walker", "arrived", "in", "Cairo", "today", "."}}
	a, b := tg.Tag(test), back.Tag(test)
	if len(a[0]) != 2 || len(b[0]) != 2 || a[0][0] != b[0][0] || a[0][1] != b[0][1] {
		t.Fatalf("before save %v, after load %v", a, b)
	}
	if _, err := Load(strings.NewReader("not a model"), g); err == nil {
		t.Fatal("loaded garbage")
	}
}

func TestDefaultModel(t *testing.T) {
	tg, err := Default(gaz(t))
	if err != nil {
		t.Fatal(err)
	}
	got := tg.Tag(Doc{strings.Fields("Peter Blackburn of the European Commission flew to Brussels on Thursday .")})
	want := []Entity{{0, 2, "PER"}, {4, 6, "ORG"}, {8, 9, "LOC"}}
	if len(got[0]) != len(want) {
		t.Fatalf("got %v, want %v", got[0], want)
	}
	for i := range want {
		if got[0][i] != want[i] {
			t.Fatalf("got %v, want %v", got[0], want)
		}
	}
}

// TestCoNLLDev scores the embedded model on CoNLL-2003 eng.testa; it runs
// only with MOSAIC_LONG=1 (about ten seconds).
func TestCoNLLDev(t *testing.T) {
	if testing.Short() || getenv("MOSAIC_LONG") == "" {
		t.Skip("set MOSAIC_LONG=1")
	}
	p := shareddata.Path(t, "data/ner/conll2003/eng.testa")
	f := openFile(t, p)
	cf, err := conll.Read(f)
	if err != nil {
		t.Fatal(err)
	}
	tg, err := Default(gaz(t))
	if err != nil {
		t.Fatal(err)
	}
	sc := Evaluate(tg, DocsFromCoNLL(cf, conll.Default))
	t.Logf("eng.testa F1 %.2f", sc.Total.F1())
	if sc.Total.F1() < 92 {
		t.Fatalf("eng.testa F1 %.2f < 92", sc.Total.F1())
	}
}

func BenchmarkTag(b *testing.B) {
	tg, err := Default(gaz(b))
	if err != nil {
		b.Fatal(err)
	}
	d := Doc{strings.Fields("Peter Blackburn of the European Commission flew to Brussels on Thursday to meet German officials .")}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tg.Tag(d)
	}
	b.ReportMetric(float64(b.N*len(d[0]))/b.Elapsed().Seconds(), "tokens/s")
}

func BenchmarkLoad(b *testing.B) {
	g := gaz(b)
	for i := 0; i < b.N; i++ {
		if _, err := Default(g); err != nil {
			b.Fatal(err)
		}
	}
}
