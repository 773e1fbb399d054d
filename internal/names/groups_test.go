package names

import "testing"

func TestGroupsAndInitials(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		same bool
	}{
		{"harry", "harrison", true}, // a nickname of several names
		{"harry", "henry", true},
		{"harrison", "henry", false},
		{"jo", "joanne", true},
		{"jo", "joseph", true},
		{"xasan", "hassan", true}, // Somali spelling
		{"cali", "ali", true},
		{"maxamed", "mohammed", true},
		{"oleh", "oleg", true}, // Ukrainian
		{"sasha", "alexander", true},
		{"wong", "huang", true}, // Cantonese and pinyin
		{"park", "bak", true},   // Korean
		{"niamh", "neve", true},
		{"hassan", "hussein", false},
		{"emma", "emmanuel", false},
	} {
		if got := SameGroup(Fold(tc.a), Fold(tc.b)); got != tc.same {
			t.Errorf("SameGroup(%q, %q) = %v, want %v (groups %v, %v)", tc.a, tc.b, got, tc.same, Groups(tc.a), Groups(tc.b))
		}
	}
	for _, tc := range []struct {
		in    string
		role  Role
		canon string
	}{
		{"Jo E. Hughes", RoleInitial, "e"},
		{"JO E HUGHES", RoleInitial, "e"},
		{"María García y López", RoleParticle, "y"},
		{"Ó. Fernández", RoleInitial, "o"}, // an initial is never canonicalised
	} {
		n := Parse(tc.in, KindPerson)
		found := false
		for _, tk := range n.Tokens {
			if tk.Text == tc.canon {
				found = true
				if tk.Role != tc.role || tk.Canon != tc.canon {
					t.Errorf("Parse(%q): token %q role %v canon %q, want %v %q", tc.in, tk.Text, tk.Role, tk.Canon, tc.role, tc.canon)
				}
			}
		}
		if !found {
			t.Errorf("Parse(%q): no token %q in %+v", tc.in, tc.canon, n.Tokens)
		}
	}
	if Canonical("harry") != "harry" || Canonical("bill") != "william" {
		t.Errorf("canonical: harry %q, bill %q", Canonical("harry"), Canonical("bill"))
	}
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{"bayo", "adebayo", true}, {"funmi", "funmilayo", true}, {"deb", "deborah", true},
		{"jo", "joanne", false}, {"ann", "anne", false}, {"toni", "antonio", false},
	} {
		if got := ShortForm(tc.a, tc.b); got != tc.want {
			t.Errorf("ShortForm(%q, %q) = %v", tc.a, tc.b, got)
		}
	}
	if !IsGeneric("stores") || IsGeneric("london") {
		t.Error("IsGeneric")
	}
}

func TestAbdallahForms(t *testing.T) {
	for _, s := range []string{"Abdoulaye Diallo", "Abdulai Jallow", "Cabdullaahi Diallo", "Abdullah Diallo"} {
		if got := Parse(s, KindPerson).Folded(); got != "abd allah diallo" {
			t.Errorf("Parse(%q) = %q", s, got)
		}
	}
}
