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
	// alone, when set, is a predicate: the edge (from a person to a
	// thing, made of a property) counts only while no other entity is
	// linked by that predicate to what the person's node is (the
	// passenger alone on a booking owns its contact phone).
	alone uint16
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
// kept or the edge is already there. alone (a predicate, or "") makes the
// edge conditional (see edge.alone); an unconditional link of the same
// pair and predicate makes an existing conditional edge unconditional.
func (g *graph) link(a, b uint32, pred string, rec mosaic.ID, alone string) bool {
	p, ok := g.preds[pred]
	if !ok || a == b {
		return false
	}
	al := uint16(0)
	if alone != "" {
		if al, ok = g.preds[alone]; !ok {
			return false
		}
	}
	lo, hi := min(a, b), max(a, b)
	k := [3]uint32{lo, hi, uint32(p)}
	if _, dup := g.edges[k]; dup {
		if al != 0 {
			return false
		}
		changed := false
		for _, n := range [2][2]uint32{{a, b}, {b, a}} {
			for i := range g.adj[n[0]] {
				if x := &g.adj[n[0]][i]; x.to == n[1] && x.pred == p && x.alone != 0 {
					x.alone, changed = 0, true
				}
			}
		}
		return changed
	}
	g.edges[k] = struct{}{}
	ev := g.evidence(rec)
	g.adj[a] = append(g.adj[a], edge{to: b, pred: p, ev: ev, alone: al})
	g.adj[b] = append(g.adj[b], edge{to: a, pred: p, ev: ev, alone: al})
	return true
}

// alone reports whether person node n is the only entity linked by
// predicate pred to the things n is linked to by it.
func (g *graph) alone(n uint32, pred uint16, entityOf func(uint32) mosaic.ID) bool {
	self := entityOf(n)
	for _, x := range g.adj[n] {
		if x.pred != pred {
			continue
		}
		for _, y := range g.adj[x.to] {
			if y.pred == pred && g.person[y.to] && y.to != n && entityOf(y.to) != self {
				return false
			}
		}
	}
	return true
}

// heldBy reports whether every person linked to thing n by pred is of
// entity ent.
func (g *graph) heldBy(n uint32, pred uint16, ent mosaic.ID, entityOf func(uint32) mosaic.ID) bool {
	for _, y := range g.adj[n] {
		if y.pred == pred && g.person[y.to] && entityOf(y.to) != ent {
			return false
		}
	}
	return true
}

// path is a compiled association path.
type path struct {
	name  string
	preds []uint16
	// exclusive: the things at either end of the path (a phone) must
	// each be held by one entity.
	exclusive bool
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
					if e.alone != 0 { // a person's property: theirs only if alone
						who := f.n
						if g.person[e.to] {
							who = e.to
						}
						if !g.alone(who, e.alone, entityOf) {
							continue
						}
					}
					ev := append(append([]uint32(nil), f.ev...), e.ev)
					next = append(next, at{n: e.to, ev: ev})
				}
				got := next[start:]
				if si == 0 {
					if p.exclusive && len(p.preds) > 1 { // only things no other entity holds
						self, kept := entityOf(from), next[:start]
						for _, x := range got {
							if g.heldBy(x.n, pred, self, entityOf) {
								kept = append(kept, x)
							}
						}
						next = kept
					}
					continue // a person's own phones, addresses, bookings
				}
				if !last && len(got) > 8*fan {
					next = next[:start] // a hub
					continue
				}
				if last && p.exclusive && len(got) > 1 && !g.heldBy(f.n, pred, entityOf(got[0].n), entityOf) {
					next = next[:start] // held by several: which of them is unknown
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
