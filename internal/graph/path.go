package graph

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"

	mosaic "github.com/mosaic-intel/mosaic"
)

// PathOptions configure Paths.
type PathOptions struct {
	Filter
	// MaxHops bounds the length of a path (default 6).
	MaxHops int `json:"max_hops,omitempty"`
	// K asks for the K cheapest loopless paths (default 1).
	K int `json:"k,omitempty"`
	// HubWeight scales the hub penalty: crossing node x costs
	// HubWeight·ln(1+deg(x)) on top of the edges' own costs, deg counting
	// only edges the caller may see. 0 means the default, 0.5; a negative
	// value turns the penalty off.
	HubWeight float64 `json:"hub_weight,omitempty"`
	// Budget bounds the adjacency entries one search may scan (default
	// 400,000, about 10 ms; negative: unbounded). A search that runs out
	// returns the best path it has found, marked Proven false.
	Budget int `json:"budget,omitempty"`
}

// DefaultBudget is the default PathOptions.Budget.
const DefaultBudget = 400_000

// Path is one path between two nodes, each hop with its evidence.
type Path struct {
	Nodes []NodeInfo `json:"nodes"`
	Edges []EdgeInfo `json:"edges"`
	// Cost is the path's score (lower is better): the sum over edges of
	// 1 + 2(1-confidence) + a penalty for thin evidence, plus the hub
	// penalties of the nodes crossed.
	Cost float64 `json:"cost"`
	// Proven is false when the search budget ran out before the path was
	// proven the cheapest (it is still a real path, with its evidence).
	Proven bool `json:"proven"`
}

const defaultMaxHops = 6

// Paths returns up to K cheapest paths from one node to another, cheapest
// first, never crossing an edge or node p may not see or that the filter
// excludes. An unknown or invisible endpoint gives ErrNotFound; no path
// gives an empty result.
//
// The search is a bidirectional Dijkstra that expands the side that has
// done less work. A node's neighbours are scanned only when the search
// can no longer finish without them, which keeps airports and public
// phones from costing a million relaxations per query, and labels that
// cannot lead to a path cheaper than the best found are pruned (see
// search). With MaxHops, the result is the cheapest path found within the
// hop bound (exact without a bound). K > 1 uses Yen's algorithm.
func (g *Graph) Paths(ctx context.Context, p mosaic.Principal, from, to mosaic.ID, o PathOptions) ([]Path, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	v := g.view(p, o.Filter)
	src, err := v.lookupVisible(from)
	if err != nil {
		return nil, fmt.Errorf("path from %s: %w", from, err)
	}
	dst, err := v.lookupVisible(to)
	if err != nil {
		return nil, fmt.Errorf("path to %s: %w", to, err)
	}
	if o.MaxHops <= 0 {
		o.MaxHops = defaultMaxHops
	}
	o.MaxHops = min(o.MaxHops, 250)
	if o.K <= 0 {
		o.K = 1
	}
	s := &searcher{g: g, v: v, hubW: 0.5, src: src, dst: dst, budget: o.Budget}
	switch {
	case s.budget == 0:
		s.budget = DefaultBudget
	case s.budget < 0:
		s.budget = math.MaxInt
	}
	switch {
	case o.HubWeight > 0:
		s.hubW = float32(o.HubWeight)
	case o.HubWeight < 0:
		s.hubW = 0
	}
	pool := &g.scratch
	if s.hubW > 0 {
		ps := v.penalties()
		s.pen, pool = ps.pen, &ps.pool
	}
	s.minCost = v.minCost()
	s.allNodes = v.allNodes
	if s.pen != nil {
		for q := range s.penLB {
			// q/2 <= the node's ln(1+degree) exactly, and float32
			// rounding is monotone, so this never exceeds its penalty.
			s.penLB[q] = s.hubW * (float32(q) / penSteps)
		}
	}
	s.sc = g.getScratch(pool, s.pen)
	defer pool.Put(s.sc)
	raws := s.kShortest(ctx, o.K, o.MaxHops)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("path: %w", err)
	}
	out := make([]Path, len(raws))
	for i, r := range raws {
		out[i] = g.explain(r)
	}
	return out, nil
}

func (g *Graph) explain(r rawPath) Path {
	p := Path{Cost: float64(r.cost), Proven: r.proven, Nodes: make([]NodeInfo, len(r.nodes)), Edges: make([]EdgeInfo, len(r.eids))}
	for i, u := range r.nodes {
		p.Nodes[i] = g.nodeInfo(u)
	}
	for i, e := range r.eids {
		p.Edges[i] = g.edgeInfo(r.nodes[i], r.nodes[i+1], r.cds[i], e)
	}
	return p
}

// rawPath is a path in internal ids: cds[i] is the class and direction of
// edge eids[i] as seen from nodes[i].
type rawPath struct {
	nodes, eids, cds []uint32
	cost             float32
	proven           bool
}

// nodeState is a node's state on one side of a search: its distance, its
// parent and the edge (or lazy ref, see relax) from the parent.
type nodeState struct {
	dist    float32
	par, pe uint32
}

// nodeRec is everything a search reads of a node, 32 bytes, so one cache
// line: both sides' states and hop counts, and the node's hub penalty
// ln(1+visible degree), copied from the view's penalties when the scratch
// was made (scratches are pooled per set of penalties), so settling a node
// does not also read the penalty array.
type nodeRec struct {
	s    [2]nodeState
	pen  float32
	hops [2]uint8
}

// Per-node flags of a search, one byte a node: whether each side has
// reached and settled it. A relaxation reads the flags (a small array,
// mostly in cache) and touches the node's state only when it labels the
// node or both sides have reached it. The high four bits are not reset
// between searches: they hold the node's penalty ln(1+visible degree)
// rounded down to a multiple of 1/2 (at most 7.5), so that a relaxation
// can prune with a lower bound of the neighbour's penalty without reading
// it (see relax).
const (
	reached0 = 1 << iota
	settled0
	reached1
	settled1

	flagBits = 0x0f
	penShift = 4
	penSteps = 2 // the penalty bits count halves
)

type scratch struct {
	st      []nodeRec
	pcd     [][2]uint32 // class and direction of the edge par -> node, seen from par
	flags   []uint8
	touched []uint32 // nodes whose flags are set
	heap    [2]heap
}

// getScratch takes a scratch from pool, which holds scratches whose
// penalties are pen (nil: no penalties), or makes one.
func (g *Graph) getScratch(pool *sync.Pool, pen []float32) *scratch {
	n := len(g.nclass)
	sc, _ := pool.Get().(*scratch)
	if sc == nil || len(sc.st) < n {
		c := n + n/8 + 16
		sc = &scratch{st: make([]nodeRec, c), pcd: make([][2]uint32, c), flags: make([]uint8, c)}
		for u, p := range pen {
			sc.st[u].pen = p
			sc.flags[u] = uint8(min(flagBits, math.Floor(float64(p)*penSteps))) << penShift
		}
	}
	return sc
}

// reset clears the flags of the last search.
func (sc *scratch) reset() {
	for _, u := range sc.touched {
		sc.flags[u] &^= flagBits
	}
	sc.touched = sc.touched[:0]
}

type bans struct {
	nodes map[uint32]bool
	edges map[uint32]bool
}

type searcher struct {
	g        *Graph
	v        *view
	pen      []float32
	hubW     float32
	src, dst uint32
	sc       *scratch
	// minCost is the least cost of any edge the view may cross.
	minCost float32
	// relaxed counts the entries the current search scanned; budget
	// bounds it. labels and scans count labels set and nodes scanned
	// (for searchHook).
	relaxed, budget int
	labels, scans   int
	// needEid: filters or bans need every edge id, not only kept ones.
	needEid bool
	// allNodes: every node is visible and allowed (no per-node check).
	allNodes bool
	st       step
	// penLB[q] is a lower bound of the weighted penalty of a node whose
	// flags hold q in their high bits (see reached0).
	penLB [16]float32
	// The relax callback, made once per query rather than per node.
	relaxFn func(w, cd, eid uint32) bool
}

// step is the state of the node being expanded, read by relax.
type step struct {
	si int // side: 0 forward, 1 backward
	// The flags of this side and the other.
	reachedMe, settledMe, reachedOther uint8
	otherTop                           float32 // least key in the other side's heap
	u                                  uint32
	// base is the cost of reaching u plus u's hub penalty, which every
	// edge leaving u adds (see search).
	base    float32
	hops    uint8 // u's hops + 1
	maxHops int
	bn      *bans
	best    float32
	meet    uint32
}

// relax considers the entry (w, cd, ref) of the node being expanded; ref
// is an edge id or a lazy ref (see eachBaseLazy).
func (s *searcher) relax(w, cd, ref uint32) bool {
	s.relaxed++
	st, v, g, sc := &s.st, s.v, s.g, s.sc
	if !v.clsOK[cd>>2] {
		return true
	}
	eid := ref
	if s.needEid {
		eid = g.refEdge(w, ref)
		if !v.edgeOK(cd, eid) {
			return true
		}
	}
	f := sc.flags[w]
	if f&st.settledMe != 0 {
		return true
	}
	if f&st.reachedMe == 0 && !s.allNodes && !v.nodeOK[g.nclass[w]] && w != s.src && w != s.dst {
		return true // checked once, when first reached
	}
	if st.bn != nil && (st.bn.nodes[w] || st.bn.edges[eid]) {
		return true
	}
	nd := st.base + v.cost[cd>>2]
	reachedOther := f&st.reachedOther != 0
	if !reachedOther && nd+s.penLB[f>>penShift]+st.otherTop >= st.best {
		// Any path on through w costs at least nd, w's penalty and the
		// other side's least tentative distance: it cannot beat the best
		// found.
		return true
	}
	rec := &sc.st[w]
	me := &rec.s[st.si]
	if f&st.reachedMe == 0 || nd < me.dist {
		// Without filters eid is still the ref: resolving it is a random
		// read, done only for the edges of the path (see search).
		if f&flagBits == 0 {
			sc.touched = append(sc.touched, w)
		}
		sc.flags[w] = f | st.reachedMe
		s.labels++
		*me = nodeState{dist: nd, par: st.u, pe: eid}
		rec.hops[st.si] = st.hops
		sc.pcd[w][st.si] = cd
		sc.heap[st.si].push(nd, w)
	}
	if reachedOther {
		// A path through w: both halves plus w's own hub penalty, which
		// neither side has charged.
		t := me.dist + rec.s[1-st.si].dist
		if s.pen != nil {
			t += s.hubW * rec.pen
		}
		if t < st.best && int(rec.hops[0])+int(rec.hops[1]) <= st.maxHops {
			st.best, st.meet = t, w
		}
	}
	return true
}

// scanBase relaxes u's base entries. The common cases (a class the
// caller may not cross, a neighbour this side has settled, one neither
// side has reached that cannot beat the best path) are decided inline,
// the rest by relax; with filters or bans every entry goes to relax.
func (s *searcher) scanBase(u uint32) {
	g := s.g
	b := g.b
	if u >= b.n {
		return
	}
	if s.needEid {
		g.eachBaseLazy(u, s.relaxFn)
		return
	}
	st := &s.st
	adj, flags := b.adj, s.sc.flags
	clsOK, cost := s.v.clsOK, s.v.cost
	settledMe := st.settledMe
	base, otherTop, best := st.base, st.otherTop, st.best
	penLB := &s.penLB
	i, end := int(b.off[u]), int(b.off[u+1])
	eb := b.ebase[u]
	owned := b.ebase[u+1] - eb
	var w, k uint32
	calls := 0
	for i < end {
		var gap, cd, ref uint32
		gap, i = uvarint(adj, i)
		cd, i = uvarint(adj, i)
		w += gap
		if k < owned {
			ref = eb + k
		} else {
			ref, i = uvarint(adj, i)
			ref |= lazyRef
		}
		k++
		c := cd >> 2
		if !clsOK[c] {
			continue
		}
		f := flags[w]
		if f&settledMe != 0 || f&(reached0|reached1) == 0 && base+cost[c]+penLB[f>>penShift]+otherTop >= best {
			continue // as relax would decide
		}
		calls++
		s.relax(w, cd, ref)
		best = st.best
	}
	s.relaxed += int(k) - calls
}

// reverseFactor: a node is scanned from the other side's nodes (see
// scanReverse) when its degree exceeds this many times the nodes the
// search has touched.
var reverseFactor = 4

// scanReverse relaxes the entries of u that can still matter when
// base + minCost + the other side's least key is at least the best path:
// then every entry whose neighbour the other side has not reached is
// pruned (its label could not beat the best path), so only the neighbours
// the other side has reached count. They are found by walking the touched
// nodes and, for each the other side reached, the start of its own list
// up to u (lists are in neighbour order, and a big node has a small id),
// instead of reading u's whole list: for an airport, a few thousand short
// reads instead of a quarter of a million entries. Delta entries are left
// to eachDelta. If the walk reads more entries than u has, it gives up
// and returns false (relaxing an entry twice is harmless).
func (s *searcher) scanReverse(u uint32) bool {
	var full, got []uint32
	if checkReverse != nil {
		full = s.fullScanSet(u)
	}
	g, sc, st := s.g, s.sc, &s.st
	b := g.b
	adj, off, ebase, flags := b.adj, b.off, b.ebase, sc.flags
	read, limit := len(sc.touched), int(g.deg[u])
	for _, w := range sc.touched {
		if read > limit {
			s.relaxed += read
			return false
		}
		f := flags[w]
		if f&st.reachedOther == 0 || f&st.settledMe != 0 || w == u || w >= b.n {
			continue
		}
		i, end := int(off[w]), int(off[w+1])
		eb := ebase[w]
		owned := ebase[w+1] - eb
		var v, k uint32
		for i < end {
			var gap, cd, pos uint32
			gap, i = uvarint(adj, i)
			cd, i = uvarint(adj, i)
			v += gap
			if k >= owned {
				pos, i = uvarint(adj, i)
			}
			read++
			if v > u {
				break
			}
			if v == u {
				// The edge is owned by the larger id: w's k-th owned
				// edge, or u's edge at pos.
				eid := eb + k
				if k >= owned {
					eid = ebase[u] + pos
				}
				s.relax(w, flipDir(cd), eid)
				read--
				if checkReverse != nil && s.v.clsOK[cd>>2] {
					got = append(got, w)
				}
			}
			k++
		}
	}
	s.relaxed += read
	if checkReverse != nil {
		slices.Sort(got)
		checkReverse(full, slices.Compact(got))
	}
	return true
}

// checkReverse, when set (tests), is called after every completed
// scanReverse with the neighbours a full scan of u would have relaxed
// without pruning and those scanReverse relaxed; they must be the same.
var checkReverse func(full, reverse []uint32)

// fullScanSet lists, for checkReverse, the neighbours of u whose entries a
// full scan would relax without pruning (sorted, deduplicated).
func (s *searcher) fullScanSet(u uint32) []uint32 {
	var full []uint32
	sc, st := s.sc, &s.st
	s.g.eachBaseLazy(u, func(w, cd, ref uint32) bool {
		f := sc.flags[w]
		if !s.v.clsOK[cd>>2] || f&st.settledMe != 0 {
			return true
		}
		if f&st.reachedOther != 0 || st.base+s.v.cost[cd>>2]+s.penLB[f>>penShift]+st.otherTop < st.best {
			full = append(full, w)
		}
		return true
	})
	slices.Sort(full)
	return slices.Compact(full)
}

// searchHook, when set (tests), is called after every search with the
// entries it scanned, the labels it set and the nodes it scanned.
var searchHook func(relaxed, labels, scans int)

// expandFlag marks a heap item that asks for a node's adjacency to be
// scanned (see search).
const expandFlag = 1 << 31

// lazyDegree: nodes with more entries than this are scanned lazily
// (lazyPen: the same threshold on the penalty, ln(1+degree), the caller's
// visible degree; reading it saves a second random read per node).
const lazyDegree = 16

var lazyPen = float32(math.Log1p(lazyDegree))

func (s *searcher) hopCost(u, w, cd uint32) float32 {
	c := s.v.cost[cd>>2]
	if s.pen != nil {
		c += s.hubW * 0.5 * (s.pen[u] + s.pen[w])
	}
	return c
}

// search finds the cheapest path a -> b within maxHops, avoiding bans.
//
// Costs are charged so that a relaxation reads nothing of the neighbour
// but its search state: crossing node x costs its hub penalty
// P(x) = HubWeight·ln(1+deg x), half on each edge at x in the reported
// cost, but here all of it on the edges leaving x in the direction of
// search (each side charges the nodes it leaves). A path a..m..b found by
// the two sides through meeting node m then costs d0(m) + d1(m) + P(m),
// which is its reported cost plus P(a)/2 + P(b)/2, the same for every path
// of the search, so the cheapest is the same. Formally this is a
// bidirectional Dijkstra on the graph with every node x split into x_in
// -> x_out joined by an arc of cost P(x).
//
// A node's adjacency is scanned lazily: when a node of more than
// lazyDegree entries is settled at distance d, a marker is queued at
// d + P(u) + the least edge cost, a lower bound on anything the scan can
// label, and the scan runs only when the marker reaches the top. A search
// that stops first (the two tops add up to the best path found) never
// scans the lists of its last, most expensive frontier, which on a
// power-law graph are the largest. Hubs are the extreme case: an airport's
// million entries are read only when no cheaper way is left.
//
// Pruning, once a path of cost best is known: a node x one side has not
// reached has a distance from that side of at least that side's least
// heap key (top), so any path through x costs at least
// d(x) + P(x) + top. A label for x is not set when that bound, with P(x)
// rounded down to a half (kept in x's flags byte, so the relaxation reads
// nothing else), reaches best; a node settled on one side is not scanned
// when the bound with its exact penalty does; and a deferred scan is
// dropped as explained at its test. The unpruned search stops when the
// tops add up to best + the least edge cost (a path over an edge both of
// whose ends are settled but unscanned is only bounded that far), and
// the pruning at settling time skips most of the nodes settled in that
// last stretch.
func (s *searcher) search(a, b uint32, maxHops int, bn *bans) (rawPath, bool) {
	if a == b {
		return rawPath{nodes: []uint32{a}, proven: true}, true
	}
	g, sc := s.g, s.sc
	s.relaxed, s.labels, s.scans = 0, 0, 0
	if searchHook != nil {
		defer func() { searchHook(s.relaxed, s.labels, s.scans) }()
	}
	proven := true
	sc.reset()
	for i, start := range [2]uint32{a, b} {
		sc.heap[i] = sc.heap[i][:0]
		if sc.flags[start]&flagBits == 0 {
			sc.touched = append(sc.touched, start)
		}
		sc.flags[start] |= reached0 << (2 * i)
		sc.st[start].s[i] = nodeState{par: math.MaxUint32}
		sc.st[start].hops[i] = 0
		sc.heap[i].push(0, start)
	}
	inf := float32(math.Inf(1))
	var work [2]int
	st := &s.st
	*st = step{maxHops: maxHops, bn: bn, best: inf, meet: math.MaxUint32}
	s.needEid = s.v.timed || len(s.v.dead) > 0 || bn != nil
	if s.relaxFn == nil {
		s.relaxFn = s.relax
	}
	for {
		tf, tb := sc.heap[0].top(inf), sc.heap[1].top(inf)
		if tf == inf && tb == inf || tf+tb >= st.best+s.minCost {
			break
		}
		if s.relaxed >= s.budget {
			proven = false
			break
		}
		// Expand the side that has done less work so far: on a power-law
		// graph the side that reached a hub falls behind while the other
		// catches up cheaply.
		si := 0
		if tf == inf || (tb != inf && work[1] < work[0]) {
			si = 1
		}
		before := s.relaxed
		h := &sc.heap[si]
		key, item := h.pop()
		u := item &^ expandFlag
		rec := &sc.st[u]
		me := &rec.s[si]
		settled := uint8(settled0 << (2 * si))
		otherTop := [2]float32{tb, tf}[si]
		reachedOther := uint8(reached0 << (2 * (1 - si)))
		if item&expandFlag == 0 {
			f := sc.flags[u]
			if f&settled != 0 || key > me.dist {
				continue // settled or stale
			}
			sc.flags[u] = f | settled
			if int(rec.hops[si]) >= maxHops {
				continue
			}
			var pu float32
			lazy := false
			if s.pen != nil {
				pu = rec.pen
				lazy = pu > lazyPen
				pu *= s.hubW
			} else {
				lazy = g.deg[u] > lazyDegree
			}
			if f&reachedOther == 0 && key+pu+otherTop >= st.best {
				// Every path on through u costs at least its distance,
				// its penalty and the other side's distance to it, which
				// is at least the other side's least key (u is not
				// reached there): u cannot improve the best path.
				continue
			}
			if lazy {
				h.push(key+pu+s.minCost, u|expandFlag)
				work[si]++
				continue
			}
		} else if sc.flags[u]&reachedOther == 0 && key+otherTop >= st.best+s.minCost {
			// A deferred scan of u, not reached by the other side: an
			// entry w the other side has not settled costs at least
			// key + otherTop on any path; one it has settled but not
			// scanned (else u would be reached) has its own marker
			// there at no less than otherTop, so a path over the edge
			// u-w costs at least key + otherTop - minCost.
			continue
		}
		st.si, st.u, st.hops = si, u, rec.hops[si]+1
		st.reachedMe, st.settledMe, st.reachedOther = reached0<<(2*si), settled, reached0<<(2*(1-si))
		st.otherTop = otherTop
		st.base = me.dist
		if s.pen != nil {
			st.base += s.hubW * rec.pen
		}
		s.scans++
		if !s.needEid && st.base+s.minCost+otherTop >= st.best && int(g.deg[u]) > reverseFactor*len(sc.touched) {
			// Only neighbours the other side has reached can matter (see
			// scanReverse), and they are far fewer than u's entries.
			if !s.scanReverse(u) {
				s.scanBase(u)
			}
		} else {
			s.scanBase(u)
		}
		g.eachDelta(u, s.relaxFn)
		work[si] += s.relaxed - before + 1
	}
	meet := st.meet
	if meet == math.MaxUint32 {
		return rawPath{}, false
	}
	// Walk back to a on side 0, forward to b on side 1.
	var p rawPath
	for w := meet; w != a; w = sc.st[w].s[0].par {
		p.nodes = append(p.nodes, w)
		p.eids = append(p.eids, g.refEdge(w, sc.st[w].s[0].pe))
		p.cds = append(p.cds, sc.pcd[w][0])
	}
	p.nodes = append(p.nodes, a)
	slices.Reverse(p.nodes)
	slices.Reverse(p.eids)
	slices.Reverse(p.cds)
	for w := meet; w != b; {
		nx := sc.st[w].s[1].par
		p.nodes = append(p.nodes, nx)
		p.eids = append(p.eids, g.refEdge(w, sc.st[w].s[1].pe))
		p.cds = append(p.cds, flipDir(sc.pcd[w][1]))
		w = nx
	}
	s.cost(&p)
	p.proven = proven
	return p, true
}

func (s *searcher) cost(p *rawPath) {
	p.cost = 0
	for i, cd := range p.cds {
		p.cost += s.hopCost(p.nodes[i], p.nodes[i+1], cd)
	}
}

// kShortest runs Yen's algorithm over search.
func (s *searcher) kShortest(ctx context.Context, k, maxHops int) []rawPath {
	first, ok := s.search(s.src, s.dst, maxHops, nil)
	if !ok {
		return nil
	}
	a := []rawPath{first}
	var cands []rawPath
	seen := map[string]bool{pathKey(first): true}
	for len(a) < k && ctx.Err() == nil {
		prev := a[len(a)-1]
		for i := 0; i+1 < len(prev.nodes); i++ {
			bn := &bans{nodes: map[uint32]bool{}, edges: map[uint32]bool{}}
			for _, q := range a {
				if len(q.nodes) > i+1 && slices.Equal(q.nodes[:i+1], prev.nodes[:i+1]) && slices.Equal(q.eids[:i], prev.eids[:i]) {
					bn.edges[q.eids[i]] = true
				}
			}
			for _, u := range prev.nodes[:i] {
				bn.nodes[u] = true
			}
			spur, ok := s.search(prev.nodes[i], s.dst, maxHops-i, bn)
			if !ok {
				continue
			}
			c := rawPath{
				nodes: append(slices.Clone(prev.nodes[:i]), spur.nodes...),
				eids:  append(slices.Clone(prev.eids[:i]), spur.eids...),
				cds:   append(slices.Clone(prev.cds[:i]), spur.cds...),
			}
			s.cost(&c)
			c.proven = spur.proven && prev.proven
			if key := pathKey(c); !seen[key] {
				seen[key] = true
				cands = append(cands, c)
			}
		}
		if len(cands) == 0 {
			break
		}
		bi := 0
		for i, c := range cands {
			if c.cost < cands[bi].cost || c.cost == cands[bi].cost && len(c.nodes) < len(cands[bi].nodes) {
				bi = i
			}
		}
		a = append(a, cands[bi])
		cands = slices.Delete(cands, bi, bi+1)
	}
	return a
}

func pathKey(p rawPath) string {
	b := make([]byte, 0, 8*len(p.eids))
	for _, e := range p.eids {
		b = append(b, byte(e), byte(e>>8), byte(e>>16), byte(e>>24))
	}
	return string(b)
}

// heap is a binary min-heap of (key, item).
type heap []hitem

type hitem struct {
	key  float32
	item uint32
}

func (h heap) top(inf float32) float32 {
	if len(h) == 0 {
		return inf
	}
	return h[0].key
}

func (h *heap) push(key float32, item uint32) {
	*h = append(*h, hitem{key, item})
	a := *h
	i := len(a) - 1
	for i > 0 {
		p := (i - 1) / 2
		if a[p].key <= key {
			break
		}
		a[i] = a[p]
		i = p
	}
	a[i] = hitem{key, item}
}

func (h *heap) pop() (float32, uint32) {
	a := *h
	top := a[0]
	last := a[len(a)-1]
	a = a[:len(a)-1]
	*h = a
	n := len(a)
	if n > 0 {
		i := 0
		for {
			c := 2*i + 1
			if c >= n {
				break
			}
			if c+1 < n && a[c+1].key < a[c].key {
				c++
			}
			if a[c].key >= last.key {
				break
			}
			a[i] = a[c]
			i = c
		}
		a[i] = last
	}
	return top.key, top.item
}
