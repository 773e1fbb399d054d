package graph

import (
	"context"
	"fmt"
	"math"
	"slices"

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
// The search is a bidirectional Dijkstra that expands the side with the
// smaller frontier. A hub (a node of degree above 1024) is first expanded
// only towards other hubs; its other neighbours are scanned only when the
// search can no longer finish without them, which keeps airports and
// public phones from costing a million relaxations per query. With
// MaxHops, the result is the cheapest path found within the hop bound
// (exact without a bound). K > 1 uses Yen's algorithm.
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
	if s.hubW > 0 {
		s.pen = v.penalties()
	}
	s.minCost = v.minCost()
	s.allNodes = v.allNodes
	s.sc = g.getScratch()
	defer g.scratch.Put(s.sc)
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

// nodeState is one node's state in both directions of a search, 32 bytes:
// one cache line holds both sides.
type nodeState struct {
	hops uint32
	dist float32
	par  uint32
	pe   uint32
}

// Per-node flags of a search, one byte a node: whether each side has
// reached and settled it. A relaxation reads the flags (a small array,
// mostly in cache) and touches the node's state only when it labels the
// node or both sides have reached it.
const (
	reached0 = 1 << iota
	settled0
	reached1
	settled1
)

type scratch struct {
	st      [][2]nodeState
	pcd     [][2]uint32 // class and direction of the edge par -> node, seen from par
	flags   []uint8
	touched []uint32 // nodes whose flags are set
	heap    [2]heap
}

func (g *Graph) getScratch() *scratch {
	n := len(g.nclass)
	sc, _ := g.scratch.Get().(*scratch)
	if sc == nil || len(sc.st) < n {
		c := n + n/8 + 16
		sc = &scratch{st: make([][2]nodeState, c), pcd: make([][2]uint32, c), flags: make([]uint8, c)}
	}
	return sc
}

// reset clears the flags of the last search.
func (sc *scratch) reset() {
	for _, u := range sc.touched {
		sc.flags[u] = 0
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
	// bounds it.
	relaxed, budget int
	// needEid: filters or bans need every edge id, not only kept ones.
	needEid bool
	// allNodes: every node is visible and allowed (no per-node check).
	allNodes bool
	st       step
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
	hops    uint32 // u's hops + 1
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
	if !reachedOther && nd+st.otherTop >= st.best {
		// Any path on through w costs at least nd plus the other side's
		// least tentative distance: it cannot beat the best found.
		return true
	}
	ns := &sc.st[w]
	me := &ns[st.si]
	if f&st.reachedMe == 0 || nd < me.dist {
		if !s.needEid {
			eid = g.refEdge(w, ref)
		}
		if f == 0 {
			sc.touched = append(sc.touched, w)
		}
		sc.flags[w] = f | st.reachedMe
		*me = nodeState{hops: st.hops, dist: nd, par: st.u, pe: eid}
		sc.pcd[w][st.si] = cd
		sc.heap[st.si].push(nd, w)
	}
	if reachedOther {
		// A path through w: both halves plus w's own hub penalty, which
		// neither side has charged.
		other := &ns[1-st.si]
		t := me.dist + other.dist
		if s.pen != nil {
			t += s.hubW * s.pen[w]
		}
		if t < st.best && int(me.hops+other.hops) <= st.maxHops {
			st.best, st.meet = t, w
		}
	}
	return true
}

// expandFlag marks a heap item that asks for a node's adjacency to be
// scanned (see search).
const expandFlag = 1 << 31

// lazyDegree: nodes with more entries than this are scanned lazily.
const lazyDegree = 16

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
func (s *searcher) search(a, b uint32, maxHops int, bn *bans) (rawPath, bool) {
	if a == b {
		return rawPath{nodes: []uint32{a}, proven: true}, true
	}
	g, sc := s.g, s.sc
	s.relaxed = 0
	proven := true
	sc.reset()
	for i, start := range [2]uint32{a, b} {
		sc.heap[i] = sc.heap[i][:0]
		if sc.flags[start] == 0 {
			sc.touched = append(sc.touched, start)
		}
		sc.flags[start] |= reached0 << (2 * i)
		sc.st[start][i] = nodeState{par: math.MaxUint32}
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
		me := &sc.st[u][si]
		settled := uint8(settled0 << (2 * si))
		if item&expandFlag == 0 {
			if sc.flags[u]&settled != 0 || key > me.dist {
				continue // settled or stale
			}
			sc.flags[u] |= settled
			if int(me.hops) >= maxHops {
				continue
			}
			if g.deg[u] > lazyDegree {
				lb := key + s.minCost
				if s.pen != nil {
					lb += s.hubW * s.pen[u]
				}
				h.push(lb, u|expandFlag)
				work[si]++
				continue
			}
		}
		st.si, st.u, st.hops = si, u, me.hops+1
		st.reachedMe, st.settledMe, st.reachedOther = reached0<<(2*si), settled, reached0<<(2*(1-si))
		st.otherTop = [2]float32{tb, tf}[si]
		st.base = me.dist
		if s.pen != nil {
			st.base += s.hubW * s.pen[u]
		}
		if g.eachBaseLazy(u, s.relaxFn) {
			g.eachDelta(u, s.relaxFn)
		}
		work[si] += s.relaxed - before + 1
	}
	meet := st.meet
	if meet == math.MaxUint32 {
		return rawPath{}, false
	}
	// Walk back to a on side 0, forward to b on side 1.
	var p rawPath
	for w := meet; w != a; w = sc.st[w][0].par {
		p.nodes = append(p.nodes, w)
		p.eids = append(p.eids, sc.st[w][0].pe)
		p.cds = append(p.cds, sc.pcd[w][0])
	}
	p.nodes = append(p.nodes, a)
	slices.Reverse(p.nodes)
	slices.Reverse(p.eids)
	slices.Reverse(p.cds)
	for w := meet; w != b; {
		nx := sc.st[w][1].par
		p.nodes = append(p.nodes, nx)
		p.eids = append(p.eids, sc.st[w][1].pe)
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
