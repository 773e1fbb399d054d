// Package pairs is a learned pair classifier: records given as attribute
// maps are compared attribute by attribute (token overlap, containment,
// Jaro-Winkler, numeric equality) and a logistic regression trained on
// labelled pairs (for example analysts' judgements, or a benchmark's
// training split) turns the comparison into a match probability.
//
// It also reads the Magellan/DeepMatcher pair format used by the DBLP-ACM
// benchmark: "COL attr VAL value ... <TAB> COL attr VAL value ... <TAB> 0|1".
package pairs

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/mosaic-intel/mosaic/internal/resolve"
)

// Pair is two records (attribute -> value) and whether they match.
type Pair struct {
	A, B  map[string]string
	Match bool
}

// ReadMagellan reads labelled pairs in the Magellan/DeepMatcher format.
func ReadMagellan(r io.Reader) ([]Pair, error) {
	var out []Pair
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		parts := strings.Split(sc.Text(), "\t")
		if len(parts) != 3 {
			return nil, fmt.Errorf("pairs: line %d: want 3 tab-separated fields, have %d", line, len(parts))
		}
		label := strings.TrimSpace(parts[2])
		if label != "0" && label != "1" {
			return nil, fmt.Errorf("pairs: line %d: label %q", line, label)
		}
		out = append(out, Pair{A: parseSide(parts[0]), B: parseSide(parts[1]), Match: label == "1"})
	}
	return out, sc.Err()
}

func parseSide(s string) map[string]string {
	m := map[string]string{}
	for _, chunk := range strings.Split(s, "COL ")[1:] {
		name, val, ok := strings.Cut(chunk, " VAL ")
		if !ok {
			continue
		}
		m[strings.TrimSpace(name)] = strings.TrimSpace(val)
	}
	return m
}

// Featurizer compares the named attributes of two records.
type Featurizer struct {
	Attributes []string
}

// perAttr is the number of features per attribute.
const perAttr = 9

// Names returns the feature names, in order.
func (f Featurizer) Names() []string {
	var out []string
	for _, a := range f.Attributes {
		for _, k := range []string{"missing", "jaccard", "containment", "jw", "tokenjw", "equal", "acronym", "lastwords", "numdiff"} {
			out = append(out, a+"."+k)
		}
	}
	return out
}

// Features compares a and b.
func (f Featurizer) Features(a, b map[string]string) []float64 {
	out := make([]float64, 0, perAttr*len(f.Attributes))
	for _, attr := range f.Attributes {
		x, y := norm(a[attr]), norm(b[attr])
		if x == "" || y == "" {
			out = append(out, 1, 0, 0, 0, 0, 0, 0, 0, 0)
			continue
		}
		tx, ty := strings.Fields(x), strings.Fields(y)
		inter := 0
		set := map[string]bool{}
		for _, t := range tx {
			set[t] = true
		}
		seen := map[string]bool{}
		for _, t := range ty {
			if set[t] && !seen[t] {
				inter++
				seen[t] = true
			}
		}
		union := len(set) + len(uniq(ty)) - inter
		jacc := float64(inter) / float64(max(union, 1))
		cont := float64(inter) / float64(max(1, min(len(set), len(uniq(ty)))))
		eq := 0.0
		if x == y {
			eq = 1
		}
		numdiff := 0.0
		if nx, err1 := strconv.ParseFloat(x, 64); err1 == nil {
			if ny, err2 := strconv.ParseFloat(y, 64); err2 == nil {
				numdiff = math.Min(math.Abs(nx-ny), 5) / 5
			}
		}
		out = append(out, 0, jacc, cont, resolve.JaroWinkler(x, y), tokenJW(tx, ty), eq,
			acronymMatch(tx, ty), lastWords(a[attr], b[attr]), numdiff)
	}
	return out
}

func uniq(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return slices.Compact(c)
}

// tokenJW is the mean, over the shorter token list, of each token's best
// Jaro-Winkler similarity in the other list.
func tokenJW(a, b []string) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(a) == 0 {
		return 0
	}
	s := 0.0
	for _, x := range a {
		best := 0.0
		for _, y := range b {
			best = max(best, resolve.JaroWinkler(x, y))
		}
		s += best
	}
	return s / float64(len(a))
}

func norm(s string) string {
	return strings.Join(strings.FieldsFunc(resolve.FoldLatin(s), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 0x7f)
	}), " ")
}

var stopwords = map[string]bool{"on": true, "of": true, "the": true, "and": true, "for": true, "in": true, "a": true, "an": true, "acm": true, "to": true}

// acronymMatch is 1 when one value's content words abbreviate to a token
// of the other ("very large data bases" and "vldb").
func acronymMatch(a, b []string) float64 {
	acr := func(ts []string) string {
		var s []byte
		for _, t := range ts {
			if !stopwords[t] && t != "" {
				s = append(s, t[0])
			}
		}
		return string(s)
	}
	aa, ab := acr(a), acr(b)
	for _, t := range b {
		if len(t) >= 3 && (t == aa || len(aa) > len(t) && aa[:len(t)] == t) {
			return 1
		}
	}
	for _, t := range a {
		if len(t) >= 3 && (t == ab || len(ab) > len(t) && ab[:len(t)] == t) {
			return 1
		}
	}
	return 0
}

// lastWords is the Jaccard overlap of the last words of comma-separated
// items (the surnames of an author list).
func lastWords(a, b string) float64 {
	last := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, item := range strings.Split(s, ",") {
			f := strings.Fields(norm(item))
			if len(f) > 0 {
				m[f[len(f)-1]] = true
			}
		}
		return m
	}
	la, lb := last(a), last(b)
	if len(la) == 0 || len(lb) == 0 {
		return 0
	}
	inter := 0
	for w := range la {
		if lb[w] {
			inter++
		}
	}
	return float64(inter) / float64(len(la)+len(lb)-inter)
}
