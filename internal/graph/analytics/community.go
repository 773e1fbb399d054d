package analytics

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
)

// Quality is the objective Communities maximises.
type Quality int

const (
	// CPM is the constant Potts model: a move gains the weight it brings
	// inside a community minus Resolution × (node count products), so a
	// community is a group whose internal link density exceeds Resolution,
	// whatever the size of the whole graph. It has no resolution limit,
	// which is what finding small cells in a large graph needs.
	CPM Quality = iota
	// Modularity (Newman-Girvan, with Resolution γ). It merges groups
	// smaller than about √(2m) edges: fine for large communities, not for
	// cells of five in a country-sized graph.
	NewmanModularity
)

// CommunityOptions configure Communities.
type CommunityOptions struct {
	Quality Quality
	// Resolution: for CPM the density threshold (default 0.05); for
	// modularity γ (default 1). Higher gives smaller communities.
	Resolution float64
	// Seed orders the node visits; the same seed gives the same result.
	Seed uint64
	// MaxLevels bounds the aggregation levels (default 20).
	MaxLevels int
}

// DefaultCPMResolution is the CPM resolution used when none is given.
const DefaultCPMResolution = 0.05

// Communities partitions g by maximising modularity with the Louvain
// method: local moves of single nodes, then aggregation of communities
// into nodes, repeated. After each local-move phase every community is
// split into its connected components (the guarantee the Leiden method
// adds: no community is held together only through other communities).
// It returns a community label per node, labels 0..k-1 in order of first
// appearance.
func Communities(ctx context.Context, g *Weighted, o CommunityOptions) ([]int, error) {
	if o.Resolution <= 0 {
		o.Resolution = 1
		if o.Quality == CPM {
			o.Resolution = DefaultCPMResolution
		}
	}
	if o.MaxLevels <= 0 {
		o.MaxLevels = 20
	}
	n := g.Len()
	label := make([]int, n) // node of the original graph -> node of current level
	for i := range label {
		label[i] = i
	}
	r := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	cur := g
	size := make([]float64, n) // original nodes per current node (CPM)
	for i := range size {
		size[i] = 1
	}
	for level := 0; level < o.MaxLevels; level++ {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("communities: %w", err)
		}
		var weight []float64
		if o.Quality == CPM {
			weight = size
		}
		comm, moved := localMoves(cur, o.Resolution, weight, r)
		comm = splitDisconnected(cur, comm)
		k := 0
		for _, c := range comm {
			k = max(k, c+1)
		}
		for i := range label {
			label[i] = comm[label[i]]
		}
		if !moved || k == cur.Len() {
			break
		}
		cur = aggregate(cur, comm, k)
		ns := make([]float64, k)
		for u, c := range comm {
			ns[c] += size[u]
		}
		size = ns
	}
	return renumber(label), nil
}

// localMoves moves nodes to the neighbouring community of best gain until
// no move helps, and returns compact community labels. With weight nil
// the gain is modularity's, w(u,c) - γ k_u K_c / 2m; otherwise CPM's,
// w(u,c) - γ weight_u W_c.
func localMoves(g *Weighted, gamma float64, weight []float64, r *rand.Rand) ([]int, bool) {
	n := g.Len()
	comm := make([]int, n)
	k := make([]float64, n)   // weighted degree
	tot := make([]float64, n) // total degree per community
	var m2 float64
	for u := 0; u < n; u++ {
		comm[u] = u
		for i := g.Off[u]; i < g.Off[u+1]; i++ {
			w := g.W[i]
			if int(g.Nbr[i]) == u {
				w *= 2 // a self-loop counts twice in the degree
			}
			k[u] += w
		}
		tot[u] = k[u]
		m2 += k[u]
	}
	if m2 == 0 {
		return comm, false
	}
	coef := gamma / m2
	if weight != nil {
		copy(k, weight)
		copy(tot, weight)
		coef = gamma
	}
	order := r.Perm(n)
	wc := make([]float64, n) // weight from the node to each community
	var touched []int
	moved := false
	for improved := true; improved; {
		improved = false
		for _, u := range order {
			cu := comm[u]
			touched = touched[:0]
			for i := g.Off[u]; i < g.Off[u+1]; i++ {
				v := int(g.Nbr[i])
				if v == u {
					continue
				}
				c := comm[v]
				if wc[c] == 0 {
					touched = append(touched, c)
				}
				wc[c] += g.W[i]
			}
			tot[cu] -= k[u]
			best, bestGain := cu, wc[cu]-coef*tot[cu]*k[u]
			for _, c := range touched {
				if gain := wc[c] - coef*tot[c]*k[u]; gain > bestGain+1e-12 {
					best, bestGain = c, gain
				}
			}
			tot[best] += k[u]
			if best != cu {
				comm[u] = best
				improved, moved = true, true
			}
			for _, c := range touched {
				wc[c] = 0
			}
			wc[cu] = 0
		}
	}
	return renumber(comm), moved
}

// splitDisconnected gives each connected part of a community its own label.
func splitDisconnected(g *Weighted, comm []int) []int {
	n := g.Len()
	out := make([]int, n)
	for i := range out {
		out[i] = -1
	}
	next := 0
	stack := []int{}
	for s := 0; s < n; s++ {
		if out[s] >= 0 {
			continue
		}
		out[s] = next
		stack = append(stack[:0], s)
		for len(stack) > 0 {
			u := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for i := g.Off[u]; i < g.Off[u+1]; i++ {
				v := int(g.Nbr[i])
				if out[v] < 0 && comm[v] == comm[u] {
					out[v] = next
					stack = append(stack, v)
				}
			}
		}
		next++
	}
	return out
}

// aggregate collapses each community into one node.
func aggregate(g *Weighted, comm []int, k int) *Weighted {
	type key struct{ a, b int }
	w := map[key]float64{}
	for u := 0; u < g.Len(); u++ {
		for i := g.Off[u]; i < g.Off[u+1]; i++ {
			v := int(g.Nbr[i])
			a, b := comm[u], comm[v]
			if a > b {
				continue
			}
			if a == b && u > v {
				continue // count each internal edge once
			}
			w[key{a, b}] += g.W[i]
		}
	}
	// In key order: map order would make the result vary from run to run.
	keys := make([]key, 0, len(w))
	for kk := range w {
		keys = append(keys, kk)
	}
	slices.SortFunc(keys, func(x, y key) int { return cmp.Or(cmp.Compare(x.a, y.a), cmp.Compare(x.b, y.b)) })
	edges := make([][2]int, len(keys))
	ws := make([]float64, len(keys))
	for i, kk := range keys {
		edges[i] = [2]int{kk.a, kk.b}
		ws[i] = w[kk]
	}
	return FromEdges(k, edges, ws)
}

func renumber(label []int) []int {
	m := map[int]int{}
	out := make([]int, len(label))
	for i, l := range label {
		id, ok := m[l]
		if !ok {
			id = len(m)
			m[l] = id
		}
		out[i] = id
	}
	return out
}

// Modularity returns the modularity of a partition (resolution 1).
func Modularity(g *Weighted, comm []int) float64 {
	var m2 float64
	tot := map[int]float64{}
	var in float64
	for u := 0; u < g.Len(); u++ {
		for i := g.Off[u]; i < g.Off[u+1]; i++ {
			w := g.W[i]
			if int(g.Nbr[i]) == u {
				w *= 2
			}
			m2 += w
			tot[comm[u]] += w
			if comm[int(g.Nbr[i])] == comm[u] {
				in += w
			}
		}
	}
	if m2 == 0 {
		return 0
	}
	q := in / m2
	for _, t := range tot {
		q -= (t / m2) * (t / m2)
	}
	return q
}

// AdjustedRand returns the adjusted Rand index of two labellings of the
// same items (1: identical partitions, about 0: chance agreement).
func AdjustedRand(a, b []int) float64 {
	if len(a) != len(b) {
		panic("analytics: AdjustedRand of labellings of different lengths")
	}
	type pair struct{ x, y int }
	nij := map[pair]int{}
	ai, bj := map[int]int{}, map[int]int{}
	for i := range a {
		nij[pair{a[i], b[i]}]++
		ai[a[i]]++
		bj[b[i]]++
	}
	c2 := func(n int) float64 { return float64(n) * float64(n-1) / 2 }
	var sij, sa, sb float64
	for _, v := range nij {
		sij += c2(v)
	}
	for _, v := range ai {
		sa += c2(v)
	}
	for _, v := range bj {
		sb += c2(v)
	}
	total := c2(len(a))
	if total == 0 {
		return 1
	}
	expected := sa * sb / total
	maxIdx := (sa + sb) / 2
	if maxIdx == expected {
		return 1
	}
	return (sij - expected) / (maxIdx - expected)
}
