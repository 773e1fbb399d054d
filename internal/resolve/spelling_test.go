package resolve

import (
	"slices"
	"testing"
)

// A variant table maps a written name to its group's canonical form
// ("Miguel" to "mikhail", "Ebrima" to "ibrahim", "Lotte" to "charlotte").
// A typo of the written form, or its initial, must still be compared
// with what was written: with an equal phone such pairs are the same
// person. Names the tables know apart stay apart even when their
// spellings are close, so a shared phone does not join a household.
func TestNamesComparedAsWritten(t *testing.T) {
	for _, tc := range []struct {
		a, b       string
		wantStrong bool
	}{
		{"Msguel Delgado", "Miguel Delgado", true},
		{"E. Bangura", "Ebrima Bangura", true},
		{"L. de Vries", "Lotte de Vries", true},
		{"Perdo Martinez", "Pedro Martinez", true},
		{"Hussain Al-Tamimi", "Hassan Al-Tamimi", false},
		{"Sung Song", "Sunita Singh", false},
	} {
		t.Run(tc.a+"/"+tc.b, func(t *testing.T) {
			e := New(Config{})
			mustAdd(t, e, person("a", tc.a, "", "phone=07841639294"))
			mustAdd(t, e, person("b", tc.b, "", "phone=+44 7841 639294"))
			x, err := e.Explain("a", "b")
			if err != nil {
				t.Fatal(err)
			}
			if got := x.Link == "strong"; got != tc.wantStrong {
				t.Errorf("strong link = %v, want %v: %v", got, tc.wantStrong, x)
			}
		})
	}
}

// Only spellings the table took far from their canonical form are kept.
func TestTellingSpellings(t *testing.T) {
	for _, tc := range []struct {
		toks, spell, want []string
	}{
		{[]string{"ibrahim", "bangura"}, []string{"ebrima", "bangura"}, []string{"ebrima", "bangura"}},
		{[]string{"mikhail", "delgado"}, []string{"miguel", "delgado"}, []string{"miguel", "delgado"}},
		{[]string{"muhammad", "ali"}, []string{"mohammed", "ali"}, nil},
		{[]string{"sesay"}, []string{"sesay"}, nil},
		{[]string{"ibrahim"}, []string{"ebrima", "x"}, nil},
	} {
		if got := telling(tc.toks, tc.spell); !slices.Equal(got, tc.want) {
			t.Errorf("telling(%q, %q) = %q, want %q", tc.toks, tc.spell, got, tc.want)
		}
	}
}
