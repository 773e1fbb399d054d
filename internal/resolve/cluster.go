package resolve

import (
	"cmp"
	"slices"
)

// clusters is a union-find over record indices that also keeps every
// cluster's members as a circular list (next) and its smallest record ID
// (min, valid at roots), so that a cluster can be listed, renamed and
// recomputed without scanning all records.
type clusters struct {
	parent []uint32
	size   []uint32
	next   []uint32
	min    []uint32
	// prof holds, at roots of clusters of two or more records, the
	// cluster's profile (nil for a single record: its profile is built
	// from the record when needed).
	prof []*profile
}

func (c *clusters) grow(n int) {
	for i := len(c.parent); i < n; i++ {
		c.parent = append(c.parent, uint32(i))
		c.size = append(c.size, 1)
		c.next = append(c.next, uint32(i))
		c.min = append(c.min, uint32(i))
		c.prof = append(c.prof, nil)
	}
}

// find returns the root of x's cluster. It never writes (no path
// compression: union by size keeps trees shallow), so readers holding the
// read lock and the parallel weak pass may call it concurrently.
func (c *clusters) find(x uint32) uint32 {
	for c.parent[x] != x {
		x = c.parent[x]
	}
	return x
}

// reset makes x a singleton again (its old cluster must be reset whole).
func (c *clusters) reset(x uint32) {
	c.parent[x], c.size[x], c.next[x], c.min[x], c.prof[x] = x, 1, x, x, nil
}

// members calls fn on every member of x's cluster.
func (c *clusters) members(x uint32, fn func(uint32)) {
	y := x
	for {
		fn(y)
		y = c.next[y]
		if y == x {
			return
		}
	}
}

// clusterOf returns the ID of the cluster holding record i: its smallest
// record ID.
func (e *Engine) clusterOf(i uint32) string {
	return e.recs[e.cl.min[e.cl.find(i)]].id
}

// How two clusters come to be joined.
type joinKind uint8

const (
	joinMatch    joinKind = iota // a merge edge between a and b
	joinDocument                 // a merge edge resting on an equal personal document
	joinWeak                     // an exclusive weak link (the clusters must not be distinct at all)
	joinForce                    // a "same" judgement or a context link (Record.Coref)
)

// join joins the clusters of a and b. A "not same" judgement is always
// obeyed. Unless forced by a "same" judgement, the union is refused when
// the clusters' profiles conflict: unrelated dates of birth (unless both
// records of the joining pair have dates, which their score weighed),
// different values of a single-valued identifier such as a driving
// licence, or names that differ (unless the pair shares a personal
// document); a chain of matches must not weld two people together.
// A weak link also needs the clusters not to be distinct on the other
// features.
func (e *Engine) join(a, b uint32, how joinKind) bool {
	ra, rb := e.cl.find(a), e.cl.find(b)
	if ra == rb {
		return true
	}
	if e.judg.notSame > 0 && e.forbidden(ra, rb) {
		return false
	}
	if how != joinForce && (e.cl.size[ra] > 1 || e.cl.size[rb] > 1 || how == joinWeak) {
		ev := e.compareProfiles(e.profileOf(ra), e.profileOf(rb), how != joinWeak)
		bothDated := len(e.recs[a].dates) > 0 && len(e.recs[b].dates) > 0
		switch {
		case ev.dateConflict && !bothDated, ev.identConflict, ev.nameConflict && how != joinDocument:
			return false
		case how == joinWeak && e.distinct(ev):
			return false
		}
	}
	if e.cl.size[ra] < e.cl.size[rb] {
		ra, rb = rb, ra
	}
	pa := e.cl.prof[ra]
	if pa == nil {
		pa = e.recordProfile(ra)
	}
	pa.merge(e.profileOf(rb))
	c := &e.cl
	c.parent[rb] = ra
	c.size[ra] += c.size[rb]
	c.next[ra], c.next[rb] = c.next[rb], c.next[ra]
	if e.recs[c.min[rb]].id < e.recs[c.min[ra]].id {
		c.min[ra] = c.min[rb]
	}
	c.prof[ra], c.prof[rb] = pa, nil
	return true
}

// forbidden reports whether a "not same" judgement holds between a member
// of cluster ra and a member of cluster rb.
func (e *Engine) forbidden(ra, rb uint32) bool {
	if e.cl.size[ra] > e.cl.size[rb] {
		ra, rb = rb, ra
	}
	bad := false
	e.cl.members(ra, func(x uint32) {
		if bad {
			return
		}
		for _, y := range e.judg.partners(e.recs[x].id, NotSame) {
			if j, ok := e.byID[y]; ok && e.cl.find(j) == rb {
				bad = true
				return
			}
		}
	})
	return bad
}

// scoredPair is an undirected edge for clustering.
type scoredPair struct {
	a, b uint32
	w    float32
	doc  bool // the match rests on an equal personal document
}

// joinPair joins the clusters of a strong pair.
func (e *Engine) joinPair(p scoredPair) bool {
	how := joinMatch
	if p.doc {
		how = joinDocument
	}
	return e.join(p.a, p.b, how)
}

// sortPairs orders pairs strongest first; ties by record IDs, so that the
// order (and so which of two conflicting unions wins) never depends on
// the order records arrived in.
func (e *Engine) sortPairs(ps []scoredPair) {
	slices.SortFunc(ps, func(x, y scoredPair) int {
		if c := cmp.Compare(y.w, x.w); c != 0 {
			return c
		}
		xa, xb := e.pairIDs(x)
		ya, yb := e.pairIDs(y)
		if c := cmp.Compare(xa, ya); c != 0 {
			return c
		}
		return cmp.Compare(xb, yb)
	})
}

func (e *Engine) pairIDs(p scoredPair) (string, string) {
	a, b := e.recs[p.a].id, e.recs[p.b].id
	if b < a {
		a, b = b, a
	}
	return a, b
}

// Move is a record whose cluster changed.
type Move struct {
	Record string `json:"record"`
	From   string `json:"from"`
	To     string `json:"to"`
}

// recluster recomputes the clusters of the seed records from scratch:
// everything reachable from them over merge edges and "same" judgements
// is reset to singletons and joined again, judgements first, then edges
// strongest first, skipping unions a "not same" judgement forbids. It
// returns the records whose cluster ID changed.
func (e *Engine) recluster(seeds []uint32) []Move {
	// Closure over current clusters, merge edges and "same" judgements.
	in := map[uint32]bool{}
	var set, stack []uint32
	push := func(x uint32) {
		if !in[x] {
			in[x] = true
			set = append(set, x)
			stack = append(stack, x)
		}
	}
	for _, s := range seeds {
		push(s)
		// Clusters weakly linked to a seed: a judgement on the seed can
		// change whether their links are exclusive.
		for _, ed := range e.adj[s] {
			if ed.weak {
				push(ed.to)
			}
		}
	}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		e.cl.members(x, push)
		for _, ed := range e.adj[x] {
			if ed.merge {
				push(ed.to)
			}
		}
		for _, y := range e.samePartners(e.recs[x].id) {
			if j, ok := e.byID[y]; ok {
				push(j)
			}
		}
	}
	return e.rejoin(set, noRecord)
}

const noRecord = ^uint32(0)

// rejoin resets the records of set (whole clusters) to singletons and
// joins them again from "same" judgements and merge edges within the set,
// strongest first, leaving out record skip. It returns the records whose
// cluster ID changed.
func (e *Engine) rejoin(set []uint32, skip uint32) []Move {
	before := make(map[uint32]string, len(set))
	in := make(map[uint32]bool, len(set))
	for _, x := range set {
		before[x] = e.clusterOf(x)
		in[x] = x != skip
	}
	for _, x := range set {
		e.cl.reset(x)
	}
	slices.SortFunc(set, func(a, b uint32) int { return cmp.Compare(e.recs[a].id, e.recs[b].id) })
	for _, x := range set {
		if !in[x] {
			continue
		}
		for _, y := range e.samePartners(e.recs[x].id) {
			if j, ok := e.byID[y]; ok && in[j] {
				e.join(x, j, joinForce)
			}
		}
	}
	var ps []scoredPair
	for _, x := range set {
		if !in[x] {
			continue
		}
		for _, ed := range e.adj[x] {
			if ed.merge && x < ed.to && in[ed.to] {
				ps = append(ps, scoredPair{x, ed.to, ed.w, ed.doc})
			}
		}
	}
	e.sortPairs(ps)
	for _, p := range ps {
		e.joinPair(p)
	}
	e.weakPass(set, func(r uint32) bool { return in[r] })
	var moves []Move
	for _, x := range set {
		if to := e.clusterOf(x); to != before[x] {
			moves = append(moves, Move{Record: e.recs[x].id, From: before[x], To: to})
		}
	}
	slices.SortFunc(moves, func(a, b Move) int { return cmp.Compare(a.Record, b.Record) })
	return moves
}

// Cluster returns the cluster ID of a record (its cluster's smallest
// record ID).
func (e *Engine) Cluster(id string) (string, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	i, err := e.lookup(id)
	if err != nil {
		return "", err
	}
	return e.clusterOf(i), nil
}

// Members returns the record IDs of the cluster holding id, sorted.
func (e *Engine) Members(id string) ([]string, error) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	i, err := e.lookup(id)
	if err != nil {
		return nil, err
	}
	var out []string
	e.cl.members(i, func(x uint32) { out = append(out, e.recs[x].id) })
	slices.Sort(out)
	return out, nil
}

// Clusters returns every record's cluster ID, by record ID.
func (e *Engine) Clusters() map[string]string {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make(map[string]string, len(e.recs))
	for i := range e.recs {
		out[e.recs[i].id] = e.clusterOf(uint32(i))
	}
	return out
}

// Review is a pair in the "possible match" zone: scored between
// PossibleAt and MergeAt (or above MergeAt on hub evidence alone), in
// different clusters and not judged.
type Review struct {
	A, B        string
	Probability float64
}

// Reviews returns the review queue, most probable first (ties by IDs).
func (e *Engine) Reviews() []Review {
	e.mu.RLock()
	defer e.mu.RUnlock()
	return e.reviews()
}

func (e *Engine) reviews() []Review {
	var out []Review
	best := map[[2]uint32]int{} // cluster pair -> index in out
	for a := range e.adj {
		for _, ed := range e.adj[a] {
			b := ed.to
			if uint32(a) > b || ed.merge || float64(ed.w) < e.possibleW {
				continue
			}
			ra, rb := e.cl.find(uint32(a)), e.cl.find(b)
			if ra == rb {
				continue
			}
			k := [2]uint32{min(ra, rb), max(ra, rb)}
			x, y := e.recs[a].id, e.recs[b].id
			if y < x {
				x, y = y, x
			}
			r := Review{A: x, B: y, Probability: Probability(float64(ed.w))}
			if i, ok := best[k]; ok {
				if o := out[i]; r.Probability > o.Probability || (r.Probability == o.Probability && (r.A < o.A || (r.A == o.A && r.B < o.B))) {
					out[i] = r
				}
				continue
			}
			if e.judg.notSame > 0 && e.forbidden(ra, rb) {
				continue
			}
			best[k] = len(out)
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(x, y Review) int {
		if c := cmp.Compare(y.Probability, x.Probability); c != 0 {
			return c
		}
		if c := cmp.Compare(x.A, y.A); c != 0 {
			return c
		}
		return cmp.Compare(x.B, y.B)
	})
	return out
}
