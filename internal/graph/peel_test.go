package graph_test

import (
	"context"
	"fmt"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/graph"
	"github.com/mosaic-intel/mosaic/internal/graph/analytics"
)

// Two tight triads joined by three weaker links, each member with a few
// pendants (people linked to that member only): the pendants must not
// keep the triads apart, and join the cell only when their link weighs
// enough.
func TestCellsPendantsDoNotSplitAGroup(t *testing.T) {
	ctx := context.Background()
	b := graph.NewBuilder(0, 0)
	link := func(x, y string, n int) {
		b.AddEdge(graph.Edge{From: mosaic.ID(x), To: mosaic.ID(y), Type: "called", Confidence: 1, Count: n})
	}
	for _, s := range []string{"a", "b"} {
		link(s+"1", s+"2", 5)
		link(s+"2", s+"3", 5)
		link(s+"1", s+"3", 5)
		for i := 1; i <= 3; i++ {
			link(s+fmt.Sprint(i), fmt.Sprintf("%s%d-friend", s, i), 2)
		}
	}
	for i := 1; i <= 3; i++ {
		link(fmt.Sprintf("a%d", i), fmt.Sprintf("b%d", i), 1)
	}
	link("a1", "a1-stranger", 1)
	g, err := b.Build(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// 16 edges weighing 46 in all: resolution 0.2/2.875 is an absolute
	// density of 0.2 per pair.
	const res = 0.2 / 2.875
	pr, err := g.Project(ctx, access.Local(), graph.ProjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pr.MeanWeight != 2.875 {
		t.Fatalf("mean weight %v, want 2.875", pr.MeanWeight)
	}
	// Plain CPM over every node keeps the triads apart: each has taken in
	// its pendants, and joining two groups of six costs more than the
	// three links between them bring.
	plain, err := analytics.Communities(ctx, pr.G, analytics.CommunityOptions{Resolution: 0.2})
	if err != nil {
		t.Fatal(err)
	}
	at := map[mosaic.ID]int{}
	for i, id := range pr.IDs {
		at[id] = plain[i]
	}
	if at["a1"] == at["b1"] {
		t.Fatal("the scenario does not test anything: plain CPM already joins the triads")
	}

	cells, err := g.Cells(ctx, access.Local(), graph.CellOptions{MinSize: 3, CommunityOptions: analytics.CommunityOptions{Resolution: res}})
	if err != nil {
		t.Fatal(err)
	}
	in := map[mosaic.ID]int{}
	for _, c := range cells {
		for _, m := range c.Members {
			in[m.ID] = c.ID + 1
		}
	}
	for _, id := range []mosaic.ID{"a1", "a2", "a3", "b1", "b2", "b3"} {
		if in[id] == 0 || in[id] != in["a1"] {
			t.Fatalf("%s is in cell %d, a1 in %d: the triads were not joined (%v)", id, in[id]-1, in["a1"]-1, cells)
		}
	}
	if in["a1-stranger"] != 0 {
		t.Fatal("a pendant linked once joined the cell")
	}
	friends := 0
	for _, s := range []string{"a", "b"} {
		for i := 1; i <= 3; i++ {
			switch in[mosaic.ID(fmt.Sprintf("%s%d-friend", s, i))] {
			case in["a1"]:
				friends++
			case 0:
			default:
				t.Fatal("a pendant joined another cell than its neighbour's")
			}
		}
	}
	// Each friend's link (2) must reach 0.2 × the cell's size: sizes 6 to
	// 10 take five of the six.
	if friends != 5 {
		t.Fatalf("%d friends joined the cell, want 5", friends)
	}
}
