// Package access is the single access-check point of Mosaic: every read of a
// stored object, by any backend or index, asks Can before returning it.
//
// The rule: a principal sees an object only if it holds every label of the
// object's marking. An unmarked object is visible to all.
package access

import mosaic "github.com/mosaic-intel/mosaic"

// Can reports whether p may see an object marked m.
func Can(p mosaic.Principal, m mosaic.Marking) bool {
	if p.All || len(m) == 0 {
		return true
	}
	// Both are sorted: walk them together.
	i := 0
	for _, l := range m {
		for i < len(p.Clearances) && p.Clearances[i] < l {
			i++
		}
		if i == len(p.Clearances) || p.Clearances[i] != l {
			return false
		}
	}
	return true
}

// Local returns the principal of the local user, who holds every label
// until login exists.
func Local() mosaic.Principal { return mosaic.Principal{Name: "local", All: true} }

// Filter returns the elements of xs whose marking p may see, in order.
func Filter[T any](p mosaic.Principal, xs []T, marking func(T) mosaic.Marking) []T {
	out := xs[:0:0]
	for _, x := range xs {
		if Can(p, marking(x)) {
			out = append(out, x)
		}
	}
	return out
}
