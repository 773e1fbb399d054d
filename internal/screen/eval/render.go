package eval

import (
	"bufio"
	"fmt"
	"hash/fnv"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/mosaic-intel/mosaic/internal/names"
	"github.com/mosaic-intel/mosaic/internal/screen"
	"github.com/mosaic-intel/mosaic/internal/watchlist"
)

// Renderer writes generated Latin-script names in Arabic script, word by
// word, from the Arabic-Latin name pairs in the shared variants directory
// (google_ar2en.tsv, Apache-2.0; amazon_wikidata_wd_arabic_20.tsv, CC0):
// each Latin spelling's most frequent Arabic form. The pairs are read in
// place, never copied.
type Renderer struct {
	ar map[string]string // folded Latin word -> Arabic script
	// learned holds the folded Latin words of pairs outside the fifth
	// that internal/names holds out from learning its tables.
	learned map[string]bool
}

// LoadRenderer reads the pair tables in dir (../shared/data/screening/variants).
func LoadRenderer(dir string) (*Renderer, error) {
	type cand struct {
		ar string
		n  int
	}
	best := map[string]cand{}
	learned := map[string]bool{}
	add := func(lat, ar string, n int) {
		h := fnv.New32a()
		h.Write([]byte(ar + "\t" + lat))
		lat = names.Fold(lat)
		if h.Sum32()%5 != 0 {
			learned[lat] = true
		}
		if lat == "" || strings.Contains(lat, " ") || ar == "" {
			return
		}
		c := best[lat]
		if n > c.n || n == c.n && ar < c.ar {
			best[lat] = cand{ar, n}
		}
	}
	read := func(file string, fn func(cols []string)) error {
		f, err := os.Open(filepath.Join(dir, file))
		if err != nil {
			return fmt.Errorf("renderer: %w", err)
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fn(strings.Split(sc.Text(), "\t"))
		}
		return sc.Err()
	}
	if err := read("google_ar2en.tsv", func(c []string) {
		if len(c) >= 2 {
			add(c[1], c[0], 1)
		}
	}); err != nil {
		return nil, err
	}
	if err := read("amazon_wikidata_wd_arabic_20.tsv", func(c []string) {
		if len(c) >= 3 {
			n, _ := strconv.Atoi(c[2])
			add(c[0], strings.ReplaceAll(c[1], " ", ""), n)
		}
	}); err != nil {
		return nil, err
	}
	r := &Renderer{ar: map[string]string{}, learned: learned}
	for lat, c := range best {
		r.ar[lat] = c.ar
	}
	return r, nil
}

// Render returns name in Arabic script, or false when a word of it has no
// Arabic form in the tables.
func (r *Renderer) Render(name string) (string, bool) {
	words := strings.Fields(names.Fold(name))
	out := make([]string, 0, len(words))
	for _, w := range words {
		a, ok := r.ar[w]
		if !ok {
			return "", false
		}
		out = append(out, a)
	}
	return strings.Join(out, " "), len(out) > 0
}

// ArabicNegatives renders the Latin-script negatives that r can write in
// Arabic script, at most n of them, in order.
func (r *Renderer) ArabicNegatives(neg []Labelled, n int) []Labelled {
	var out []Labelled
	for _, l := range neg {
		if len(out) == n {
			break
		}
		if a, ok := r.Render(l.Query.Name); ok {
			q := l.Query
			q.Name = a
			out = append(out, Labelled{Query: q, Kind: "negative-arabic"})
		}
	}
	return out
}

// ArabicQueriesPart returns the Arabic-script names of the entries of part
// (0 or 1: even- or odd-numbered entries; -1: all), one query each.
func ArabicQueriesPart(entries []watchlist.Entry, part int) []Labelled {
	var out []Labelled
	for i, e := range entries {
		if part >= 0 && i%2 != part {
			continue
		}
		for _, n := range e.Names {
			if n.Script == "arabic" {
				out = append(out, Labelled{Query: screen.Query{Name: n.Value, Schema: e.Schema}, Kind: KindArabic, List: e.List, EntryID: e.EntryID})
			}
		}
	}
	return out
}

// arabicPool is how many generated names, per Latin-script negative, are
// tried for rendering in Arabic script: about one in six can be written,
// so three times the Latin negatives give about half as many Arabic ones.
const arabicPool = 3

// ArabicNegativesFor generates arabicPool*n names (set v, seed, the same
// exclusions as Negatives) and returns those r can write in Arabic script.
func (r *Renderer) ArabicNegativesFor(entries []watchlist.Entry, n int, seed uint64, v Version) []Labelled {
	return r.ArabicNegatives(Negatives(entries, arabicPool*n, seed, v), arabicPool*n)
}

// ArabicGenerated generates person names (seed) and returns, for up to n
// of them that r can write in Arabic script, the Latin-script entry
// (list "gen") and the Arabic-script query for it. heldOut selects names
// whose every word the pairs of the held-out fifth alone spell (names the
// learned tables of internal/names have not seen), else names whose every
// word is spelt in a learning pair; the two never share a word.
func (r *Renderer) ArabicGenerated(seed uint64, n int, heldOut bool) ([]watchlist.Entry, []Labelled) {
	g := NewGenerator(seed)
	var gen []watchlist.Entry
	var qs []Labelled
	seen := map[string]bool{}
	for i := 0; i < 200*n && len(qs) < n; i++ {
		nm := g.Name()
		words := strings.Fields(names.Fold(nm))
		ok := len(words) >= 2 && !seen[nm]
		for _, w := range words {
			if r.learned[w] == heldOut {
				ok = false
			}
		}
		if !ok {
			continue
		}
		a, ok := r.Render(nm)
		if !ok {
			continue
		}
		seen[nm] = true
		id := "G" + strconv.Itoa(len(gen))
		gen = append(gen, watchlist.Entry{List: "gen", EntryID: id, Schema: watchlist.Person, Names: []watchlist.Name{{Value: nm, Script: "latin", Primary: true}}})
		qs = append(qs, Labelled{Query: screen.Query{Name: a, Schema: watchlist.Person}, Kind: KindArabic, List: "gen", EntryID: id})
	}
	return gen, qs
}
