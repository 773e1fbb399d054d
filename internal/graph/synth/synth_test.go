package synth

import (
	"context"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/graph"
)

func TestPowerLawHasHubs(t *testing.T) {
	cfg := DefaultConfig(200_000)
	b := graph.NewBuilder(0, 0)
	deg := make([]int, cfg.Nodes+cfg.Hubs)
	n := PowerLaw(cfg, b, func(a, z int) { deg[a]++; deg[z]++ })
	if n != cfg.Edges {
		t.Fatalf("%d edges, want %d", n, cfg.Edges)
	}
	// The airports touch HubShare of everyone; the Chung-Lu head is far
	// above the mean degree of 40.
	if deg[cfg.Nodes] < int(cfg.HubShare*float64(cfg.Nodes)) || deg[0] < 10*40 {
		t.Fatalf("no hubs: airport %d, top node %d", deg[cfg.Nodes], deg[0])
	}
	g, err := b.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	st, err := g.Reach(context.Background(), access.Local(), NodeID(cfg.Nodes-1), graph.Filter{}, 0)
	if err != nil || st.Nodes < cfg.Nodes*9/10 {
		t.Fatalf("giant component holds %d of %d nodes (%v)", st.Nodes, cfg.Nodes, err)
	}
}
