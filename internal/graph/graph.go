package graph

import (
	"sync"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
)

// Node is a resolved entity as the index sees it.
type Node struct {
	ID      mosaic.ID         `json:"id"`
	Type    mosaic.EntityType `json:"type"`
	Caption string            `json:"caption,omitempty"`
	Marking mosaic.Marking    `json:"marking,omitempty"`
	// Recorded is when the entity entered the store (for Changes).
	Recorded time.Time `json:"recorded,omitzero"`
}

// Edge is a typed, evidenced relation between two entities. Edges with the
// same endpoints, type, direction and marking are merged into one: their
// evidence is united, their time spans joined, their confidences combined
// (1 - Π(1 - c)) and the latest Recorded kept. Edges that differ in marking
// stay apart, so a caller sees exactly the evidence it is cleared for.
type Edge struct {
	From mosaic.ID `json:"from"`
	To   mosaic.ID `json:"to"`
	Type string    `json:"type"`
	// Directed edges read From → To (e.g. "employs"); co-occurrence edges
	// are undirected.
	Directed bool `json:"directed,omitempty"`
	// Evidence names the statements or records behind the edge.
	Evidence   []mosaic.ID    `json:"evidence,omitempty"`
	Start      time.Time      `json:"start,omitzero"`
	End        time.Time      `json:"end,omitzero"`
	Confidence float64        `json:"confidence"`
	Marking    mosaic.Marking `json:"marking,omitempty"`
	// Recorded is when the edge (or its latest evidence) entered the store.
	Recorded time.Time `json:"recorded,omitzero"`
	// Count is how many occasions the edge stands for (calls between two
	// people, flights taken together); 0 means 1. Merged edges add up.
	Count int `json:"count,omitempty"`
}

// Graph is the in-memory link index: an immutable compressed base (CSR)
// plus a small mutable delta for edges and nodes added since the base was
// built. Compact folds the delta into a new base. All methods are safe for
// concurrent use; queries take a read lock, additions a write lock.
type Graph struct {
	mu sync.RWMutex
	state
	penCache penaltyCache
	scratch  sync.Pool
	// weights are the default per-type weights of projections.
	weights map[string]float64
}

// state is everything Compact replaces at once.
type state struct {
	voc *vocab
	b   *base
	// Per node (base and delta nodes alike).
	ids    *dict // node IDs; node u is ids.str(u)
	nclass []uint16
	deg    []uint32 // total degree, base + delta
	caps   []string
	nrec   []uint32
	// Evidence side table of base edges: evidence of edge e is
	// evRefs[evOff[e]:evOff[e+1]], each an index into evIDs.
	evOff  []uint32
	evRefs []uint32
	erec   []uint32
	// ecnt is the occasion count of each base edge (nil: all 1).
	ecnt  []uint32
	evIDs *dict
	d     delta
	// hubs is the number of base nodes whose degree exceeds hubDegree;
	// being ordered by degree they are the nodes 0 .. hubs-1.
	hubs uint32
	// removed counts nodes removed since the base was built.
	removed uint32
	// gen counts changes, to invalidate cached per-view degrees.
	gen uint64
}

// base is the compressed adjacency of the first n nodes and m edges.
//
// Node ids are renumbered by decreasing degree, so hubs have small ids. Each
// undirected edge {u, v} is owned by max(u, v) and has an id in owner order:
// the edges owned by u are ebase[u] .. ebase[u+1]-1. Node u's adjacency is
// adj[off[u]:off[u+1]], its neighbours in increasing order, each entry
//
//	uvarint(gap)  uvarint(class<<2 | dir)  [uvarint(pos) if neighbour > u]
//
// where gap is the neighbour minus the previous one (the first is
// absolute), dir is 0 undirected, 1 out (u is the subject), 2 in, and pos,
// present only for edges owned by the neighbour v, is the edge's place in
// v's owned list (edge id = ebase[v] + pos). Entries for neighbours below u
// are u's owned edges in id order. Every edge is stored twice (once per
// endpoint) but its time span once, in span[e] = startDay<<16 | endDay.
type base struct {
	n, m  uint32
	off   []uint64
	ebase []uint32
	adj   []byte
	span  []uint32
}

// delta holds what was added since the base was built.
type delta struct {
	adj   map[uint32][]dentry
	from  []uint32 // per delta edge (id m+i): endpoints, class, span...
	to    []uint32
	cd    []uint32 // class<<2 | dir as seen from `from`
	span  []uint32
	evOff []uint32 // len = edges+1
	ev    []uint32
	rec   []uint32
	cnt   []uint32
	dead  map[uint32]struct{} // removed edge ids
	ops   []op                // every change since the base, replayed after Compact
}

type dentry struct {
	nbr, eid, cd uint32
}

type opKind uint8

const (
	opNode opKind = iota
	opEdge
	opRemoveNode
	opRemoveEdge
)

// op is one change recorded in the delta, so that changes made while
// Compact builds a new base can be replayed onto it.
type op struct {
	kind opKind
	node Node
	edge Edge
}

// Stats describes the size of the index.
type Stats struct {
	Nodes      int `json:"nodes"`
	Edges      int `json:"edges"`
	DeltaEdges int `json:"delta_edges"`
	Classes    int `json:"classes"`
	Markings   int `json:"markings"`
	// IndexBytes counts what traversal touches: adjacency, offsets, edge
	// ids, time spans, degrees and node classes.
	IndexBytes int64 `json:"index_bytes"`
	// AdjacencyBytes is the compressed adjacency alone.
	AdjacencyBytes int64 `json:"adjacency_bytes"`
	// SideBytes counts the out-of-line tables: evidence refs and their
	// offsets, recorded times, node and evidence ID dictionaries, captions.
	SideBytes int64 `json:"side_bytes"`
}

// Stats returns the size of the index.
func (g *Graph) Stats() Stats {
	g.mu.RLock()
	defer g.mu.RUnlock()
	b := g.b
	s := Stats{
		Nodes:      len(g.nclass),
		Edges:      int(b.m) + len(g.d.from) - len(g.d.dead),
		DeltaEdges: len(g.d.from),
		Classes:    len(g.voc.classes),
		Markings:   len(g.voc.marks),
	}
	s.AdjacencyBytes = int64(cap(b.adj))
	s.IndexBytes = s.AdjacencyBytes + 8*int64(cap(b.off)) + 4*int64(cap(b.ebase)) + 4*int64(cap(b.span)) +
		4*int64(cap(g.deg)) + 2*int64(cap(g.nclass))
	for _, l := range g.d.adj {
		s.IndexBytes += 12 * int64(cap(l))
	}
	s.IndexBytes += 16*int64(cap(g.d.from)) + 4*int64(cap(g.d.span))
	s.SideBytes = g.ids.bytes() + g.evIDs.bytes() + 4*int64(cap(g.evOff)+cap(g.evRefs)+cap(g.erec)+cap(g.nrec)+cap(g.ecnt)) +
		16*int64(cap(g.caps))
	for _, c := range g.caps {
		s.SideBytes += int64(len(c))
	}
	return s
}
