package names

import (
	"slices"
	"testing"
)

func TestTranslateArabicOrg(t *testing.T) {
	cases := []struct {
		in   string
		want string // one of the renderings
		ok   bool
	}{
		{"الجماعة الإسلامية المقاتلة", "group islamic combatant", true},
		{"الجماعة الإسلامية المقاتلة", "group islamic fighting", true},
		{"حركة التوحيد والجهاد", "mouvement unification et الجهاد", true},
		{"مكتب حنيفة للصرافة", "office حنيفة money exchange", true},
		{"الدولة الإسلامية في العراق والشام", "state islamic in iraq and levant", true},
		{"أنصار الإسلام", "supporters islam", true},
		{"أنصار الشريعة بليبيا", "supporters الشريعة in libya", true},
		// Persons' names and one-word names are left alone.
		{"محمد احمد", "", false},
		{"الجماعة", "", false},
		{"محمد في", "", false},
		{"Islamic Group", "", false},
	}
	for _, c := range cases {
		got, ok := TranslateArabicOrg(c.in)
		if ok != c.ok || ok && !slices.Contains(got, c.want) {
			t.Errorf("TranslateArabicOrg(%q) = %q, %v; want %q among them, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
