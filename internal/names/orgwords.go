package names

// nearOrgWord returns RoleLegal or RoleGeneric when the folded token w,
// of five letters or more and not itself in the tables, is one edit (a
// swap of neighbouring letters counting as one) from a legal form or
// generic organisation word of five letters or more ("compnay",
// "industreis"); RolePart otherwise. Misspelt, such words would otherwise
// count as a rare identifying part of an organisation's name.
func (t *tables) nearOrgWord(w string) Role {
	if len(w) < 5 || t.legal[w] || t.generic[w] {
		return RolePart
	}
	for x := range t.legal {
		if len(x) >= 5 && abs(len(x)-len(w)) <= 1 && osaDistance(w, x) <= 1 {
			return RoleLegal
		}
	}
	for x := range t.generic {
		if len(x) >= 5 && abs(len(x)-len(w)) <= 1 && osaDistance(w, x) <= 1 {
			return RoleGeneric
		}
	}
	return RolePart
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// NearLegalForm returns the legal form of seven letters or more that the
// folded token w, not itself a legal form, is at most two edits from,
// with its first letter ("copgany" for "company"); callers use it for the
// last word of an organisation's name, where legal forms are written.
func NearLegalForm(w string) (string, bool) {
	t := loadTables()
	if len(w) < 7 || t.legal[w] {
		return "", false
	}
	best, bd := "", 3
	for x := range t.legal {
		if len(x) < 7 || x[0] != w[0] || abs(len(x)-len(w)) > 2 {
			continue
		}
		if d := osaDistance(w, x); d < bd || d == bd && x < best {
			best, bd = x, d
		}
	}
	return best, best != ""
}

// NearTitle returns the title that the folded token w, not itself a
// title, is a typo of, with its first letter: one edit from a title of
// five letters or more ("mautana" for "maulana"), or two neighbouring
// letters swapped in one of four ("hjai" for "haji").
func NearTitle(w string) (string, bool) {
	t := loadTables()
	if len(w) < 4 || t.titles[w] {
		return "", false
	}
	best := ""
	for x := range t.titles {
		if len(x) < 4 || x[0] != w[0] || abs(len(x)-len(w)) > 1 || osaDistance(w, x) != 1 {
			continue
		}
		if len(x) == 4 && !swapped(w, x) {
			continue
		}
		if best == "" || x < best {
			best = x
		}
	}
	return best, best != ""
}

// swapped reports whether a is b with two neighbouring letters swapped.
func swapped(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i+1 < len(a); i++ {
		if a[i] != b[i] {
			return a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
		}
	}
	return false
}
