package graph

import (
	"math"
	"slices"
	"sync"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
)

// Filter narrows what a query may traverse. The zero Filter allows all.
type Filter struct {
	// NodeTypes, when set, limits the nodes a query may reach (the
	// query's own start and end nodes are always allowed).
	NodeTypes []mosaic.EntityType `json:"node_types,omitempty"`
	// EdgeTypes, when set, limits the edge types a query may cross.
	EdgeTypes []string `json:"edge_types,omitempty"`
	// From and To, when set, keep only edges whose time span overlaps
	// [From, To] (day resolution).
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
	// IncludeUndated keeps edges without dates when a time window is set.
	IncludeUndated bool `json:"include_undated,omitempty"`
	// MinConfidence drops edges below this confidence (kept to 0.05).
	MinConfidence float64 `json:"min_confidence,omitempty"`
}

// view is a principal's filtered view of the graph, compiled for one query:
// a table per node class and per edge class says whether it may be seen and
// crossed, so the check on each entry is two slice loads. Build and use it
// with g.mu held.
type view struct {
	g       *Graph
	markOK  []bool // marking id -> the principal may see it
	allMark bool   // every marking in the graph is visible
	nodeOK  []bool // node class -> visible and of an allowed type
	seeNode []bool // node class -> visible (type filter ignored)
	clsOK   []bool // edge class -> visible, allowed type, confidence
	cost    []float32
	// allNodes: every node is visible and no type filter applies.
	allNodes bool
	timed    bool
	undated  bool
	lo, hi   uint16
	dead     map[uint32]struct{}
}

func (g *Graph) view(p mosaic.Principal, f Filter) *view {
	voc := g.voc
	v := &view{g: g, markOK: make([]bool, len(voc.marks)), allMark: true, dead: g.d.dead}
	for i, m := range voc.marks {
		v.markOK[i] = access.Can(p, m)
		v.allMark = v.allMark && v.markOK[i]
	}
	v.nodeOK = make([]bool, len(voc.nclasses))
	v.seeNode = make([]bool, len(voc.nclasses))
	for i, c := range voc.nclasses {
		v.seeNode[i] = !c.dead && v.markOK[c.mark]
		v.nodeOK[i] = v.seeNode[i] && (len(f.NodeTypes) == 0 || slices.Contains(f.NodeTypes, voc.ntypes[c.typ]))
	}
	v.allNodes = len(f.NodeTypes) == 0 && g.removed == 0
	for i := 1; i < len(v.seeNode) && v.allNodes; i++ {
		v.allNodes = v.seeNode[i]
	}
	minQ := confQ(f.MinConfidence)
	if f.MinConfidence > 0 && float64(minQ)/confSteps < f.MinConfidence-1e-9 {
		minQ++
	}
	v.clsOK = make([]bool, len(voc.classes))
	v.cost = make([]float32, len(voc.classes))
	for i, c := range voc.classes {
		v.clsOK[i] = v.markOK[c.mark] && c.conf >= minQ &&
			(len(f.EdgeTypes) == 0 || slices.Contains(f.EdgeTypes, voc.etypes[c.typ]))
		v.cost[i] = classCost(c)
	}
	if !f.From.IsZero() || !f.To.IsZero() {
		v.timed, v.undated = true, f.IncludeUndated
		v.lo, v.hi = 1, math.MaxUint16
		if !f.From.IsZero() {
			v.lo = toDay(f.From)
		}
		if !f.To.IsZero() {
			v.hi = toDay(f.To)
		}
	}
	return v
}

// minCost returns the least cost of crossing any edge the view allows.
func (v *view) minCost() float32 {
	m := float32(math.Inf(1))
	for i, ok := range v.clsOK {
		if ok {
			m = min(m, v.cost[i])
		}
	}
	if math.IsInf(float64(m), 1) {
		return 0
	}
	return m
}

// classCost is the cost of crossing an edge: 1 for a certain edge with
// three or more pieces of evidence, more for weaker ones.
func classCost(c edgeClass) float32 {
	conf := float32(c.conf) / confSteps
	ev := [maxEvBucket + 1]float32{1, 0.5, 0.25, 0}[c.evb]
	return 1 + 2*(1-conf) + ev
}

// edgeOK reports whether the entry (class and direction cd, edge eid) may be
// crossed. The neighbour's own visibility is checked separately.
func (v *view) edgeOK(cd, eid uint32) bool {
	if !v.clsOK[cd>>2] {
		return false
	}
	if len(v.dead) > 0 {
		if _, d := v.dead[eid]; d {
			return false
		}
	}
	if v.timed {
		sp := v.g.spanOf(eid)
		s, e := uint16(sp>>16), uint16(sp)
		if s == 0 && e == 0 {
			return v.undated
		}
		if s == 0 {
			s = e
		}
		if e == 0 {
			e = s
		}
		return s <= v.hi && e >= v.lo
	}
	return true
}

func (v *view) nodeVisible(u uint32) bool { return v.seeNode[v.g.nclass[u]] }

func (g *Graph) spanOf(eid uint32) uint32 {
	if eid < g.b.m {
		return g.b.span[eid]
	}
	return g.d.span[eid-g.b.m]
}

// penaltyCache keeps per-node hub penalties for the few distinct sets of
// visible markings in use, so that a hub's penalty counts only the edges
// the caller may see (a path score must not reveal hidden edges).
type penaltyCache struct {
	mu  sync.Mutex
	gen uint64
	m   map[string]*penSet
}

// penSet is one set of penalties and the pool of path-search scratches
// that carry a copy of them (see nodeRec).
type penSet struct {
	pen  []float32
	pool sync.Pool
}

// degrees returns the node degrees as v sees them (marking visibility only;
// filters do not change what counts as a hub).
func (v *view) degrees() []uint32 {
	g := v.g
	if v.allMark && len(g.d.dead) == 0 {
		return g.deg
	}
	deg := make([]uint32, len(g.nclass))
	voc := g.voc
	for u := range deg {
		if !v.nodeVisible(uint32(u)) {
			continue
		}
		n := uint32(0)
		g.each(uint32(u), func(w, cd, eid uint32) bool {
			if v.markOK[voc.classes[cd>>2].mark] && v.nodeVisible(w) {
				if _, d := g.d.dead[eid]; !d {
					n++
				}
			}
			return true
		})
		deg[u] = n
	}
	return deg
}

// penalties returns log(1+visible degree) per node, cached per set of
// visible markings.
func (v *view) penalties() *penSet {
	g := v.g
	key := make([]byte, 0, len(v.markOK)+len(v.seeNode))
	for _, ok := range v.markOK {
		key = append(key, b2c(ok))
	}
	for _, ok := range v.seeNode {
		key = append(key, b2c(ok))
	}
	pc := &g.penCache
	pc.mu.Lock()
	if pc.gen != g.gen || pc.m == nil {
		pc.m, pc.gen = map[string]*penSet{}, g.gen
	}
	if p, ok := pc.m[string(key)]; ok {
		pc.mu.Unlock()
		return p
	}
	pc.mu.Unlock()
	deg := v.degrees()
	p := &penSet{pen: make([]float32, len(deg))}
	for i, d := range deg {
		p.pen[i] = float32(math.Log1p(float64(d)))
	}
	pc.mu.Lock()
	if len(pc.m) >= 8 {
		clear(pc.m)
	}
	if pc.gen == g.gen {
		pc.m[string(key)] = p
	}
	pc.mu.Unlock()
	return p
}

func b2c(b bool) byte {
	if b {
		return '1'
	}
	return '0'
}
