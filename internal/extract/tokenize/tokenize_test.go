package tokenize

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func texts(toks []Token) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = t.Text
	}
	return out
}

func TestTokenize(t *testing.T) {
	cases := []struct {
		in   string
		want string // tokens joined by |
	}{
		{"Mr. Clapper said.", "Mr.|Clapper|said|."},
		{"Maj Gen Smith and L/Cpl Jones", "Maj|Gen|Smith|and|L/Cpl|Jones"},
		{"al-Baghdadi and IS-K", "al-Baghdadi|and|IS-K"},
		{"Abedi's brother", "Abedi|'s|brother"},
		{"Abedi’s brother", "Abedi|’s|brother"},
		{"“We continue,” he said.", "“|We|continue|,|”|he|said|."},
		{"in the U.S. and the U.K.", "in|the|U.S.|and|the|U.K."},
		{"cost £1,200.50 at 08:35", "cost|£|1,200.50|at|08:35"},
		{"25g of explosives — enough", "25g|of|explosives|—|enough"},
		{"mail j.smith@example.co.uk now", "mail|j.smith@example.co.uk|now"},
		{"see https://example.com/a?b=1.", "see|https://example.com/a?b=1|."},
		{"don't", "do|n't"},
		{"wait...", "wait|..."},
		{"(Isil)", "(|Isil|)"},
		{"soldiers' kit", "soldiers|'|kit"},
		{"No. 10 Downing Street", "No.|10|Downing|Street"},
		{"he said no. Then", "he|said|no|.|Then"},
	}
	for _, c := range cases {
		got := strings.Join(texts(Tokenize(c.in)), "|")
		if got != c.want {
			t.Errorf("Tokenize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestOffsets(t *testing.T) {
	in := "Salman Abedi’s brother, Hashem, flew to Libya on 18 April 2017.\n\nSubscribe\nHe was arrested."
	for _, tk := range Tokenize(in) {
		if in[tk.Start:tk.End] != tk.Text {
			t.Errorf("token %q at %d-%d reads %q", tk.Text, tk.Start, tk.End, in[tk.Start:tk.End])
		}
	}
}

func TestSentences(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"Mr. Clapper spoke. He left.", []string{"Mr. Clapper spoke.", "He left."}},
		{"“It is a concern,” he said. “We continue.”", []string{"“It is a concern,” he said.", "“We continue.”"}},
		{"Headline without stop\n\nBody text here. More text.", []string{"Headline without stop", "Body text here.", "More text."}},
		{"Lizzie Dearden\nWednesday 27 April 2016 08:35\nThe body.", []string{"Lizzie Dearden", "Wednesday 27 April 2016 08:35", "The body."}},
		{"a line that goes\non in lower case.", []string{"a line that goes\non in lower case."}},
		{"Share\nSubscribe to The Week\nReal text here.", []string{"Real text here."}},
		{"Share prices fell.", []string{"Share prices fell."}},
		{"He lives in the U.S. The end.", []string{"He lives in the U.S.", "The end."}},
		{"J. Smith and Dr. Jones met.", []string{"J. Smith and Dr. Jones met."}},
		{"Is it? Yes! Fine.", []string{"Is it?", "Yes!", "Fine."}},
		{"bought from Lakeside Print Ltd. Harris was bailed.", []string{"bought from Lakeside Print Ltd.", "Harris was bailed."}},
		{"Acme Ltd. and Beta Inc. merged.", []string{"Acme Ltd. and Beta Inc. merged."}},
	}
	for _, c := range cases {
		toks := Tokenize(c.in)
		var got []string
		for _, s := range Sentences(c.in, toks) {
			got = append(got, c.in[s.Start:s.End])
		}
		if strings.Join(got, "§") != strings.Join(c.want, "§") {
			t.Errorf("Sentences(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func FuzzTokenize(f *testing.F) {
	for _, s := range []string{"Mr. A's (b) “c” d-e U.S. 1,2:3 x@y.z", "\xff\xfe.", "...\n\n", "https://", "#tag @u"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		toks := Tokenize(s)
		prev := 0
		for _, tk := range toks {
			if tk.Start < prev || tk.End <= tk.Start || tk.End > len(s) || s[tk.Start:tk.End] != tk.Text {
				t.Fatalf("bad token %+v in %q", tk, s)
			}
			prev = tk.End
		}
		last := 0
		for _, st := range Sentences(s, toks) {
			if st.First >= st.Last || st.Last > len(toks) || st.First < last || st.Start != toks[st.First].Start || st.End != toks[st.Last-1].End {
				t.Fatalf("bad sentence %+v", st)
			}
			last = st.Last
		}
		if utf8.ValidString(s) && strings.TrimSpace(s) != "" && len(toks) == 0 {
			t.Fatalf("no tokens in %q", s)
		}
	})
}

// BenchmarkTokenizeLong tokenises a 10 MB single line and a 100,000-token
// run without sentence breaks; ns/op grows linearly with size.
func BenchmarkTokenizeLong(b *testing.B) {
	for _, c := range []struct {
		name string
		text string
	}{
		{"10MB-one-line", strings.Repeat("word-al-x, U.S. £5 “q” ", 10<<20/24)},
		{"10MB-no-space", strings.Repeat("a", 10<<20)},
		{"100k-token-sentence", strings.Repeat("Abedi ", 100000)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.text)))
			for i := 0; i < b.N; i++ {
				toks := Tokenize(c.text)
				Sentences(c.text, toks)
			}
		})
	}
}
