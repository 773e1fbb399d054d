package graph

import (
	"context"
	"fmt"

	mosaic "github.com/mosaic-intel/mosaic"
)

// NeighbourOptions configure Neighbours.
type NeighbourOptions struct {
	Filter
	// Hops is the radius (default 1).
	Hops int `json:"hops,omitempty"`
	// Limit caps the number of nodes returned (default 500).
	Limit int `json:"limit,omitempty"`
	// HubDegree: a node other than a seed with more visible edges than
	// this is returned but not expanded (default 1000; negative: expand
	// all), so an airport does not pull in every traveller.
	HubDegree int `json:"hub_degree,omitempty"`
}

// Subgraph is a set of nodes and the edges among them that a query found.
type Subgraph struct {
	Nodes []NodeInfo `json:"nodes"`
	Edges []EdgeInfo `json:"edges"`
	// Hubs lists nodes that were reached but not expanded.
	Hubs []mosaic.ID `json:"hubs,omitempty"`
	// Truncated is set when Limit cut the result short.
	Truncated bool `json:"truncated,omitempty"`
}

// Neighbours returns the k-hop neighbourhood of one or more seed nodes:
// every node p may see within Hops allowed edges, with the edges crossed to
// reach them (each with its evidence). Hidden nodes and edges are neither
// crossed, returned nor counted.
func (g *Graph) Neighbours(ctx context.Context, p mosaic.Principal, seeds []mosaic.ID, o NeighbourOptions) (Subgraph, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	v := g.view(p, o.Filter)
	if o.Hops <= 0 {
		o.Hops = 1
	}
	if o.Limit <= 0 {
		o.Limit = 500
	}
	if o.HubDegree == 0 {
		o.HubDegree = 1000
	}
	depth := map[uint32]int{}
	var order []uint32
	for _, id := range seeds {
		u, err := v.lookupVisible(id)
		if err != nil {
			return Subgraph{}, fmt.Errorf("neighbours of %s: %w", id, err)
		}
		if _, ok := depth[u]; !ok {
			depth[u] = 0
			order = append(order, u)
		}
	}
	var sg Subgraph
	seenEdge := map[uint32]bool{}
	for qi := 0; qi < len(order); qi++ {
		if qi&255 == 0 && ctx.Err() != nil {
			return Subgraph{}, fmt.Errorf("neighbours: %w", ctx.Err())
		}
		u := order[qi]
		du := depth[u]
		if du >= o.Hops {
			continue
		}
		if du > 0 && o.HubDegree > 0 {
			n := 0
			g.each(u, func(w, cd, eid uint32) bool {
				if v.edgeOK(cd, eid) && v.nodeOK[g.nclass[w]] {
					n++
				}
				return n <= o.HubDegree
			})
			if n > o.HubDegree {
				sg.Hubs = append(sg.Hubs, mosaic.ID(g.ids.str(u)))
				continue
			}
		}
		g.each(u, func(w, cd, eid uint32) bool {
			if !v.edgeOK(cd, eid) || !v.nodeOK[g.nclass[w]] {
				return true
			}
			if _, ok := depth[w]; !ok {
				if len(order) >= o.Limit {
					sg.Truncated = true
					return true
				}
				depth[w] = du + 1
				order = append(order, w)
			}
			if !seenEdge[eid] {
				seenEdge[eid] = true
				sg.Edges = append(sg.Edges, g.edgeInfo(u, w, cd, eid))
			}
			return true
		})
	}
	sg.Nodes = make([]NodeInfo, len(order))
	for i, u := range order {
		sg.Nodes[i] = g.nodeInfo(u)
		sg.Nodes[i].Hops = depth[u]
	}
	return sg, nil
}

// ReachStats counts what a breadth-first traversal visited.
type ReachStats struct {
	// PerHop[i] is the number of nodes first reached at distance i.
	PerHop []int `json:"per_hop"`
	Nodes  int   `json:"nodes"`
	// Scanned is the number of adjacency entries read (edges examined).
	Scanned int64 `json:"scanned"`
}

// Reach runs a breadth-first traversal from id over what p may see, up to
// maxHops (0: unbounded), and counts the nodes at each distance.
func (g *Graph) Reach(ctx context.Context, p mosaic.Principal, id mosaic.ID, f Filter, maxHops int) (ReachStats, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	v := g.view(p, f)
	src, err := v.lookupVisible(id)
	if err != nil {
		return ReachStats{}, fmt.Errorf("reach from %s: %w", id, err)
	}
	return v.bfs(ctx, src, maxHops)
}

// bfs is the traversal kernel: a visited bitset (n/8 bytes, cache
// resident far longer than a per-node array), a flat queue, and the
// adjacency decoded inline.
func (v *view) bfs(ctx context.Context, src uint32, maxHops int) (ReachStats, error) {
	g := v.g
	b := g.b
	n := len(g.nclass)
	seen := make([]uint64, (n+63)/64)
	queue := make([]uint32, 0, 1024)
	seen[src/64] |= 1 << (src % 64)
	queue = append(queue, src)
	st := ReachStats{PerHop: []int{1}, Nodes: 1}
	clsOK, nodeOK, nclass := v.clsOK, v.nodeOK, g.nclass
	needEid := v.timed || len(v.dead) > 0
	adj, off, ebase := b.adj, b.off, b.ebase
	var scanned int64
	for lo, hop := 0, 0; lo < len(queue) && (maxHops <= 0 || hop < maxHops); hop++ {
		hi := len(queue)
		for qi := lo; qi < hi; qi++ {
			u := queue[qi]
			if u < b.n {
				i, end := int(off[u]), int(off[u+1])
				eb := ebase[u]
				owned := ebase[u+1] - eb
				var w, k uint32
				for i < end {
					var gap, cd, eid uint32
					gap, i = uvarint(adj, i)
					cd, i = uvarint(adj, i)
					w += gap
					if k < owned {
						eid = eb + k
					} else {
						var pos uint32
						pos, i = uvarint(adj, i)
						if needEid { // a random read: only when needed
							eid = ebase[w] + pos
						}
					}
					k++
					scanned++
					if !clsOK[cd>>2] || seen[w/64]&(1<<(w%64)) != 0 || !nodeOK[nclass[w]] {
						continue
					}
					if needEid && !v.edgeOK(cd, eid) {
						continue
					}
					seen[w/64] |= 1 << (w % 64)
					queue = append(queue, w)
				}
			}
			if len(g.d.adj) > 0 {
				for _, de := range g.d.adj[u] {
					scanned++
					w := de.nbr
					if seen[w/64]&(1<<(w%64)) != 0 || !nodeOK[nclass[w]] || !v.edgeOK(de.cd, de.eid) {
						continue
					}
					seen[w/64] |= 1 << (w % 64)
					queue = append(queue, w)
				}
			}
		}
		if err := ctx.Err(); err != nil {
			return st, fmt.Errorf("bfs: %w", err)
		}
		if len(queue) > hi {
			st.PerHop = append(st.PerHop, len(queue)-hi)
		}
		lo = hi
	}
	st.Nodes = len(queue)
	st.Scanned = scanned
	return st, nil
}
