package alert

import (
	mosaic "github.com/mosaic-intel/mosaic"
)

// graph is the in-memory link graph the rules walk. Person and
// organisation mentions are nodes of their own (they move between
// entities as resolution learns); everything else (phones, addresses,
// bookings, events) is one node per entity, whose key never moves. Only
// links whose predicate some rule or association uses are kept.
//
// A graph is not safe for concurrent use; the Engine serialises access.
type graph struct {
	ids     map[string]uint32
	keys    []string
	person  []bool
	caption []string
	adj     [][]edge
	edges   map[[3]uint32]struct{}
	preds   map[string]uint16
	// evidence records, interned
	evIdx map[mosaic.ID]uint32
	ev    []mosaic.ID
}

type edge struct {
	to   uint32
	pred uint16
	ev   uint32 // the record the link came from
}

func newGraph(preds []string) *graph {
	g := &graph{ids: map[string]uint32{}, edges: map[[3]uint32]struct{}{}, preds: map[string]uint16{}, evIdx: map[mosaic.ID]uint32{}}
	for _, p := range preds {
		if _, ok := g.preds[p]; !ok {
			g.preds[p] = uint16(len(g.preds) + 1)
		}
	}
	return g
}

func (g *graph) node(key string, person bool, caption string) uint32 {
	if i, ok := g.ids[key]; ok {
		if person && g.caption[i] == "" {
			g.caption[i] = caption
		}
		return i
	}
	i := uint32(len(g.keys))
	g.ids[key] = i
	g.keys = append(g.keys, key)
	g.person = append(g.person, person)
	if !person {
		caption = ""
	}
	g.caption = append(g.caption, caption)
	g.adj = append(g.adj, nil)
	return i
}

func (g *graph) evidence(rec mosaic.ID) uint32 {
	if i, ok := g.evIdx[rec]; ok {
		return i
	}
	i := uint32(len(g.ev))
	g.evIdx[rec] = i
	g.ev = append(g.ev, rec)
	return i
}

// link adds an undirected edge; it reports false if the predicate is not
// kept or the edge is already there.
func (g *graph) link(a, b uint32, pred string, rec mosaic.ID) bool {
	p, ok := g.preds[pred]
	if !ok || a == b {
		return false
	}
	lo, hi := min(a, b), max(a, b)
	k := [3]uint32{lo, hi, uint32(p)}
	if _, dup := g.edges[k]; dup {
		return false
	}
	g.edges[k] = struct{}{}
	ev := g.evidence(rec)
	g.adj[a] = append(g.adj[a], edge{to: b, pred: p, ev: ev})
	g.adj[b] = append(g.adj[b], edge{to: a, pred: p, ev: ev})
	return true
}

// path is a compiled association path.
type path struct {
	name  string
	preds []uint16
}

// assoc is one association from a person node to another.
type assoc struct {
	to   uint32 // a person node
	path int    // index into the engine's paths
	ev   []uint32
}

// associates appends the associations of person node from along each
// path in use. entityOf maps a person node to its entity, for the hub
// guard: an intermediate node whose final step reaches more than fan
// distinct entities (or whose middle step fans out to more than 8*fan
// nodes) is a hub and is not crossed.
func (g *graph) associates(from uint32, paths []path, use []bool, fan int, entityOf func(uint32) mosaic.ID, out []assoc) []assoc {
	type at struct {
		n  uint32
		ev []uint32
	}
	for pi, p := range paths {
		if use != nil && !use[pi] {
			continue
		}
		front := []at{{n: from}}
		for si, pred := range p.preds {
			last := si == len(p.preds)-1
			var next []at
			for _, f := range front {
				start := len(next)
				for _, e := range g.adj[f.n] {
					if e.pred != pred || g.person[e.to] != last || e.to == from {
						continue
					}
					ev := append(append([]uint32(nil), f.ev...), e.ev)
					next = append(next, at{n: e.to, ev: ev})
				}
				got := next[start:]
				if si == 0 {
					continue // a person's own phones, addresses, bookings
				}
				if len(got) > 8*fan {
					next = next[:start] // a hub
					continue
				}
				if last && len(got) > fan {
					ents := map[mosaic.ID]bool{}
					for _, x := range got {
						ents[entityOf(x.n)] = true
					}
					if len(ents) > fan {
						next = next[:start]
					}
				}
			}
			front = next
			if len(front) == 0 {
				break
			}
		}
		for _, f := range front {
			out = append(out, assoc{to: f.n, path: pi, ev: f.ev})
		}
	}
	return out
}
