package eval

import (
	"slices"
	"strings"

	"github.com/mosaic-intel/mosaic/internal/names"
	"github.com/mosaic-intel/mosaic/internal/watchlist"
)

// nearIndex finds the listed Latin-script name that a generated name could
// have been made from by the positives' own perturbations (set V2): up to
// part order, case, punctuation and the spelling variants of the names
// tables, the listed name with one or two typos as V2 makes them (not on a
// part's first letter, none in parts under four letters, at most one in
// parts under six), with one or two of the transliteration swaps, or with
// one middle part dropped. Such a name is a positive by the set's own rules, so
// set V2 does not use it as a negative. The test is independent of the
// matcher under evaluation: it uses only names.Parse (folding and
// canonical spellings), edit distance and the swap table.
type nearIndex struct {
	names [][]string       // canonical parts of each listed name
	text  []string         // the listed name as written
	keys  map[string][]int // part or one-deletion of a part -> listed names
	swaps [][2]string      // the letter swaps of the transliteration perturbation, lower case
}

// canonParts returns the canonical forms of every token of s, titles and
// particles included (only the generator's own changes are discounted).
func canonParts(s string) []string {
	n := names.Parse(s, names.KindPerson)
	out := make([]string, 0, len(n.Tokens))
	for _, t := range n.Tokens {
		out = append(out, t.Canon)
	}
	return out
}

// deletions1 returns s and every string made by deleting one byte of it.
func deletions1(s string) []string {
	out := []string{s}
	for i := range len(s) {
		out = append(out, s[:i]+s[i+1:])
	}
	return out
}

func newNearIndex(entries []watchlist.Entry) *nearIndex {
	x := &nearIndex{keys: map[string][]int{}}
	for _, sw := range swaps {
		from, to := strings.ToLower(sw[0]), strings.ToLower(sw[1])
		if strings.ContainsAny(from, " -") || strings.ContainsAny(to, " -") {
			continue // whole-word swaps are spelling variants, undone by Parse
		}
		x.swaps = append(x.swaps, [2]string{from, to})
	}
	for _, e := range entries {
		for _, n := range e.Names {
			if n.Script != "latin" {
				continue
			}
			p := canonParts(n.Value)
			if len(p) == 0 || len(p) > 8 {
				continue
			}
			id := len(x.names)
			x.names = append(x.names, p)
			x.text = append(x.text, n.Value)
			seen := map[string]bool{}
			for _, part := range p {
				for _, k := range deletions1(part) {
					if !seen[k] {
						seen[k] = true
						x.keys[k] = append(x.keys[k], id)
					}
				}
			}
		}
	}
	return x
}

// near returns the listed name s is near, if any.
func (x *nearIndex) near(s string) (string, bool) {
	q := canonParts(s)
	if len(q) == 0 || len(q) > 8 {
		return "", false
	}
	tried := map[int]bool{}
	for _, part := range q {
		for _, k := range deletions1(part) {
			for _, id := range x.keys[k] {
				if tried[id] {
					continue
				}
				tried[id] = true
				if x.nearParts(q, x.names[id]) {
					return x.text[id], true
				}
			}
		}
	}
	return "", false
}

// nearParts reports whether q is l changed as a V2 positive may be: with
// at most two typos or two swaps over an order-free pairing of their
// parts, or with one middle part dropped.
func (x *nearIndex) nearParts(q, l []string) bool {
	switch len(l) - len(q) {
	case 0:
		return minPairing(q, l, 0, make([]bool, len(l)), 0, typoCost) <= 2 ||
			minPairing(q, l, 0, make([]bool, len(l)), 0, x.swapCost) <= 2
	case 1:
		// A middle part dropped, the rest in order.
		for i := 1; i < len(l)-1; i++ {
			if slices.Equal(q[:i], l[:i]) && slices.Equal(q[i:], l[i+1:]) {
				return true
			}
		}
	}
	return false
}

// typoCost is how many V2 typos turn listed part l into q (3 when they
// cannot): none in parts under four letters or on the first letter, at
// most one in parts under six.
func typoCost(q, l string) int {
	if q == l {
		return 0
	}
	if len(l) < 4 || q[0] != l[0] {
		return 3
	}
	budget := 1
	if len(l) >= 6 {
		budget = 2
	}
	if d := names.EditDistance(q, l); d <= budget {
		return d
	}
	return 3
}

// swapCost is how many transliteration swaps turn listed part l into q: 0,
// 1, or 3 when one swap does not (two swaps in one part are rare enough to
// leave out).
func (x *nearIndex) swapCost(q, l string) int {
	if q == l {
		return 0
	}
	if d := len(q) - len(l); d > 2 || d < -2 {
		return 3
	}
	for _, sw := range x.swaps {
		from, to := sw[0], sw[1]
		for i := 0; i+len(from) <= len(l); i++ {
			if l[i:i+len(from)] == from && len(l)-len(from)+len(to) == len(q) && q == l[:i]+to+l[i+len(from):] {
				return 1
			}
		}
	}
	return 3
}

// minPairing returns the least summed cost of a one-to-one pairing of
// q[i:] with the unused parts of l, or a number above 2 once the sum
// passes 2.
func minPairing(q, l []string, i int, used []bool, sum int, cost func(q, l string) int) int {
	if sum > 2 {
		return sum
	}
	if i == len(q) {
		return sum
	}
	best := 3
	for j := range l {
		if used[j] {
			continue
		}
		d := cost(q[i], l[j])
		if sum+d > 2 {
			continue
		}
		used[j] = true
		best = min(best, minPairing(q, l, i+1, used, sum+d, cost))
		used[j] = false
		if best == 0 {
			break
		}
	}
	return best
}
