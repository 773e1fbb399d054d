package screen

import "strings"

// romanSkel reduces a folded Latin token to a skeleton that the common
// romanisation differences of one name share: ph/f, ck/c/q/k, dj/j,
// dh/d, x/ks; kh, ch and sh as h (Khalid/Halid, Chol/Khol, Shérif/Chérif);
// w/v; the vowel spellings ee/ie/y/i, oo/ou/o/u and e/a; doubled letters
// single. Two tokens with one skeleton are looked up together and count
// as at least skelSim alike: "Keem"/"Kim", "Hvi"/"Hwi", "Paq"/"Pak",
// "Moqulu"/"Mukulu", "Sayd"/"Said". How far apart their letters are
// (edits, first letters) still counts in the model.
//
// The passes run in order; within a pass, rewrites apply left to right
// without overlapping, the first rule that matches at a position winning
// (as strings.Replacer does).
func romanSkel(s string) string {
	var bufs [2][96]byte
	return string(skelBytes(s, &bufs))
}

// skelBytes is romanSkel written in bufs, without allocating.
func skelBytes(s string, bufs *[2][96]byte) []byte {
	if len(s) > 48 {
		s = s[:48]
	}
	cur := append(bufs[0][:0], s...)
	k := 1
	for _, pass := range skelPasses {
		next := bufs[k][:0]
		for i := 0; i < len(cur); {
			matched := false
			for _, r := range pass {
				if len(cur)-i >= len(r[0]) && string(cur[i:i+len(r[0])]) == r[0] {
					next = append(next, r[1]...)
					i += len(r[0])
					matched = true
					break
				}
			}
			if !matched {
				next = append(next, cur[i])
				i++
			}
		}
		cur = next
		k ^= 1
	}
	out := bufs[k][:0]
	for i, c := range cur {
		if i > 0 && c == cur[i-1] {
			continue
		}
		out = append(out, c)
	}
	return out
}

var skelPasses = [...][][2]string{
	{{"ph", "f"}, {"ck", "k"}, {"dj", "j"}, {"dh", "d"}, {"x", "ks"}},
	{{"c", "k"}, {"q", "k"}, {"w", "v"}},
	{{"kh", "h"}, {"sh", "h"}},
	{{"ee", "i"}, {"ie", "i"}, {"oo", "u"}, {"ou", "u"}, {"y", "i"}},
	{{"e", "a"}, {"o", "u"}},
}

// skelSim is the least similarity of two tokens with one skeleton.
const skelSim = 0.9

// sameSkelStart reports whether two Latin tokens whose first letters
// differ begin alike once romanised the same way (as romanSkel would) and
// differ in a vowel's spelling or a digraph: "Eebrahim" and "Ibrahim",
// "Kherif" and "Cherif" differ in spelling, not in their first sound.
// Consonants swapped outright (w/v, k/q) still count as different first
// letters. It reads romanSkel's rules for a word's start directly: it runs
// for every aligned pair whose first letters differ.
func sameSkelStart(a, b string) bool {
	if a == "" || b == "" {
		return false
	}
	if isVowel(a[0]) && isVowel(b[0]) {
		return vowelStart(a) == vowelStart(b)
	}
	// kh, sh and ch all reduce to h.
	return len(a) > 1 && len(b) > 1 && a[1] == 'h' && b[1] == 'h' && strings.IndexByte("ksc", a[0]) >= 0 && strings.IndexByte("ksc", b[0]) >= 0
}

// vowelStart is the first letter of romanSkel's skeleton of a token that
// begins with a vowel: ee, ie and y as i, oo, ou and o as u, e as a.
func vowelStart(s string) byte {
	if len(s) > 1 {
		switch s[:2] {
		case "ee", "ie":
			return 'i'
		case "oo", "ou":
			return 'u'
		}
	}
	switch s[0] {
	case 'e':
		return 'a'
	case 'o':
		return 'u'
	case 'y':
		return 'i'
	}
	return s[0]
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}
