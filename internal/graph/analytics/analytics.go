// Package analytics runs whole-graph algorithms on a weighted undirected
// graph in CSR form: community detection (Louvain with a Leiden-style
// connectivity refinement), PageRank, sampled betweenness, and the
// adjusted Rand index for scoring a partition against a truth.
//
// The graph package projects a caller's view of the link index into a
// Weighted graph, so analytics never see what the caller may not.
package analytics

import "fmt"

// Weighted is an undirected graph: the neighbours of node u are
// Nbr[Off[u]:Off[u+1]] with weights W[Off[u]:Off[u+1]]. Every edge appears
// in both endpoints' lists. Self-loops are allowed (listed once).
type Weighted struct {
	Off []int
	Nbr []int32
	W   []float64
}

// Len returns the number of nodes.
func (g *Weighted) Len() int { return len(g.Off) - 1 }

// Validate checks the CSR invariants.
func (g *Weighted) Validate() error {
	if len(g.Off) == 0 || g.Off[0] != 0 || g.Off[len(g.Off)-1] != len(g.Nbr) || len(g.Nbr) != len(g.W) {
		return fmt.Errorf("analytics: malformed CSR (%d offsets, %d neighbours, %d weights)", len(g.Off), len(g.Nbr), len(g.W))
	}
	n := g.Len()
	for u := 0; u < n; u++ {
		if g.Off[u] > g.Off[u+1] {
			return fmt.Errorf("analytics: offsets decrease at node %d", u)
		}
	}
	for _, v := range g.Nbr {
		if v < 0 || int(v) >= n {
			return fmt.Errorf("analytics: neighbour %d out of range", v)
		}
	}
	return nil
}

// FromEdges builds a Weighted graph of n nodes from undirected edges.
func FromEdges(n int, edges [][2]int, w []float64) *Weighted {
	g := &Weighted{Off: make([]int, n+1)}
	for _, e := range edges {
		g.Off[e[0]+1]++
		if e[0] != e[1] {
			g.Off[e[1]+1]++
		}
	}
	for i := 0; i < n; i++ {
		g.Off[i+1] += g.Off[i]
	}
	g.Nbr = make([]int32, g.Off[n])
	g.W = make([]float64, g.Off[n])
	fill := append([]int(nil), g.Off[:n]...)
	for i, e := range edges {
		x := 1.0
		if w != nil {
			x = w[i]
		}
		g.Nbr[fill[e[0]]], g.W[fill[e[0]]] = int32(e[1]), x
		fill[e[0]]++
		if e[0] != e[1] {
			g.Nbr[fill[e[1]]], g.W[fill[e[1]]] = int32(e[0]), x
			fill[e[1]]++
		}
	}
	return g
}
