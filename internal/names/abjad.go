package names

import (
	_ "embed"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Abjad spellings. A name written in Arabic script leaves out short vowels
// and has letters that Latin spellings render several ways: ث as "th" or
// "s" (Persian and Urdu say s), ذ as "dh" or "z", ظ as "z", "dh" or "th",
// ق as "q", "k" or "g", ج as "j" or "g". The romanisation in translit.go
// picks one; AbjadKeys gives the phonetic keys of the others, so that
// "ثاقب" (romanised "thaqb", key TKB) meets "Saqib" (SKB).
//
// The rewrites and their probabilities in data/abjad_keys.tsv were
// learned from Arabic-Latin name pairs: Google's ar2en pairs (Apache
// License 2.0) and pairs from Wikidata (CC0), four fifths of them; the
// other fifth measures them (TestAbjadTable, `go test -run TestAbjadTable
// -update` rebuilds the table). See data/NOTICE.md.

//go:embed data/abjad_keys.tsv
var abjadKeysTSV string

// AltKey is another phonetic key of an abjad-romanised token, with the
// estimated probability that a Latin spelling of it has this key rather
// than the plain one, and how many letters were rewritten (1 or 2).
type AltKey struct {
	Key      string
	P        float64
	Rewrites int
}

type abjadRule struct {
	sym string // "" to drop the symbol
	p   float64
}

// abjadRules maps a grapheme of a romanised token ("th", "q") to other
// key symbols Latin spellings use for it.
var abjadRules = sync.OnceValue(func() map[string][]abjadRule {
	m := map[string][]abjadRule{}
	eachLine(abjadKeysTSV, func(l string) {
		f := strings.Split(l, "\t")
		if len(f) < 3 {
			return
		}
		p, err := strconv.ParseFloat(f[2], 64)
		if err != nil {
			return
		}
		sym := f[1]
		if sym == "-" {
			sym = ""
		}
		m[f[0]] = append(m[f[0]], abjadRule{sym, p})
	})
	return m
})

// maxAltKeys bounds the keys AbjadKeys returns.
const maxAltKeys = 8

// minAltP is the least probability of a rewrite, or a pair of them, that
// AbjadKeys offers.
const minAltP = 0.02

// AbjadKeys returns other phonetic keys that Latin spellings of the
// abjad-romanised token text often have (one or two letters rendered
// otherwise), most likely first; it excludes Key(text).
func AbjadKeys(text string) []AltKey {
	rules := abjadRules()
	type unit struct {
		sym byte
		g   string
	}
	var units []unit
	keyUnits(text, func(sym byte, g string) { units = append(units, unit{sym, g}) })
	if len(units) == 0 {
		return nil
	}
	base := make([]byte, len(units))
	for i, u := range units {
		base[i] = u.sym
	}
	build := func(i int, a string, j int, b string) string {
		var out []byte
		var last byte
		for k, u := range units {
			var s string
			switch k {
			case i:
				s = a
			case j:
				s = b
			default:
				s = string(u.sym)
			}
			for x := 0; x < len(s); x++ {
				if s[x] != last {
					out = append(out, s[x])
					last = s[x]
				}
			}
		}
		return string(out)
	}
	plain := string(base)
	seen := map[string]bool{plain: true}
	var out []AltKey
	addAlt := func(k string, p float64, n int) {
		if p < minAltP || seen[k] || k == "" {
			return
		}
		seen[k] = true
		out = append(out, AltKey{k, p, n})
	}
	for i, u := range units {
		for _, r := range rules[u.g] {
			addAlt(build(i, r.sym, -1, ""), r.p, 1)
		}
	}
	for i, u := range units {
		for _, r := range rules[u.g] {
			for j := i + 1; j < len(units); j++ {
				for _, r2 := range rules[units[j].g] {
					addAlt(build(i, r.sym, j, r2.sym), r.p*r2.p, 2)
				}
			}
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].P > out[b].P })
	if len(out) > maxAltKeys {
		out = out[:maxAltKeys]
	}
	return out
}

// AltKeyMatch returns the similarity of two tokens when one is
// abjad-romanised and the other's phonetic key is one of its alternative
// keys alts (AbjadKeys of the abjad token): 0.95 for one letter rendered
// otherwise, 0.9 for two; 0 otherwise.
func AltKeyMatch(key string, alts []AltKey) float64 {
	if len(key) < 2 {
		return 0
	}
	for _, a := range alts {
		if a.Key == key {
			if a.Rewrites == 1 {
				return 0.95
			}
			return 0.9
		}
	}
	return 0
}

// A unit of a spelling, for AbjadSimilarity: a consonant (its key class
// and the letters written) or a run of vowels (the vowel sounds it can
// stand for, as bits).
type spellUnit struct {
	cons   byte   // key class, 0 for a vowel run
	g      string // the letters
	vowels uint8  // vowelA|vowelI|vowelU
}

const (
	vowelA uint8 = 1 << iota
	vowelI
	vowelU
)

// vowelSounds is what a vowel letter can stand for in a romanisation.
func vowelSounds(c byte) uint8 {
	switch c {
	case 'a':
		return vowelA
	case 'e':
		return vowelA | vowelI
	case 'i', 'y':
		return vowelI
	case 'o':
		return vowelU | vowelA
	case 'u', 'w':
		return vowelU
	}
	return 0
}

// spellUnits splits a folded token into consonants (with their key
// class) and vowel runs; neighbouring consonants of one class merge
// ("mm"), in an abjad romanisation only when they are the same letter
// (ت ض, "tdh", are two: "mrtdh", Morteza). In a Latin spelling w and y belong to vowel runs, as Key treats
// them; in an abjad romanisation they are the consonants و and ي (their
// vowels are written u and i).
func spellUnits(s string, abjad bool, dst []spellUnit) []spellUnit {
	for i := 0; i < len(s); {
		c := s[i]
		if v := vowelSounds(c); v != 0 && !(abjad && (c == 'w' || c == 'y')) {
			if n := len(dst); n > 0 && dst[n-1].cons == 0 {
				dst[n-1].vowels |= v
				dst[n-1].g = s[i-len(dst[n-1].g) : i+1]
			} else {
				dst = append(dst, spellUnit{g: s[i : i+1], vowels: v})
			}
			i++
			continue
		}
		// The consonant grapheme Key reads here, and its class.
		j := i + 1
		var sym byte
		switch {
		case c == 'w':
			sym = 'W'
		case c == 'y':
			sym = 'Y'
		case c == 't' && i+1 < len(s) && s[i+1] == 's' && (i+2 == len(s) || s[i+2] != 'h'),
			abjad && c == 'd' && i+1 < len(s) && s[i+1] == 'j':
			// No Arabic letter is romanised "ts" or "dj": these are two
			// letters (ت ص in "mtsdq"), not the one sound Key reads; a
			// Latin "ts" is read as two letters too, to meet them ("tsh"
			// is Arabic script's ch).
			sym = 'T'
		default:
			keyUnits(s[i:], func(c byte, g string) {
				if sym == 0 {
					sym, j = c, i+len(g)
				}
			})
		}
		if sym == 0 { // a letter Key ignores (a final h after a vowel)
			sym, j = 'H', i+1
		}
		if n := len(dst); n > 0 && dst[n-1].cons == sym && (!abjad || dst[n-1].g == s[i:j]) {
			dst[n-1].g = s[i-len(dst[n-1].g) : j]
		} else {
			dst = append(dst, spellUnit{cons: sym, g: s[i:j]})
		}
		i = j
	}
	return dst
}

// AbjadSimilarity compares an abjad-romanised token (short vowels
// unwritten, long ones written) with a Latin spelling, in [0, 0.98]. The
// two are aligned letter by letter: the Latin spelling may add vowels
// freely, but its consonants must be the abjad token's (a consonant that
// the learned rewrites of data/abjad_keys.tsv allow costs a little), and
// the abjad token's written vowels and its w and y must find Latin
// letters that can sound so. Each unmatched or mismatched letter costs;
// the similarity is 0.98 less 0.2 per unit of cost. So "mhmd" meets
// "Muhammad" at 0.98 and "antuni" meets "Antonio", but "aditya" does not
// meet "Dawood" though their consonant keys agree.
func AbjadSimilarity(abjad, latin string) float64 {
	var bufA, bufB [24]spellUnit
	a := spellUnits(abjad, true, bufA[:0])
	b := spellUnits(latin, false, bufB[:0])
	if len(a) == 0 || len(b) == 0 || len(a) > 24 || len(b) > 24 {
		return 0
	}
	rules := abjadRules()
	skipA := func(i int) float64 {
		u := a[i]
		switch {
		case u.cons == 0 && i == 0:
			return 0.5 // a word-initial alif or ayn
		case u.cons == 0 && i == len(a)-1:
			return 0.7 // a final ya or alif
		case u.cons == 0:
			return 1 // long vowels are written in Latin too
		case u.cons == 'H' && i == len(a)-1:
			return 0.5 // a final ha, often left out ("Fatima")
		case u.cons == 'W' || u.cons == 'Y':
			return 0.7
		}
		return 1
	}
	skipB := func(j int) float64 {
		u := b[j]
		switch {
		case u.cons == 0:
			return 0 // short vowels go unwritten
		case u.cons == 'H' && j == len(b)-1 && j > 0 && b[j-1].cons == 0 && u.g == "h":
			return 0.1 // a final h after a vowel: ta marbuta ("Jamaah")
		case u.cons == 'H':
			return 0.5
		}
		return 1
	}
	subst := func(x, y spellUnit) float64 {
		switch {
		case x.cons == 0 && y.cons == 0:
			if x.vowels&y.vowels != 0 {
				return 0
			}
			return 1
		case x.cons == 'W' && y.cons == 0:
			return cond(y.vowels&vowelU != 0, 0.1, 9)
		case x.cons == 'Y' && y.cons == 0:
			return cond(y.vowels&vowelI != 0, 0.1, 9)
		case x.cons == 'W' && y.cons == 'F', x.cons == 'Y' && y.cons == 'K':
			return 0.2 // Persian and Turkish v, German j
		case x.cons == 0 || y.cons == 0:
			return 9 // a vowel is not a consonant
		case x.cons == y.cons:
			return 0
		}
		for _, r := range rules[x.g] {
			if r.sym == string(y.cons) {
				return rewriteCost(r.p)
			}
		}
		return 1
	}
	// glide reports whether a w or y and the vowel after it (a[i-1],
	// a[i]) are one Latin vowel run y: "wa" and "oua", "ya" and "ia".
	glide := func(i int, y spellUnit) bool {
		x, v := a[i-1], a[i]
		return y.cons == 0 && v.cons == 0 && v.vowels&y.vowels != 0 &&
			(x.cons == 'W' && y.vowels&vowelU != 0 || x.cons == 'Y' && y.vowels&vowelI != 0)
	}
	var prev2, prev, cur [25]float64
	for j := 1; j <= len(b); j++ {
		prev[j] = prev[j-1] + skipB(j-1)
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = prev[0] + skipA(i-1)
		for j := 1; j <= len(b); j++ {
			sub := subst(a[i-1], b[j-1])
			if i == 1 && a[0].cons == 0 && b[j-1].cons == 0 {
				// A word-initial alif carries any vowel ("aslamia",
				// "Islamiya").
				sub = min(sub, 0.2)
			}
			c := min(prev[j-1]+sub, prev[j]+skipA(i-1), cur[j-1]+skipB(j-1))
			if i >= 2 && glide(i-1, b[j-1]) {
				c = min(c, prev2[j-1]+0.1)
			}
			if i >= 2 && b[j-1].cons != 0 && pairedSound(a[i-2].g, a[i-1].g, b[j-1].g) {
				c = min(c, prev2[j-1]+0.1)
			}
			if k := splitDigraph(a[i-1], b, j); k >= 0 {
				c = min(c, prev[k]+0.1)
			}
			cur[j] = c
		}
		prev2, prev = prev, cur
	}
	return max(0, 0.98-0.2*prev[len(b)])
}

// rewriteCost is the cost of a learned rewrite of probability p: its
// surprise, 0.15 of a unit per nat, between 0.1 and 0.35. A common
// rendering (ذ ض ظ as z, as Persian and Afghan names are written, p 0.2)
// costs less than a rare one (ث as s, p 0.085, or ف left out), as the
// pairs write them. A flat 0.35 for all held fewer of the held-out pairs
// at 0.93 or more (TestAbjadTable: 0.807 against 0.814).
func rewriteCost(p float64) float64 {
	return min(0.35, max(0.1, -0.15*math.Log(p)))
}

// splitDigraph reads an abjad digraph x ("th", "sh", "dh", "kh", "gh")
// as two letters, the second a ha ("طه" romanised "th", Latin "Taha";
// "اتحاد" "athad", "Ittihad"): when the Latin units b[k:j] are a
// consonant of the first letter's class, perhaps a vowel, and an h, it
// returns k; otherwise -1.
func splitDigraph(x spellUnit, b []spellUnit, j int) int {
	if len(x.g) != 2 || x.g[1] != 'h' || b[j-1].cons != 'H' {
		return -1
	}
	var cls byte
	switch x.g[0] {
	case 't', 'd':
		cls = 'T'
	case 's':
		cls = 'S'
	case 'k', 'g':
		cls = 'K'
	default:
		return -1
	}
	k := j - 2
	if k >= 0 && b[k].cons == 0 {
		k--
	}
	if k < 0 || b[k].cons != cls {
		return -1
	}
	return k
}

// pairedSound reports whether two abjad letters written x, y stand for
// the one Latin consonant written g: ت س for z, tz or c ("Graziani",
// "Ferenc"), د ج for dj, dg, g or j ("Hudgens"), not for k or q.
func pairedSound(x, y, g string) bool {
	switch {
	case g == "":
		return false
	case x == "t" && y == "s":
		return strings.ContainsAny(g, "zc")
	case x == "d" && y == "j":
		return g[0] == 'j' || g[0] == 'g' || g[0] == 'd'
	}
	return false
}

func cond(c bool, a, b float64) float64 {
	if c {
		return a
	}
	return b
}
