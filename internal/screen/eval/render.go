package eval

import (
	"bufio"
	"fmt"
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
}

// LoadRenderer reads the pair tables in dir (../shared/data/screening/variants).
func LoadRenderer(dir string) (*Renderer, error) {
	type cand struct {
		ar string
		n  int
	}
	best := map[string]cand{}
	add := func(lat, ar string, n int) {
		lat = names.Fold(lat)
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
	r := &Renderer{ar: map[string]string{}}
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
