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
func romanSkel(s string) string {
	s = skelPass1.Replace(s)
	s = skelPass2.Replace(s)
	s = skelPass3.Replace(s)
	s = skelPass4.Replace(s)
	s = skelPass5.Replace(s)
	b := []byte(s)
	out := b[:0]
	for i, c := range b {
		if i > 0 && c == b[i-1] {
			continue
		}
		out = append(out, c)
	}
	return string(out)
}

var (
	skelPass1 = strings.NewReplacer("ph", "f", "ck", "k", "dj", "j", "dh", "d", "x", "ks")
	skelPass2 = strings.NewReplacer("c", "k", "q", "k", "w", "v")
	skelPass3 = strings.NewReplacer("kh", "h", "sh", "h")
	skelPass4 = strings.NewReplacer("ee", "i", "ie", "i", "oo", "u", "ou", "u", "y", "i")
	skelPass5 = strings.NewReplacer("e", "a", "o", "u")
)

// skelSim is the least similarity of two tokens with one skeleton.
const skelSim = 0.9
