// Package eval builds labelled screening sets and measures a screen.Index
// on them: recall of perturbed list names, false alerts on generated
// non-listed names from many naming traditions, cross-script recall and
// speed against a large synthetic list. `mosaic screen eval` and the
// benchmarks in package screen run it; docs/benchmarks/screen.md has the
// figures.
package eval

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"unicode"

	"github.com/mosaic-intel/mosaic/internal/names"
	"github.com/mosaic-intel/mosaic/internal/screen"
	"github.com/mosaic-intel/mosaic/internal/watchlist"
)

// Version selects how a labelled set is built. Both versions are kept so
// that every figure in docs/benchmarks/screen.md can be reproduced.
type Version int

// Set versions.
const (
	// V1 is the set as first built.
	V1 Version = 1
	// V2 drops three kinds of perturbation no person would accept as the
	// same name, and the generated names that the set's own perturbations
	// make from a listed name:
	//   - initials only for persons ("A. TRADING COMPANY" is not a way of
	//     writing "AL-ARABI TRADING COMPANY");
	//   - typos land inside name parts (letters between spaces, hyphens and
	//     apostrophes) of at least four letters, and a part of fewer than six
	//     letters takes at most one of the two edits of a two-typo query
	//     (the "AUTO" fuzziness of Lucene: "KIM TNT CHOL" for "KIM TONG
	//     CHOL" is out, "TARQ AZZI" for "TARIQ AZIZ" stays);
	//   - a dropped part is never one half of a compound given name ("ABDUL
	//     SHINWARI" for "ABDUL GHAFAR SHINWARI", "ALLAH MATIN" for "ALLAH
	//     DAD MATIN");
	//   - a generated name that is a listed name with one or two edits, or
	//     with one part dropped (the perturbations above), is not a negative.
	V2 Version = 2
)

// Generator invents personal names from many naming traditions and
// perturbs listed names.
type Generator struct {
	rng *rand.Rand
	v   Version
}

// NewGenerator returns a generator seeded with seed that perturbs names as
// set version V2 does.
func NewGenerator(seed uint64) *Generator { return NewGeneratorV(seed, V2) }

// NewGeneratorV returns a generator seeded with seed for set version v.
func NewGeneratorV(seed uint64, v Version) *Generator {
	return &Generator{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), v: v}
}

func (g *Generator) pick(s []string) string { return s[g.rng.IntN(len(s))] }

// invent makes a family name from a culture's syllables.
func (g *Generator) invent(c culture) string {
	n := 2 + g.rng.IntN(2)
	var b strings.Builder
	for range n {
		b.WriteString(g.pick(c.syll))
	}
	s := b.String()
	if len(s) < 3 {
		s += g.pick(c.family)
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// Name returns a new full name.
func (g *Generator) Name() string {
	c := cultures[g.rng.IntN(len(cultures))]
	parts := []string{g.pick(c.given)}
	if c.parts >= 3 && g.rng.IntN(3) > 0 {
		if c.patrony {
			parts = append(parts, g.pick(c.given))
		} else {
			parts = append(parts, g.pick(c.family))
		}
	}
	if g.rng.IntN(3) == 0 {
		parts = append(parts, g.invent(c))
	} else {
		parts = append(parts, g.pick(c.family))
	}
	return strings.Join(parts, " ")
}

// Perturbation kinds.
const (
	KindExact      = "exact"
	KindTypo       = "typo"
	KindTwoTypos   = "two-typos"
	KindReorder    = "reorder"
	KindDrop       = "dropped-part"
	KindTranslit   = "transliteration"
	KindInitial    = "initial"
	KindNoise      = "case-punctuation"
	KindReorderTyp = "reorder+typo"
	KindArabic     = "arabic-script"
)

// Perturbations lists the kinds a Perturber makes, in order.
var Perturbations = []string{KindExact, KindTypo, KindTwoTypos, KindReorder, KindDrop, KindTranslit, KindInitial, KindNoise, KindReorderTyp}

// Perturb returns name changed as kind says, or "" when kind does not
// apply to it (e.g. dropping a part of a two-part name). The name is taken
// to be a person's.
func (g *Generator) Perturb(name, kind string) string {
	return g.PerturbSchema(name, watchlist.Person, kind)
}

// PerturbSchema is Perturb for a name of the given schema.
func (g *Generator) PerturbSchema(name string, schema watchlist.Schema, kind string) string {
	toks := strings.Fields(name)
	switch kind {
	case KindExact:
		return name
	case KindTypo:
		return g.typo(toks, 1)
	case KindTwoTypos:
		return g.typo(toks, 2)
	case KindReorder:
		if len(toks) < 2 {
			return ""
		}
		return g.reorder(toks)
	case KindDrop:
		if len(toks) < 3 {
			return ""
		}
		i := 1 + g.rng.IntN(len(toks)-2) // a middle part
		if g.v >= V2 {
			// Only parts that stand alone: not half of "Abdul Ghafar".
			var ok []int
			for j := 1; j < len(toks)-1; j++ {
				if !boundPair(toks[j-1], toks[j]) && !boundPair(toks[j], toks[j+1]) {
					ok = append(ok, j)
				}
			}
			if len(ok) == 0 {
				return ""
			}
			i = ok[g.rng.IntN(len(ok))]
		}
		return strings.Join(append(append([]string(nil), toks[:i]...), toks[i+1:]...), " ")
	case KindTranslit:
		return g.translit(toks)
	case KindInitial:
		if len(toks) < 3 || g.v >= V2 && schema != watchlist.Person {
			return ""
		}
		t := append([]string(nil), toks...)
		t[0] = t[0][:1] + "."
		return strings.Join(t, " ")
	case KindNoise:
		s := strings.ToLower(name)
		if g.rng.IntN(2) == 0 {
			s = strings.ToUpper(name)
		}
		return strings.ReplaceAll(s, " ", g.pick([]string{" ", "  ", ", ", " - ", "."}))
	case KindReorderTyp:
		if len(toks) < 2 {
			return ""
		}
		return g.typo(strings.Fields(g.reorder(toks)), 1)
	}
	return ""
}

func (g *Generator) reorder(toks []string) string {
	t := append([]string(nil), toks...)
	if g.rng.IntN(2) == 0 {
		// Family name first.
		t = append([]string{t[len(t)-1]}, t[:len(t)-1]...)
	} else {
		i := g.rng.IntN(len(t) - 1)
		t[i], t[i+1] = t[i+1], t[i]
	}
	return strings.Join(t, " ")
}

const letters = "abcdefghijklmnopqrstuvwxyz"

// boundPair reports whether two neighbouring name parts are the halves of
// one compound given name: "Abdul Ghafar", "Abu Bakr", "Allah Dad",
// "Saif Allah", "Nur al-Din".
func boundPair(a, b string) bool {
	fa, fb := names.Fold(a), strings.Fields(names.Fold(b))
	if i := strings.LastIndexByte(fa, ' '); i >= 0 {
		fa = fa[i+1:]
	}
	if len(fb) == 0 {
		return false
	}
	if len(fb) > 1 && (fb[0] == "al" || fb[0] == "el" || fb[0] == "ul" || fb[0] == "ud" || fb[0] == "ad" || fb[0] == "ed") {
		fb = fb[1:]
	}
	switch fa {
	case "abd", "abdul", "abdel", "abdal", "abdol", "abdur", "abdus", "abdou", "abdu", "abu", "abou", "abo", "allah":
		return true
	}
	switch fb[0] {
	case "allah", "ullah", "ulla", "din", "deen", "eddine", "eddin", "uddin", "dine":
		return true
	}
	return false
}

// typo applies n random edits (insert, delete, substitute, transpose) to
// tokens of four or more letters.
func (g *Generator) typo(toks []string, n int) string {
	if g.v >= V2 {
		return g.typoParts(toks, n)
	}
	t := append([]string(nil), toks...)
	var long []int
	for i, w := range t {
		if len([]rune(w)) >= 4 {
			long = append(long, i)
		}
	}
	if len(long) == 0 {
		return ""
	}
	for range n {
		i := long[g.rng.IntN(len(long))]
		w := []rune(t[i])
		p := 1 + g.rng.IntN(len(w)-1) // keep the first letter: typos there are rarer
		c := rune(letters[g.rng.IntN(26)])
		if unicode.IsUpper(w[0]) && unicode.IsUpper(w[len(w)-1]) {
			c = unicode.ToUpper(c)
		}
		switch g.rng.IntN(4) {
		case 0:
			w = append(w[:p], append([]rune{c}, w[p:]...)...)
		case 1:
			w = append(w[:p], w[p+1:]...)
		case 2:
			w[p] = c
		case 3:
			if p+1 < len(w) {
				w[p], w[p+1] = w[p+1], w[p]
			} else {
				w[p] = c
			}
		}
		t[i] = string(w)
	}
	return strings.Join(t, " ")
}

// typoParts is typo for set V2: edits land inside name parts (runs of
// letters) of at least four letters, never on their first letter, and a
// part of fewer than six letters takes at most one edit.
func (g *Generator) typoParts(toks []string, n int) string {
	type span struct{ tok, start, end int } // rune offsets within toks[tok]
	rs := make([][]rune, len(toks))
	spans := func() []span {
		var out []span
		for i, w := range rs {
			start := -1
			for j := 0; j <= len(w); j++ {
				if j < len(w) && unicode.IsLetter(w[j]) {
					if start < 0 {
						start = j
					}
					continue
				}
				if start >= 0 && j-start >= 4 {
					out = append(out, span{i, start, j})
				}
				start = -1
			}
		}
		return out
	}
	for i, w := range toks {
		rs[i] = []rune(w)
	}
	type key struct{ tok, start int }
	edited := map[key]int{} // a part edited -> its length before
	for e := 0; e < n; e++ {
		var ok []span
		for _, sp := range spans() {
			if l, was := edited[key{sp.tok, sp.start}]; was && l < 6 {
				continue
			}
			ok = append(ok, sp)
		}
		if len(ok) == 0 {
			return ""
		}
		sp := ok[g.rng.IntN(len(ok))]
		w := rs[sp.tok]
		p := sp.start + 1 + g.rng.IntN(sp.end-sp.start-1)
		c := rune(letters[g.rng.IntN(26)])
		if unicode.IsUpper(w[sp.start]) && unicode.IsUpper(w[sp.end-1]) {
			c = unicode.ToUpper(c)
		}
		switch g.rng.IntN(4) {
		case 0:
			w = append(w[:p:p], append([]rune{c}, w[p:]...)...)
		case 1:
			w = append(w[:p:p], w[p+1:]...)
		case 2:
			w[p] = c
		case 3:
			if p+1 < sp.end {
				w[p], w[p+1] = w[p+1], w[p]
			} else {
				w[p] = c
			}
		}
		rs[sp.tok] = w
		if _, was := edited[key{sp.tok, sp.start}]; !was {
			edited[key{sp.tok, sp.start}] = sp.end - sp.start
		}
	}
	t := make([]string, len(rs))
	for i, w := range rs {
		t[i] = string(w)
	}
	return strings.Join(t, " ")
}

// spelling swaps seen between romanisations of the same name.
var swaps = [][2]string{
	{"ou", "u"}, {"u", "ou"}, {"oo", "u"}, {"ee", "i"}, {"i", "ee"}, {"kh", "h"}, {"q", "k"}, {"k", "q"},
	{"dh", "d"}, {"ph", "f"}, {"y", "i"}, {"ie", "i"}, {"e", "a"}, {"a", "e"}, {"o", "u"}, {"u", "o"},
	{"sh", "ch"}, {"j", "dj"}, {"ss", "s"}, {"dd", "d"}, {"mm", "m"}, {"s", "ss"}, {"AL-", "EL-"}, {"Al-", "El-"},
	{"AL-", "AL "}, {"ABDUL ", "ABD AL-"}, {"ABD AL-", "ABDUL "}, {"ABDEL", "ABDUL"}, {"MOHAMMED", "MUHAMMAD"},
	{"MUHAMMAD", "MOHAMED"}, {"MOHAMMAD", "MEHMET"}, {"HUSSEIN", "HUSAYN"}, {"HUSAIN", "HOSSEIN"}, {"YOUSSEF", "YUSUF"},
	{"YUSUF", "YOUSEF"}, {"OMAR", "UMAR"}, {"OSAMA", "USAMA"}, {"BIN ", "IBN "}, {"AHMED", "AHMAD"}, {"AHMAD", "AHMET"},
	{"v", "w"}, {"w", "v"}, {"ck", "k"}, {"c", "k"}, {"x", "ks"}, {"ei", "ai"}, {"ai", "ay"},
}

// translit applies one or two spelling swaps that change the name.
func (g *Generator) translit(toks []string) string {
	s := strings.Join(toks, " ")
	orig := s
	n := 1 + g.rng.IntN(2)
	for tries := 0; tries < 40 && n > 0; tries++ {
		sw := swaps[g.rng.IntN(len(swaps))]
		from, to := sw[0], sw[1]
		// Letter swaps apply in either case.
		if strings.ToLower(from) == from {
			if strings.Contains(s, strings.ToUpper(from)) && !strings.Contains(s, from) {
				from, to = strings.ToUpper(from), strings.ToUpper(to)
			}
		}
		i := strings.Index(s[min(1, len(s)):], from)
		if i < 0 {
			continue
		}
		i += min(1, len(s))
		s = s[:i] + to + s[i+len(from):]
		n--
	}
	if s == orig {
		return ""
	}
	return s
}

// Labelled is one labelled query.
type Labelled struct {
	Query   screen.Query
	Kind    string // perturbation kind, or "negative"
	List    string // the entry it should find ("" for negatives)
	EntryID string
}

// latinName returns the entry's primary Latin-script name, or its first
// strong Latin-script alias.
func latinName(e watchlist.Entry) string {
	for _, n := range e.Names {
		if n.Primary && n.Script == "latin" {
			return n.Value
		}
	}
	for _, n := range e.Names {
		if !n.Weak && n.Script == "latin" {
			return n.Value
		}
	}
	return ""
}

// Positives returns perturbed queries for the entries of part (0 or 1:
// the even- or odd-numbered entries; -1: all), one per applicable kind, as
// set version v builds them.
func Positives(entries []watchlist.Entry, part int, seed uint64, v Version) []Labelled {
	g := NewGeneratorV(seed, v)
	var out []Labelled
	for i, e := range entries {
		if part >= 0 && i%2 != part {
			continue
		}
		name := latinName(e)
		if name == "" {
			continue
		}
		for _, k := range Perturbations {
			q := g.PerturbSchema(name, e.Schema, k)
			if q == "" {
				continue
			}
			out = append(out, Labelled{Query: screen.Query{Name: q, Schema: e.Schema}, Kind: k, List: e.List, EntryID: e.EntryID})
		}
	}
	return out
}

// ArabicQueries returns one query per Arabic-script name of the entries.
func ArabicQueries(entries []watchlist.Entry) []Labelled { return ArabicQueriesPart(entries, -1) }

// WithoutScript returns copies of the entries without names in script.
func WithoutScript(entries []watchlist.Entry, script string) []watchlist.Entry {
	out := make([]watchlist.Entry, 0, len(entries))
	for _, e := range entries {
		c := e
		c.Names = nil
		for _, n := range e.Names {
			if n.Script != script {
				c.Names = append(c.Names, n)
			}
		}
		if len(c.Names) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// signature is the sorted canonical parts of a name: two names with the
// same signature are the same name spelt or ordered differently
// ("Hassan Mohamud", "Mohamed Hassan").
func signature(s string) string {
	parts := strings.Fields(names.Parse(s, names.KindPerson).Folded())
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// Negatives returns n generated names that are not any name of the
// entries: names with the same canonical parts as a listed name, in any
// order, are skipped, since they are that name. In set V2, so are names
// that a perturbation of the positives could make from a listed name (see
// V2).
func Negatives(entries []watchlist.Entry, n int, seed uint64, v Version) []Labelled {
	out, _ := NegativesExcluded(entries, n, seed, v)
	return out
}

// NegativesExcluded is Negatives that also returns the generated names V2
// left out for being perturbations of a listed name, each with the listed
// name it is near.
func NegativesExcluded(entries []watchlist.Entry, n int, seed uint64, v Version) ([]Labelled, [][2]string) {
	listed := map[string]bool{}
	for _, e := range entries {
		for _, nm := range e.Names {
			listed[signature(nm.Value)] = true
		}
	}
	var near *nearIndex
	if v >= V2 {
		near = newNearIndex(entries)
	}
	var excluded [][2]string
	g := NewGeneratorV(seed, v)
	seen := map[string]bool{}
	out := make([]Labelled, 0, n)
	for len(out) < n {
		s := g.Name()
		f := signature(s)
		if listed[f] || seen[f] {
			continue
		}
		if near != nil {
			if l, ok := near.near(s); ok {
				seen[f] = true
				excluded = append(excluded, [2]string{s, l})
				continue
			}
		}
		seen[f] = true
		out = append(out, Labelled{Query: screen.Query{Name: s, Schema: watchlist.Person}, Kind: "negative"})
	}
	return out, excluded
}

// Outcome is the best scores of one labelled query.
type Outcome struct {
	Kind  string
	True  float64 // score of the right entry (positives); 0 when not returned
	Other float64 // best score of any other entry
}

// Run screens every query and records its outcome.
func Run(ix *screen.Index, qs []Labelled) []Outcome {
	out := make([]Outcome, len(qs))
	for i, l := range qs {
		q := l.Query
		q.MinScore = 0.01
		q.Limit = 50
		o := Outcome{Kind: l.Kind}
		for _, h := range ix.Screen(q) {
			if h.List == l.List && h.EntryID == l.EntryID && l.EntryID != "" {
				o.True = max(o.True, h.Score)
			} else {
				o.Other = max(o.Other, h.Score)
			}
		}
		out[i] = o
	}
	return out
}

// Rates returns recall (positives whose entry scores >= t) and the
// false-alert rate (negatives with any hit >= t).
func Rates(pos, neg []Outcome, t float64) (recall, far float64) {
	var r, f int
	for _, o := range pos {
		if o.True >= t {
			r++
		}
	}
	for _, o := range neg {
		if o.Other >= t {
			f++
		}
	}
	return frac(r, len(pos)), frac(f, len(neg))
}

func frac(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// BestThreshold returns the lowest threshold (on a 0.005 grid) whose
// false-alert rate is at most maxFAR, and the recall there.
func BestThreshold(pos, neg []Outcome, maxFAR float64) (t, recall, far float64) {
	for t = 0.05; t <= 1.0001; t += 0.005 {
		r, f := Rates(pos, neg, t)
		if f <= maxFAR {
			return t, r, f
		}
	}
	return 1, 0, 0
}

// ByKind returns recall at t for each perturbation kind, sorted by kind.
func ByKind(pos []Outcome, t float64) []string {
	n, r := map[string]int{}, map[string]int{}
	for _, o := range pos {
		n[o.Kind]++
		if o.True >= t {
			r[o.Kind]++
		}
	}
	var out []string
	for k := range n {
		out = append(out, fmt.Sprintf("%-18s %5d queries  recall %.4f", k, n[k], frac(r[k], n[k])))
	}
	sort.Strings(out)
	return out
}

// Synthetic returns n generated person entries in list "synthetic".
func Synthetic(n int, seed uint64) []watchlist.Entry {
	g := NewGenerator(seed)
	out := make([]watchlist.Entry, n)
	for i := range out {
		out[i] = watchlist.Entry{List: "synthetic", EntryID: fmt.Sprintf("S%07d", i), Schema: watchlist.Person,
			Names: []watchlist.Name{{Value: g.Name(), Script: "latin", Primary: true}}}
	}
	return out
}
