package conll

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestChunks(t *testing.T) {
	cases := []struct {
		tags string
		want []Chunk
	}{
		// IOB1 (CoNLL-2003): I- starts a chunk, B- only between same types.
		{"I-PER I-PER O I-LOC", []Chunk{{0, 2, "PER"}, {3, 4, "LOC"}}},
		{"I-LOC B-LOC I-LOC", []Chunk{{0, 1, "LOC"}, {1, 3, "LOC"}}},
		// IOB2.
		{"B-ORG I-ORG B-ORG O", []Chunk{{0, 2, "ORG"}, {2, 3, "ORG"}}},
		// A type change inside a run splits it.
		{"B-PER I-LOC", []Chunk{{0, 1, "PER"}, {1, 2, "LOC"}}},
		// BILOU.
		{"U-PER B-LOC I-LOC L-LOC U-LOC", []Chunk{{0, 1, "PER"}, {1, 4, "LOC"}, {4, 5, "LOC"}}},
		{"O O", nil},
	}
	for _, c := range cases {
		got := Chunks(strings.Fields(c.tags))
		if len(got) != len(c.want) {
			t.Errorf("Chunks(%s) = %v, want %v", c.tags, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("Chunks(%s) = %v, want %v", c.tags, got, c.want)
			}
		}
	}
}

// refChunksIOB2 is an independent reading of IOB2 tags: a chunk starts at
// B-X, or at I-X after anything but B-X/I-X, and runs over following I-X.
func refChunksIOB2(tags []string) []Chunk {
	var out []Chunk
	for i := 0; i < len(tags); {
		if tags[i] == "O" {
			i++
			continue
		}
		typ := tags[i][2:]
		j := i + 1
		for j < len(tags) && tags[j] == "I-"+typ {
			j++
		}
		out = append(out, Chunk{i, j, typ})
		i = j
	}
	return out
}

// TestCrossCheck compares the conlleval-rule reader with the independent
// reading above on random IOB2 sequences, and the F1 with a direct count.
func TestCrossCheck(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"O", "O", "O", "B-PER", "I-PER", "B-LOC", "I-LOC", "I-ORG"}
	s := NewScore()
	gold, guessed, correct := 0, 0, 0
	for n := 0; n < 2000; n++ {
		g := make([]string, 1+rng.IntN(12))
		p := make([]string, len(g))
		for i := range g {
			g[i] = alphabet[rng.IntN(len(alphabet))]
			p[i] = g[i]
			if rng.IntN(4) == 0 {
				p[i] = alphabet[rng.IntN(len(alphabet))]
			}
		}
		a, b := Chunks(g), refChunksIOB2(g)
		if len(a) != len(b) {
			t.Fatalf("%v: conlleval rules %v, reference %v", g, a, b)
		}
		for i := range a {
			if a[i] != b[i] {
				t.Fatalf("%v: conlleval rules %v, reference %v", g, a, b)
			}
		}
		rg, rp := refChunksIOB2(g), refChunksIOB2(p)
		gold += len(rg)
		guessed += len(rp)
		for _, x := range rp {
			for _, y := range rg {
				if x == y {
					correct++
				}
			}
		}
		s.Add(g, p)
	}
	if s.Total.Gold != gold || s.Total.Guessed != guessed || s.Total.Correct != correct {
		t.Fatalf("score %+v, reference gold %d guessed %d correct %d", s.Total, gold, guessed, correct)
	}
	if s.Total.F1() <= 0 || s.Total.F1() >= 100 {
		t.Fatalf("F1 %v out of range", s.Total.F1())
	}
}

func TestRead(t *testing.T) {
	in := "-DOCSTART- -X- O O\n\nEU NNP I-NP I-ORG\nrejects VBZ I-VP O\n\nPeter NNP I-NP I-PER\n-DOCSTART- -X- O O\n\n# c\nX B-LOC\n"
	f, err := Read(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(f.Documents) != 2 || len(f.Documents[0].Sentences) != 2 || len(f.Lines) != 10 {
		t.Fatalf("got %d docs, %d lines: %+v", len(f.Documents), len(f.Lines), f.Documents)
	}
	s := f.Documents[0].Sentences[0]
	if w := f.Words(s, Default); strings.Join(w, " ") != "EU rejects" {
		t.Errorf("words %v", w)
	}
	if tg := f.Tags(s, Default); strings.Join(tg, " ") != "I-ORG O" {
		t.Errorf("tags %v", tg)
	}
}

func FuzzRead(f *testing.F) {
	f.Add("a B-X\n\nb O\n-DOCSTART-\n# x\n")
	f.Fuzz(func(t *testing.T, s string) {
		cf, err := Read(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, d := range cf.Documents {
			for _, st := range d.Sentences {
				Chunks(cf.Tags(st, Default))
			}
		}
	})
}
