// Package synth generates synthetic link graphs for tests and benchmarks:
// power-law graphs with hubs (Chung-Lu degrees plus a few "airport" nodes
// touching a large share of everyone) and planted-partition graphs with
// known communities.
package synth

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/graph"
)

// Config describes a power-law graph.
type Config struct {
	Nodes, Edges int
	// Beta is the Chung-Lu weight exponent: node i has weight (i+1)^-Beta
	// (0.6 gives a degree tail of exponent about 2.7 and a top node of
	// about 0.2% of all edge ends).
	Beta float64
	// Hubs extra nodes are each joined to HubShare of all nodes (airports,
	// prisons, public phones).
	Hubs     int
	HubShare float64
	// Restricted is the share of edges marked RESTRICTED.
	Restricted float64
	Seed       uint64
}

// DefaultConfig returns a graph of about edges edges with mean degree 40.
func DefaultConfig(edges int) Config {
	return Config{Nodes: max(edges/20, 10), Edges: edges, Beta: 0.6, Hubs: 5, HubShare: 0.05, Restricted: 0.05, Seed: 1}
}

// NodeID returns the ID of synthetic node i.
func NodeID(i int) mosaic.ID { return mosaic.ID("ent-" + strconv.Itoa(i)) }

var edgeTypes = []string{"knows", "called", "same_address", "same_flight", "employs", "visited"}

// PowerLaw adds the graph to b and returns the number of edges added. It
// calls edge (when non-nil) with the endpoints of every edge, for loading
// the same graph elsewhere.
func PowerLaw(c Config, b *graph.Builder, edge func(a, b int)) int {
	r := rand.New(rand.NewPCG(c.Seed, 0x9e3779b97f4a7c15))
	n := c.Nodes + c.Hubs
	hs := make([]graph.Handle, n)
	for i := range n {
		typ := mosaic.TypePerson
		switch {
		case i >= c.Nodes:
			typ = mosaic.TypeLocation
		case i%10 == 9:
			typ = mosaic.TypeOrganization
		}
		hs[i] = b.Node(graph.Node{ID: NodeID(i), Type: typ})
	}
	// Evidence: one record or statement per 8 edges, as records support
	// several links.
	pool := max(c.Edges/8, 1)
	evs := make([]graph.EvidenceRef, pool)
	for i := range evs {
		evs[i] = b.Evidence(mosaic.ID("rec-" + strconv.Itoa(i)))
	}
	// Inverse-CDF sampling of x^-Beta on [1, Nodes+1].
	e1 := 1 - c.Beta
	lo, hi := 1.0, math.Pow(float64(c.Nodes+1), e1)
	pick := func() int {
		x := math.Pow(lo+r.Float64()*(hi-lo), 1/e1) - 1
		return min(int(x), c.Nodes-1)
	}
	restricted := mosaic.NewMarking("RESTRICTED")
	t0 := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	ev := make([]graph.EvidenceRef, 1)
	added := 0
	link := func(a, z int) {
		at := graph.Attrs{Type: edgeTypes[r.IntN(len(edgeTypes))], Confidence: 0.5 + 0.5*r.Float64()}
		if r.Float64() < c.Restricted {
			at.Marking = restricted
		}
		at.Start = t0.Add(time.Duration(r.IntN(3650)) * 24 * time.Hour)
		at.End = at.Start.Add(time.Duration(r.IntN(30)) * 24 * time.Hour)
		ev[0] = evs[r.IntN(pool)]
		at.Evidence = ev
		b.Link(hs[a], hs[z], at)
		if edge != nil {
			edge(a, z)
		}
		added++
	}
	perHub := int(c.HubShare * float64(c.Nodes))
	for h := 0; h < c.Hubs && added+perHub <= c.Edges; h++ {
		for range perHub {
			link(c.Nodes+h, r.IntN(c.Nodes))
		}
	}
	for added < c.Edges {
		a, z := pick(), pick()
		if a == z {
			continue
		}
		link(a, z)
	}
	return added
}

// Planted describes a planted-partition graph: Groups groups of Size
// nodes, each pair inside a group linked with probability PIn, and each
// node given on average OutDegree links to random nodes elsewhere.
type Planted struct {
	Groups, Size int
	PIn          float64
	OutDegree    float64
	Seed         uint64
}

// Generate adds the graph to b and returns each node's group (node i is
// NodeID(i)).
func (p Planted) Generate(b *graph.Builder) []int {
	r := rand.New(rand.NewPCG(p.Seed, 7))
	n := p.Groups * p.Size
	hs := make([]graph.Handle, n)
	truth := make([]int, n)
	for i := range n {
		hs[i] = b.Node(graph.Node{ID: NodeID(i), Type: mosaic.TypePerson})
		truth[i] = i / p.Size
	}
	at := graph.Attrs{Type: "knows", Confidence: 0.9}
	for g := 0; g < p.Groups; g++ {
		for i := g * p.Size; i < (g+1)*p.Size; i++ {
			for j := i + 1; j < (g+1)*p.Size; j++ {
				if r.Float64() < p.PIn {
					b.Link(hs[i], hs[j], at)
				}
			}
		}
	}
	outs := int(p.OutDegree * float64(n) / 2)
	for range outs {
		i, j := r.IntN(n), r.IntN(n)
		if truth[i] != truth[j] {
			b.Link(hs[i], hs[j], at)
		}
	}
	return truth
}
