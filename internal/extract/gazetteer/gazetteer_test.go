package gazetteer

import (
	"strings"
	"testing"
)

func hashes(s string) []uint64 {
	var out []uint64
	for _, w := range strings.Fields(s) {
		out = append(out, HashToken(w))
	}
	return out
}

func TestFind(t *testing.T) {
	g, err := New()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		text       string
		start, end int
		list       List
	}{
		{"he flew to Saudi Arabia today", 3, 5, Country},
		{"in NEW YORK", 1, 3, Region},
		{"near Bradford", 1, 2, City},
		{"British troops", 0, 1, Demonym},
		{"Acme Ltd said", 1, 2, OrgSuffix},
		{"Maj Gen Smith", 0, 1, Title},
		{"Maj Gen Smith", 1, 2, Title},
		{"Peter said", 0, 1, FirstName},
		{"Garden Centre", 1, 2, OrgWord},
	}
	for _, c := range cases {
		found := false
		for _, m := range g.Find(hashes(c.text)) {
			if m.Start == c.start && m.End == c.end && m.Has(c.list) {
				found = true
			}
		}
		if !found {
			t.Errorf("%q: no %s match at %d-%d; got %+v", c.text, c.list, c.start, c.end, g.Find(hashes(c.text)))
		}
	}
	if g.Lookup("saudi arabia")&(1<<Country) == 0 || g.Lookup("Arabia Saudi") != 0 {
		t.Error("Lookup does not match whole entries only")
	}
	for _, m := range g.Find(hashes("the cat sat on the mat")) {
		if m.Has(Country) || m.Has(FirstName) {
			t.Errorf("unexpected match %+v", m)
		}
	}
}

func FuzzFind(f *testing.F) {
	g, err := New()
	if err != nil {
		f.Fatal(err)
	}
	f.Add("United States of America and the UK")
	f.Fuzz(func(t *testing.T, s string) {
		h := hashes(s)
		for _, m := range g.Find(h) {
			if m.Start < 0 || m.End > len(h) || m.End <= m.Start || m.End-m.Start > MaxLen {
				t.Fatalf("bad match %+v", m)
			}
		}
	})
}
