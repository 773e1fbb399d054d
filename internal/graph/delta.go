package graph

import (
	"context"
	"fmt"

	mosaic "github.com/mosaic-intel/mosaic"
)

func (d *delta) init(m uint32) {
	*d = delta{adj: map[uint32][]dentry{}, evOff: []uint32{0}, dead: map[uint32]struct{}{}}
}

// New returns an empty Graph.
func New() *Graph {
	g, _ := NewBuilder(0, 0).Build(context.Background())
	return g
}

// Len returns the number of nodes (removed ones included until Compact).
func (g *Graph) Len() int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.nclass)
}

// AddNode adds a node or updates its type, caption, marking and recorded
// time.
func (g *Graph) AddNode(n Node) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.addNode(n)
}

func (g *Graph) addNode(n Node) uint32 {
	g.d.ops = append(g.d.ops, op{kind: opNode, node: n})
	g.gen++
	typ := n.Type
	if typ == "" {
		typ = mosaic.TypeMisc
	}
	cls := g.voc.nclass(g.voc.ntype(typ), g.voc.mark(n.Marking))
	u, added := g.ids.intern(string(n.ID))
	if added {
		g.nclass = append(g.nclass, cls)
		g.deg = append(g.deg, 0)
		g.caps = append(g.caps, n.Caption)
		g.nrec = append(g.nrec, toSec(n.Recorded))
		return u
	}
	g.nclass[u] = cls
	g.caps[u] = n.Caption
	g.nrec[u] = toSec(n.Recorded)
	return u
}

// node returns the id of a node, creating an implicit one marked m.
func (g *Graph) node(id mosaic.ID, m mosaic.Marking) uint32 {
	if u, ok := g.ids.lookup(string(id)); ok {
		return u
	}
	return g.addNode(Node{ID: id, Type: mosaic.TypeMisc, Marking: m})
}

// AddEdge adds an edge to the delta. Unknown endpoints become implicit nodes
// (type Misc, the edge's marking). Until Compact an edge repeating an
// existing one (same endpoints, type, direction and marking) is kept beside
// it rather than merged.
func (g *Graph) AddEdge(e Edge) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.addEdge(e)
}

func (g *Graph) addEdge(e Edge) {
	from := g.node(e.From, e.Marking)
	to := g.node(e.To, e.Marking)
	g.d.ops = append(g.d.ops, op{kind: opEdge, edge: e})
	g.gen++
	if from == to {
		return
	}
	typ := e.Type
	if typ == "" {
		typ = "related"
	}
	for _, id := range e.Evidence {
		r, _ := g.evIDs.intern(string(id))
		g.d.ev = append(g.d.ev, r)
	}
	nev := len(g.d.ev) - int(g.d.evOff[len(g.d.evOff)-1])
	g.d.evOff = append(g.d.evOff, uint32(len(g.d.ev)))
	cls := g.voc.class(edgeClass{typ: g.voc.etype(typ), mark: g.voc.mark(e.Marking), conf: confQ(e.Confidence), evb: evBucket(nev)})
	cd := cls << 2
	if e.Directed {
		cd |= 1
	}
	eid := g.b.m + uint32(len(g.d.from))
	g.d.from = append(g.d.from, from)
	g.d.to = append(g.d.to, to)
	g.d.cd = append(g.d.cd, cd)
	g.d.span = append(g.d.span, packSpan(e.Start, e.End))
	g.d.rec = append(g.d.rec, toSec(e.Recorded))
	g.d.cnt = append(g.d.cnt, clampCount(e.Count))
	g.d.adj[from] = append(g.d.adj[from], dentry{nbr: to, eid: eid, cd: cd})
	g.d.adj[to] = append(g.d.adj[to], dentry{nbr: from, eid: eid, cd: flipDir(cd)})
	g.deg[from]++
	g.deg[to]++
}

// RemoveNode removes a node and so every edge touching it (e.g. an entity
// merged into another: remove it, then add the survivor's edges). It
// reports whether the node existed.
func (g *Graph) RemoveNode(id mosaic.ID) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	u, ok := g.ids.lookup(string(id))
	if !ok {
		return false
	}
	g.d.ops = append(g.d.ops, op{kind: opRemoveNode, node: Node{ID: id}})
	g.gen++
	if g.nclass[u] != 0 {
		g.removed++
	}
	g.nclass[u] = 0
	return true
}

// RemoveEdge removes the edges between e.From and e.To with e's type,
// direction and marking, and returns how many it removed.
func (g *Graph) RemoveEdge(e Edge) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.removeEdge(e)
}

func (g *Graph) removeEdge(e Edge) int {
	u, ok1 := g.ids.lookup(string(e.From))
	v, ok2 := g.ids.lookup(string(e.To))
	if !ok1 || !ok2 {
		return 0
	}
	typ := e.Type
	if typ == "" {
		typ = "related"
	}
	et, okT := g.voc.etypeID[typ]
	mk, okM := g.voc.markID[e.Marking.String()]
	if !okT || !okM {
		return 0
	}
	g.d.ops = append(g.d.ops, op{kind: opRemoveEdge, edge: e})
	g.gen++
	want := uint32(0)
	if e.Directed {
		want = 1
	}
	n := 0
	g.each(u, func(w, cd, eid uint32) bool {
		c := g.voc.classes[cd>>2]
		if w != v || c.typ != et || c.mark != mk || cd&3 != want {
			return true
		}
		if _, dead := g.d.dead[eid]; !dead {
			g.d.dead[eid] = struct{}{}
			g.deg[u]--
			g.deg[v]--
			n++
		}
		return true
	})
	return n
}

// each calls fn for every adjacency entry of u (base then delta), dead edges
// included, until fn returns false.
func (g *Graph) each(u uint32, fn func(v, cd, eid uint32) bool) {
	if g.eachBase(u, fn) {
		g.eachDelta(u, fn)
	}
}

// eachBase calls fn for u's entries in the base, in increasing neighbour
// order, until fn returns false; it reports whether it ran to the end.
func (g *Graph) eachBase(u uint32, fn func(v, cd, eid uint32) bool) bool {
	return g.eachBaseLazy(u, func(v, cd, ref uint32) bool { return fn(v, cd, g.refEdge(v, ref)) })
}

// lazyRef marks a ref from eachBaseLazy that is a position in the
// neighbour's owned list rather than an edge id.
const lazyRef = 1 << 31

// eachBaseLazy is eachBase without the random read that turns a position
// in the neighbour's list into an edge id: for edges u does not own, ref
// is pos|lazyRef and refEdge resolves it when needed.
func (g *Graph) eachBaseLazy(u uint32, fn func(v, cd, ref uint32) bool) bool {
	b := g.b
	if u >= b.n {
		return true
	}
	adj := b.adj
	i, end := int(b.off[u]), int(b.off[u+1])
	eb := b.ebase[u]
	owned := b.ebase[u+1] - eb
	var v, k uint32
	for i < end {
		var gap, cd, ref uint32
		gap, i = uvarint(adj, i)
		cd, i = uvarint(adj, i)
		v += gap
		if k < owned {
			ref = eb + k
		} else {
			ref, i = uvarint(adj, i)
			ref |= lazyRef
		}
		k++
		if !fn(v, cd, ref) {
			return false
		}
	}
	return true
}

// refEdge turns a ref from eachBaseLazy (or an edge id) into an edge id.
func (g *Graph) refEdge(v, ref uint32) uint32 {
	if ref&lazyRef != 0 {
		return g.b.ebase[v] + ref&^lazyRef
	}
	return ref
}

// count returns the occasion count of edge eid.
func (g *Graph) count(eid uint32) uint32 {
	if eid < g.b.m {
		if g.ecnt == nil {
			return 1
		}
		return g.ecnt[eid]
	}
	return g.d.cnt[eid-g.b.m]
}

// eachDelta calls fn for u's entries added since the base was built.
func (g *Graph) eachDelta(u uint32, fn func(v, cd, eid uint32) bool) bool {
	if len(g.d.adj) == 0 {
		return true
	}
	for _, de := range g.d.adj[u] {
		if !fn(de.nbr, de.cd, de.eid) {
			return false
		}
	}
	return true
}

// Compact folds the delta into a new compressed base. The build runs
// without blocking queries or additions; changes made meanwhile are
// replayed onto the new base before it is swapped in. Removed nodes and
// edges are dropped for good.
func (g *Graph) Compact(ctx context.Context) error {
	g.mu.RLock()
	nb := g.snapshot()
	nops := len(g.d.ops)
	g.mu.RUnlock()
	ng, err := nb.Build(ctx)
	if err != nil {
		return fmt.Errorf("compact: %w", err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	// The evidence dictionary is shared and append-only, so refs taken in
	// the snapshot stay valid and later additions are already in it.
	ng.evIDs = g.evIDs
	later := g.d.ops[nops:]
	g.state = ng.state
	for _, o := range later {
		switch o.kind {
		case opNode:
			g.addNode(o.node)
		case opEdge:
			g.addEdge(o.edge)
		case opRemoveNode:
			if u, ok := g.ids.lookup(string(o.node.ID)); ok && g.nclass[u] != 0 {
				g.nclass[u] = 0
				g.removed++
			}
		case opRemoveEdge:
			g.removeEdge(o.edge)
		}
	}
	g.gen++
	return nil
}

// snapshot copies the live graph into a Builder. Called with g.mu held.
func (g *Graph) snapshot() *Builder {
	nb := NewBuilder(len(g.nclass), int(g.b.m)+len(g.d.from))
	nb.evIDs = g.evIDs
	handles := make([]uint32, len(g.nclass))
	for u := range g.nclass {
		nc := g.voc.nclasses[g.nclass[u]]
		if nc.dead {
			handles[u] = ^uint32(0)
			continue
		}
		h := nb.Node(Node{ID: mosaic.ID(g.ids.str(uint32(u))), Type: g.voc.ntypes[nc.typ], Caption: g.caps[u],
			Marking: g.voc.marks[nc.mark]})
		nb.nrec[h] = g.nrec[u]
		handles[u] = uint32(h)
	}
	link := func(u, v, cd uint32, span, rec, cnt uint32, ev []uint32) {
		if handles[u] == ^uint32(0) || handles[v] == ^uint32(0) {
			return
		}
		c := g.voc.classes[cd>>2]
		if cd&3 == 2 {
			u, v = v, u
		}
		nb.ea = append(nb.ea, handles[u])
		nb.eb = append(nb.eb, handles[v])
		nb.etyp = append(nb.etyp, nb.voc.etype(g.voc.etypes[c.typ]))
		nb.emark = append(nb.emark, nb.voc.mark(g.voc.marks[c.mark]))
		nb.edir = append(nb.edir, cd&3 != 0)
		nb.econf = append(nb.econf, float32(c.conf)/confSteps)
		nb.espan = append(nb.espan, span)
		nb.erec = append(nb.erec, rec)
		nb.addCount(int(cnt))
		nb.ev = append(nb.ev, ev...)
		nb.evOff = append(nb.evOff, uint32(len(nb.ev)))
	}
	b := g.b
	for u := uint32(0); u < b.n; u++ {
		g.each(u, func(v, cd, eid uint32) bool {
			if v >= u || eid >= b.m { // owned entries only, base only
				return v < u
			}
			if _, dead := g.d.dead[eid]; !dead {
				link(u, v, cd, b.span[eid], g.erec[eid], g.count(eid), g.evRefs[g.evOff[eid]:g.evOff[eid+1]])
			}
			return true
		})
	}
	for i := range g.d.from {
		eid := b.m + uint32(i)
		if _, dead := g.d.dead[eid]; !dead {
			link(g.d.from[i], g.d.to[i], g.d.cd[i], g.d.span[i], g.d.rec[i], g.d.cnt[i], g.d.ev[g.d.evOff[i]:g.d.evOff[i+1]])
		}
	}
	return nb
}
