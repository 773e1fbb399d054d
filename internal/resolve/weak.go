package resolve

import (
	"cmp"
	"slices"
)

// Weak links and exclusivity.
//
// Many records share nothing with another record of the same person but
// the name: a passenger record gives a date of birth and a passport, a
// customer record a phone and an address. Whether such a weak link (see
// classify) means the same person depends on who else bears the name: in a
// town of a few thousand, "Roberta Greco" is one woman; in a city, she may
// be three. No score on the pair alone can say which, so the engine asks
// the data: a weak link between clusters X and Y joins them only when it is
// exclusive, that is when every other cluster weakly linked to X could be
// the same person as Y and every other cluster weakly linked to Y could be
// the same person as X (no two of them are distinct: see distinct). When
// two people bearing the name are known apart (different dates of birth,
// different addresses and phones), a record that could be either stays on
// its own, and its links wait in the review queue.
//
// The decisions of one round are made on the clusters as they stand, then
// applied strongest first (ties by record IDs), so the outcome does not
// depend on the order of records; rounds repeat until nothing changes.

// maxWeakRounds bounds the rounds of the weak pass.
const maxWeakRounds = 4

// weakPass joins the clusters of exclusive weak links. It considers the
// weak edges of the records in scope (nil: every record) whose both ends
// pass ok (nil: all). It returns how many unions it made.
func (e *Engine) weakPass(scope []uint32, ok func(uint32) bool) int {
	total := 0
	var changed map[uint32]bool // roots joined in the last round (nil: all)
	for range maxWeakRounds {
		n, joined := e.weakRound(scope, ok, changed)
		total += n
		if n == 0 {
			break
		}
		// Later rounds look again only at links touching a cluster that
		// just grew: elsewhere nothing a decision depends on changed
		// but the clusters around, which seldom turns an ambiguous link
		// exclusive.
		changed = map[uint32]bool{}
		for _, r := range joined {
			changed[e.cl.find(r)] = true
		}
	}
	return total
}

type weakCand struct {
	a, b uint32 // records of the strongest weak edge between the two clusters
	w    float32
}

func (e *Engine) weakRound(scope []uint32, ok func(uint32) bool, changed map[uint32]bool) (int, []uint32) {
	best := map[[2]uint32]weakCand{}
	visit := func(a uint32) {
		if ok != nil && !ok(a) {
			return
		}
		ra := e.cl.find(a)
		for _, ed := range e.adj[a] {
			if !ed.join {
				continue
			}
			b := ed.to
			if ok != nil && !ok(b) {
				continue
			}
			rb := e.cl.find(b)
			if ra == rb || changed != nil && !changed[ra] && !changed[rb] {
				continue
			}
			k := [2]uint32{min(ra, rb), max(ra, rb)}
			c, seen := best[k]
			if !seen || ed.w > c.w || (ed.w == c.w && e.pairLess(a, b, c.a, c.b)) {
				best[k] = weakCand{a: a, b: b, w: ed.w}
			}
		}
	}
	if scope == nil {
		for a := range e.recs {
			visit(uint32(a))
		}
	} else {
		for _, a := range scope {
			visit(a)
		}
	}
	// Decide in parallel (the clusters do not change while deciding;
	// each worker keeps its own caches).
	keys := make([][2]uint32, 0, len(best))
	for k := range best {
		keys = append(keys, k)
	}
	ok2 := make([]bool, len(keys))
	states := make([]*weakState, e.cfg.Workers)
	e.parallel(len(keys), func(w, i int) {
		if states[w] == nil {
			states[w] = &weakState{e: e, nb: map[uint32][]neighbour{}, dist: map[[2]uint32]bool{}}
		}
		ok2[i] = states[w].safe(keys[i][0], keys[i][1])
	})
	var safe []weakCand
	for i, k := range keys {
		if ok2[i] {
			safe = append(safe, best[k])
		}
	}
	slices.SortFunc(safe, func(x, y weakCand) int {
		if c := cmp.Compare(y.w, x.w); c != 0 {
			return c
		}
		if e.pairLess(x.a, x.b, y.a, y.b) {
			return -1
		}
		return 1
	})
	n := 0
	var joined []uint32
	for _, c := range safe {
		if e.cl.find(c.a) != e.cl.find(c.b) && e.join(c.a, c.b, joinWeak) {
			n++
			joined = append(joined, c.a)
		}
	}
	return n, joined
}

// pairLess orders record pairs by their IDs (smaller ID first in each).
func (e *Engine) pairLess(a, b, c, d uint32) bool {
	x1, x2 := e.recs[a].id, e.recs[b].id
	if x2 < x1 {
		x1, x2 = x2, x1
	}
	y1, y2 := e.recs[c].id, e.recs[d].id
	if y2 < y1 {
		y1, y2 = y2, y1
	}
	if x1 != y1 {
		return x1 < y1
	}
	return x2 < y2
}

// weakState caches, for one round, the weak neighbours of clusters and
// which pairs of clusters are distinct.
type weakState struct {
	e    *Engine
	nb   map[uint32][]neighbour
	dist map[[2]uint32]bool
	prof map[uint32]*profile // profiles of single records
}

// neighbour is a cluster weakly linked to another, with the weight of the
// strongest weak link between them.
type neighbour struct {
	root uint32
	w    float32
}

func (st *weakState) distinct(x, y uint32) bool {
	k := [2]uint32{min(x, y), max(x, y)}
	d, ok := st.dist[k]
	if !ok {
		d = st.e.distinct(st.e.compareProfiles(st.profile(x), st.profile(y), false))
		if !d && st.e.judg.notSame > 0 && st.e.forbidden(x, y) {
			d = true
		}
		st.dist[k] = d
	}
	return d
}

// profile returns the profile of the cluster rooted at r, keeping those
// built for single records.
func (st *weakState) profile(r uint32) *profile {
	if p := st.e.cl.prof[r]; p != nil {
		return p
	}
	if st.prof == nil {
		st.prof = map[uint32]*profile{}
	}
	p, ok := st.prof[r]
	if !ok {
		p = st.e.recordProfile(r)
		st.prof[r] = p
	}
	return p
}

// neighbours returns the clusters weakly linked to the cluster rooted at
// r that could be the same person.
func (st *weakState) neighbours(r uint32) []neighbour {
	if n, ok := st.nb[r]; ok {
		return n
	}
	e := st.e
	var out []neighbour
	e.cl.members(r, func(x uint32) {
		for _, ed := range e.adj[x] {
			if !ed.weak {
				continue
			}
			y := e.cl.find(ed.to)
			if y == r {
				continue
			}
			if i := slices.IndexFunc(out, func(n neighbour) bool { return n.root == y }); i >= 0 {
				out[i].w = max(out[i].w, ed.w)
			} else {
				out = append(out, neighbour{y, ed.w})
			}
		}
	})
	if len(out) > 2*maxCircle {
		// A name this common cannot be decided on; keep the list long
		// enough for safe to see that.
		st.nb[r] = out
		return out
	}
	kept := out[:0]
	for _, y := range out {
		if !st.distinct(r, y.root) {
			kept = append(kept, y)
		}
	}
	st.nb[r] = kept
	return kept
}

// maxCircle bounds the clusters an exclusive weak link may have around
// it: a name borne by more is taken to be too common to decide on.
const maxCircle = 32

// safe reports whether the weak link between the clusters rooted at x and
// y is exclusive: the clusters that could be the same person as x or y
// about as well as each other (weakly linked to one of them, not distinct
// from it, within Config.WeakMargin bits of the link x-y) are, with x and
// y, one identity: no two of them are distinct. When two of them are
// known apart, the name is borne by two people and x or y could be
// either.
func (st *weakState) safe(x, y uint32) bool {
	if st.distinct(x, y) {
		return false
	}
	if len(st.neighbours(x)) > maxCircle || len(st.neighbours(y)) > maxCircle {
		return false
	}
	circle := st.circle(x, y)
	if len(circle) > maxCircle {
		return false
	}
	for i := range circle {
		for j := i + 1; j < len(circle); j++ {
			if st.distinct(circle[i], circle[j]) {
				return false
			}
		}
	}
	return true
}

// circle returns x, y and the clusters weakly linked to either about as
// strongly as x and y are linked.
func (st *weakState) circle(x, y uint32) []uint32 {
	out := []uint32{x, y}
	for _, p := range [2][2]uint32{{x, y}, {y, x}} {
		nb := st.neighbours(p[0])
		var wxy float32 = -1e9
		for _, n := range nb {
			if n.root == p[1] {
				wxy = n.w
			}
		}
		for _, z := range nb {
			if float64(z.w) >= float64(wxy)-st.e.cfg.WeakMargin && !slices.Contains(out, z.root) {
				out = append(out, z.root)
			}
		}
	}
	return out
}

// rivals returns the pairs of clusters around the weak link x-y that are
// distinct (for explanations: they make it ambiguous).
func (st *weakState) rivals(x, y uint32) []uint32 {
	circle := st.circle(x, y)
	var out []uint32
	for i := range circle {
		for j := i + 1; j < len(circle); j++ {
			if st.distinct(circle[i], circle[j]) {
				for _, z := range [2]uint32{circle[i], circle[j]} {
					if !slices.Contains(out, z) {
						out = append(out, z)
					}
				}
			}
		}
	}
	return out
}

// alternatives returns the clusters that make the weak link between the
// clusters of records a and b ambiguous (for explanations).
func (e *Engine) alternatives(a, b uint32) []string {
	st := weakState{e: e, nb: map[uint32][]neighbour{}, dist: map[[2]uint32]bool{}}
	x, y := e.cl.find(a), e.cl.find(b)
	var out []string
	for _, z := range st.rivals(x, y) {
		if id := e.recs[e.cl.min[z]].id; !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}
