package graph

import (
	"context"
	"fmt"
	"maps"
	"slices"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/graph/analytics"
)

// Projection is a caller's view of the graph as a weighted undirected graph
// for analytics: node i of G is IDs[i]. Each visible, allowed edge weighs
// its type's weight (see ProjectOptions.TypeWeights) times the number of
// occasions it stands for (Edge.Count: calls between two people, flights
// taken together); the weight between two nodes is the sum over their
// edges. Confidence filters edges (Filter.MinConfidence) but does not
// weigh them.
type Projection struct {
	IDs []mosaic.ID
	G   *analytics.Weighted
	// MeanWeight is the mean weight of the edges projected (before edges
	// between the same two nodes are summed): 1 for a graph of single,
	// unweighted links.
	MeanWeight float64
	ids        []uint32 // internal node ids
}

// ProjectOptions configure Project.
type ProjectOptions struct {
	Filter
	// MaxDegree drops nodes with more visible edges than this (hubs: an
	// airport is no member of a cell); 0 means 1000, negative keeps all.
	MaxDegree int
	// TypeWeights weighs edge types: an edge of a type listed counts
	// that many times per occasion (0 or less: left out of the
	// projection). Types not listed take the graph's default (see
	// EdgeWeights), else 1.
	TypeWeights map[string]float64
}

// EdgeWeighter is a Source that also says how much each edge type counts
// in analytics (e.g. a co-mention in a report twice a shared address).
// Load keeps the weights as the graph's defaults.
type EdgeWeighter interface {
	EdgeWeights() map[string]float64
}

// SetEdgeWeights sets the default per-type weights of projections (see
// ProjectOptions.TypeWeights).
func (g *Graph) SetEdgeWeights(w map[string]float64) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.weights = maps.Clone(w)
}

// classWeights returns the weight per occasion of each edge class.
func (g *Graph) classWeights(over map[string]float64) []float64 {
	voc := g.voc
	tw := make([]float64, len(voc.etypes))
	for i, t := range voc.etypes {
		tw[i] = 1
		if w, ok := g.weights[t]; ok {
			tw[i] = w
		}
		if w, ok := over[t]; ok {
			tw[i] = w
		}
	}
	cw := make([]float64, len(voc.classes))
	for i, c := range voc.classes {
		cw[i] = max(0, tw[c.typ])
	}
	return cw
}

// Project builds the weighted projection of what p may see. Nodes without
// any allowed edge are left out.
func (g *Graph) Project(ctx context.Context, p mosaic.Principal, o ProjectOptions) (*Projection, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return g.project(ctx, g.view(p, o.Filter), o)
}

func (g *Graph) project(ctx context.Context, v *view, o ProjectOptions) (*Projection, error) {
	maxDeg := o.MaxDegree
	if maxDeg == 0 {
		maxDeg = 1000
	}
	cw := g.classWeights(o.TypeWeights)
	n := len(g.nclass)
	idx := make([]int32, n)
	deg := make([]int, n)
	pr := &Projection{}
	for u := 0; u < n; u++ {
		idx[u] = -1
		if u&0xffff == 0 && ctx.Err() != nil {
			return nil, fmt.Errorf("project: %w", ctx.Err())
		}
		if !v.nodeOK[g.nclass[u]] {
			continue
		}
		g.each(uint32(u), func(w, cd, eid uint32) bool {
			if cw[cd>>2] > 0 && v.edgeOK(cd, eid) && v.nodeOK[g.nclass[w]] {
				deg[u]++
			}
			return true
		})
		if deg[u] > 0 && (maxDeg < 0 || deg[u] <= maxDeg) {
			idx[u] = int32(len(pr.ids))
			pr.ids = append(pr.ids, uint32(u))
		}
	}
	wg := &analytics.Weighted{Off: make([]int, 1, len(pr.ids)+1)}
	type nw struct {
		v int32
		w float64
	}
	var row []nw
	var sum float64
	var entries int
	for _, u := range pr.ids {
		row = row[:0]
		g.each(u, func(w, cd, eid uint32) bool {
			if c := cw[cd>>2]; c > 0 && idx[w] >= 0 && v.edgeOK(cd, eid) {
				x := c * float64(g.count(eid))
				row = append(row, nw{idx[w], x})
				sum += x
				entries++
			}
			return true
		})
		slices.SortFunc(row, func(a, b nw) int { return int(a.v - b.v) })
		for i, x := range row {
			if i > 0 && row[i-1].v == x.v {
				wg.W[len(wg.W)-1] += x.w
				continue
			}
			wg.Nbr = append(wg.Nbr, x.v)
			wg.W = append(wg.W, x.w)
		}
		wg.Off = append(wg.Off, len(wg.Nbr))
	}
	pr.G = wg
	pr.MeanWeight = 1
	if entries > 0 {
		pr.MeanWeight = sum / float64(entries)
	}
	pr.IDs = make([]mosaic.ID, len(pr.ids))
	for i, u := range pr.ids {
		pr.IDs[i] = mosaic.ID(g.ids.str(u))
	}
	return pr, nil
}

// CellOptions configure Cells.
type CellOptions struct {
	ProjectOptions
	analytics.CommunityOptions
	// MinSize drops communities smaller than this (default 2), after
	// each of their nodes has joined the cell it is mostly linked to, if
	// any (see Cells).
	MinSize int
	// KeepSmall leaves the nodes of communities smaller than MinSize out
	// of every cell instead.
	KeepSmall bool
}

// Cell is one community.
type Cell struct {
	ID      int        `json:"id"`
	Members []NodeInfo `json:"members"`
	// Density is the share of member pairs that are linked.
	Density float64 `json:"density"`
}

// Cells finds communities in p's view of the graph (by default the
// constant Potts model at density 0.05 (analytics.DefaultCPMResolution), which finds small tight groups in
// any size of graph; see analytics.Communities), largest first.
//
// With the constant Potts model the resolution is taken relative to the
// projection's mean edge weight: a cell is a group whose members are
// linked, on average per pair, by more than Resolution times the weight of
// an average edge. So the same resolution suits a graph of single links
// and one whose edges count many calls each, and scaling every weight
// changes nothing.
//
// A node the communities leave in a group smaller than MinSize (a name
// met once in a report beside a cell member, a fragment of a person that
// resolution kept apart) then joins the cell of MinSize or more that holds
// at least half of its link weight, if one does (unless KeepSmall): the
// constant Potts model would ask it, to join a cell of n, a link weight
// of Resolution × n, which one mention never has. Only such nodes move,
// each on its own, so no two communities are ever joined.
func (g *Graph) Cells(ctx context.Context, p mosaic.Principal, o CellOptions) ([]Cell, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	pr, err := g.project(ctx, g.view(p, o.Filter), o.ProjectOptions)
	if err != nil {
		return nil, err
	}
	co := o.CommunityOptions
	if co.Quality == analytics.CPM {
		if co.Resolution <= 0 {
			co.Resolution = analytics.DefaultCPMResolution
		}
		co.Resolution *= pr.MeanWeight
	}
	labels, err := analytics.Communities(ctx, pr.G, co)
	if err != nil {
		return nil, err
	}
	if o.MinSize <= 0 {
		o.MinSize = 2
	}
	groups := map[int][]int{}
	for i, l := range labels {
		groups[l] = append(groups[l], i)
	}
	if !o.KeepSmall {
		labels = joinMostlyLinked(pr.G, labels, groups, o.MinSize)
		groups = map[int][]int{}
		for i, l := range labels {
			groups[l] = append(groups[l], i)
		}
	}
	var cells []Cell
	for _, mem := range groups {
		if len(mem) < o.MinSize {
			continue
		}
		in := map[int32]bool{}
		for _, i := range mem {
			in[int32(i)] = true
		}
		links := 0
		c := Cell{}
		for _, i := range mem {
			for k := pr.G.Off[i]; k < pr.G.Off[i+1]; k++ {
				if in[pr.G.Nbr[k]] {
					links++
				}
			}
			c.Members = append(c.Members, g.nodeInfo(pr.ids[i]))
		}
		slices.SortFunc(c.Members, func(a, b NodeInfo) int { return compareID(a.ID, b.ID) })
		c.Density = float64(links) / float64(len(mem)*(len(mem)-1))
		cells = append(cells, c)
	}
	slices.SortFunc(cells, func(a, b Cell) int {
		if len(a.Members) != len(b.Members) {
			return len(b.Members) - len(a.Members)
		}
		return compareID(a.Members[0].ID, b.Members[0].ID)
	})
	for i := range cells {
		cells[i].ID = i
	}
	return cells, nil
}

// joinMostlyLinked moves each node of a community smaller than minSize to
// the community of minSize or more holding at least half of its link
// weight (the heaviest, ties to the lower label), if one does. Every node
// is judged against the communities as they were before any moved.
func joinMostlyLinked(g *analytics.Weighted, labels []int, groups map[int][]int, minSize int) []int {
	out := slices.Clone(labels)
	to := map[int]float64{}
	for u, l := range labels {
		if len(groups[l]) >= minSize {
			continue
		}
		clear(to)
		tot := 0.0
		for i := g.Off[u]; i < g.Off[u+1]; i++ {
			v := int(g.Nbr[i])
			if v == u {
				continue
			}
			tot += g.W[i]
			if c := labels[v]; len(groups[c]) >= minSize {
				to[c] += g.W[i]
			}
		}
		best, bw := -1, 0.0
		for c, w := range to {
			if w > bw || w == bw && c < best {
				best, bw = c, w
			}
		}
		if best >= 0 && 2*bw >= tot {
			out[u] = best
		}
	}
	return out
}

// KeyPlayerOptions configure KeyPlayers.
type KeyPlayerOptions struct {
	ProjectOptions
	// Top is how many to return (default 20).
	Top int
	// Samples bounds the betweenness sources (default 256; exact below).
	Samples int
	Seed    uint64
}

// Score ranks one node.
type Score struct {
	Node NodeInfo `json:"node"`
	// PageRank: influence through many well-connected neighbours.
	PageRank float64 `json:"pagerank"`
	// Betweenness: how many shortest paths run through the node (a
	// broker between groups); estimated from Samples sources.
	Betweenness float64 `json:"betweenness"`
}

// KeyPlayers ranks the nodes of p's view by PageRank and by betweenness
// and returns the top of each list (merged, PageRank order first).
func (g *Graph) KeyPlayers(ctx context.Context, p mosaic.Principal, o KeyPlayerOptions) (byRank, byBetweenness []Score, err error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	pr, err := g.project(ctx, g.view(p, o.Filter), o.ProjectOptions)
	if err != nil {
		return nil, nil, err
	}
	if o.Top <= 0 {
		o.Top = 20
	}
	if o.Samples <= 0 {
		o.Samples = 256
	}
	rank, err := analytics.PageRank(ctx, pr.G, 0.85)
	if err != nil {
		return nil, nil, err
	}
	bc, err := analytics.Betweenness(ctx, pr.G, o.Samples, o.Seed)
	if err != nil {
		return nil, nil, err
	}
	top := func(score []float64) []Score {
		idx := make([]int, len(score))
		for i := range idx {
			idx[i] = i
		}
		slices.SortStableFunc(idx, func(a, b int) int {
			switch {
			case score[a] > score[b]:
				return -1
			case score[a] < score[b]:
				return 1
			}
			return compareID(pr.IDs[a], pr.IDs[b])
		})
		idx = idx[:min(o.Top, len(idx))]
		out := make([]Score, len(idx))
		for k, i := range idx {
			out[k] = Score{Node: g.nodeInfo(pr.ids[i]), PageRank: rank[i], Betweenness: bc[i]}
		}
		return out
	}
	return top(rank), top(bc), nil
}

// CellsARI scores cells against a truth (person -> cell label) by the
// adjusted Rand index over the people the truth places in cells; a person
// in no found cell counts as a cell of one.
func CellsARI(cells []Cell, truth map[mosaic.ID]string) float64 {
	found := map[mosaic.ID]int{}
	for _, c := range cells {
		for _, m := range c.Members {
			found[m.ID] = c.ID
		}
	}
	people := make([]mosaic.ID, 0, len(truth))
	for p := range truth {
		people = append(people, p)
	}
	slices.Sort(people)
	labels := map[string]int{}
	a := make([]int, len(people))
	b := make([]int, len(people))
	for i, p := range people {
		l, ok := labels[truth[p]]
		if !ok {
			l = len(labels)
			labels[truth[p]] = l
		}
		a[i] = l
		if c, ok := found[p]; ok {
			b[i] = c
		} else {
			b[i] = -1 - i
		}
	}
	return analytics.AdjustedRand(a, b)
}
