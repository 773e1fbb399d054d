package resolve

import (
	"slices"
	"testing"
)

func TestPhoneticGroupsVariants(t *testing.T) {
	groups := [][]string{
		{"mohammed", "muhammad", "mohamed", "mehmet", "mohamad", "muhamad"},
		{"hassan", "hasan", "hasen"},
		{"catherine", "katherine", "kathryn"},
		{"stephen", "stefen"},
	}
	for _, g := range groups {
		want := Phonetic(g[0])
		for _, v := range g[1:] {
			if got := Phonetic(v); got != want {
				t.Errorf("Phonetic(%q) = %q, want %q (as %q)", v, got, want, g[0])
			}
		}
	}
	if Phonetic("hassan") == Phonetic("mohammed") {
		t.Errorf("distinct names share a key")
	}
}

func TestBasicTokens(t *testing.T) {
	tests := []struct {
		name, typ string
		want      []string
	}{
		{"Mohamad Al-Hassan", "Person", []string{"mohamad", "hassan"}},
		{"  ÇELİK, Ḥasan ", "Person", []string{"celik", "hasan"}},
		{"Osama bin Laden", "Person", []string{"osama", "laden"}},
		{"Acme Trading Ltd.", "Organization", []string{"acme", "trading"}},
		{"", "Person", nil},
	}
	for _, tt := range tests {
		if got := (BasicNamer{}).Tokens(tt.name, tt.typ); !slices.Equal(got, tt.want) {
			t.Errorf("Tokens(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestJaroWinkler(t *testing.T) {
	tests := []struct {
		a, b   string
		lo, hi float64
	}{
		{"martha", "marhta", 0.96, 0.962},
		{"dwayne", "duane", 0.84, 0.841},
		{"dixon", "dicksonx", 0.813, 0.814},
		{"abc", "abc", 1, 1},
		{"", "abc", 0, 0},
		{"abc", "xyz", 0, 0},
	}
	for _, tt := range tests {
		got := JaroWinkler(tt.a, tt.b)
		if got < tt.lo || got > tt.hi {
			t.Errorf("JaroWinkler(%q, %q) = %.4f, want in [%v, %v]", tt.a, tt.b, got, tt.lo, tt.hi)
		}
		if back := JaroWinkler(tt.b, tt.a); back != got {
			t.Errorf("JaroWinkler not symmetric on %q %q: %v vs %v", tt.a, tt.b, got, back)
		}
	}
}

func TestEditDistanceAtMost(t *testing.T) {
	tests := []struct {
		a, b string
		k    int
		want bool
	}{
		{"A1234567", "A1234567", 0, true},
		{"A1234567", "A1234576", 1, true}, // transposition
		{"A1234567", "A1234667", 1, true},
		{"A1234567", "A1284667", 1, false},
		{"A1234567", "1234567", 1, true},
		{"A12", "A1234", 1, false},
	}
	for _, tt := range tests {
		if got := EditDistanceAtMost(tt.a, tt.b, tt.k); got != tt.want {
			t.Errorf("EditDistanceAtMost(%q, %q, %d) = %v", tt.a, tt.b, tt.k, got)
		}
	}
}

func FuzzEditDistance(f *testing.F) {
	f.Add("A1234567", "A1234576")
	f.Add("abc", "abdc")
	f.Fuzz(func(t *testing.T, a, b string) {
		if len(a) > 30 || len(b) > 30 {
			return
		}
		want := osaDistance(a, b) <= 1
		if got := EditDistanceAtMost(a, b, 1); got != want {
			t.Fatalf("EditDistanceAtMost(%q, %q, 1) = %v, DP says %v", a, b, got, want)
		}
	})
}

func FuzzJaroWinkler(f *testing.F) {
	f.Add("martha", "marhta")
	f.Add("", "x")
	f.Add("Ḥasan", "hasan")
	f.Fuzz(func(t *testing.T, a, b string) {
		s := JaroWinkler(a, b)
		if s < 0 || s > 1.0000001 {
			t.Fatalf("JaroWinkler(%q, %q) = %v out of [0,1]", a, b, s)
		}
		if a == b && s != 1 {
			t.Fatalf("JaroWinkler(%q, %q) = %v for equal strings", a, b, s)
		}
	})
}

func FuzzTokens(f *testing.F) {
	f.Add("Mohamad Al-Hassan", "Person")
	f.Add("Acme Ltd", "Organization")
	f.Fuzz(func(t *testing.T, name, typ string) {
		for _, tok := range (BasicNamer{}).Tokens(name, typ) {
			if tok == "" {
				t.Fatalf("empty token from %q", name)
			}
			_ = Phonetic(tok)
		}
	})
}
