package names

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{"Abd al-Rahman", "محمد بن سلمان", "Владимир", "S.A. de C.V.", "abdul", "abu", "al din", "ﻣﺤﻤﺪ", "\xff\xfe", "J. R. R."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, k := range []Kind{KindAny, KindPerson, KindOrganization} {
			n := Parse(s, k)
			for _, tok := range n.Tokens {
				if tok.Text == "" || strings.ContainsAny(tok.Text, " \t") {
					t.Fatalf("Parse(%q): bad token %+v", s, tok)
				}
				if !utf8.ValidString(tok.Text) {
					t.Fatalf("Parse(%q): invalid UTF-8 token %q", s, tok.Text)
				}
				if sim := Similarity(tok, tok); sim != 1 {
					t.Fatalf("Similarity(%+v, itself) = %v", tok, sim)
				}
			}
		}
		f := Fold(s)
		if f != strings.TrimSpace(f) || strings.Contains(f, "  ") {
			t.Fatalf("Fold(%q) = %q: untrimmed or double spaces", s, f)
		}
		if Fold(f) != f {
			t.Fatalf("Fold not idempotent on %q: %q -> %q", s, f, Fold(f))
		}
		_ = Key(f)
	})
}

func FuzzSimilarity(f *testing.F) {
	f.Add("muhammad", "mhmd")
	f.Add("a", "")
	f.Fuzz(func(t *testing.T, a, b string) {
		ta, tb := Parse(a, KindPerson).Tokens, Parse(b, KindPerson).Tokens
		for _, x := range ta {
			for _, y := range tb {
				s1, s2 := Similarity(x, y), Similarity(y, x)
				if s1 < 0 || s1 > 1 || s1 != s2 {
					t.Fatalf("Similarity(%+v,%+v) = %v / %v", x, y, s1, s2)
				}
			}
		}
	})
}
