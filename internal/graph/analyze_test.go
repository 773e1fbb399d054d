package graph_test

import (
	"context"
	"math/rand/v2"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/graph"
	"github.com/mosaic-intel/mosaic/internal/graph/analytics"
	"github.com/mosaic-intel/mosaic/internal/graph/synth"
)

func TestCellsRecoverPlantedGroups(t *testing.T) {
	b := graph.NewBuilder(0, 0)
	truth := synth.Planted{Groups: 300, Size: 6, PIn: 0.8, OutDegree: 1, Seed: 5}.Generate(b)
	// A hub every member of every group touches: must not glue cells.
	for i := range truth {
		b.AddEdge(graph.Edge{From: synth.NodeID(i), To: "airport", Type: "visited", Confidence: 1})
	}
	g, err := b.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	cells, err := g.Cells(context.Background(), access.Local(), graph.CellOptions{MinSize: 1})
	if err != nil {
		t.Fatal(err)
	}
	pos := map[mosaic.ID]int{}
	for i := range truth {
		pos[synth.NodeID(i)] = i
	}
	got := make([]int, len(truth))
	for i := range got {
		got[i] = -1 - i // unassigned: singletons
	}
	for _, c := range cells {
		for _, m := range c.Members {
			if m.ID == "airport" {
				t.Fatal("the hub was put in a cell")
			}
			got[pos[m.ID]] = c.ID
		}
	}
	ari := analytics.AdjustedRand(truth, got)
	t.Logf("%d cells, ARI %.3f", len(cells), ari)
	if ari < 0.9 {
		t.Fatalf("ARI %.3f < 0.9", ari)
	}
}

func TestAnalyticsRespectMarkings(t *testing.T) {
	// A broker b joins two triangles, but only through SECRET edges.
	b := graph.NewBuilder(0, 0)
	secret := mosaic.NewMarking("SECRET")
	for _, e := range [][2]mosaic.ID{{"a1", "a2"}, {"a2", "a3"}, {"a1", "a3"}, {"c1", "c2"}, {"c2", "c3"}, {"c1", "c3"}} {
		b.AddEdge(graph.Edge{From: e[0], To: e[1], Type: "knows", Confidence: 1})
	}
	b.AddEdge(graph.Edge{From: "a1", To: "b", Type: "called", Confidence: 1, Marking: secret})
	b.AddEdge(graph.Edge{From: "b", To: "c1", Type: "called", Confidence: 1, Marking: secret})
	g, err := b.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	_, brokers, err := g.KeyPlayers(ctx, access.Local(), graph.KeyPlayerOptions{Top: 1})
	if err != nil || len(brokers) != 1 || brokers[0].Node.ID != "b" && brokers[0].Node.ID != "a1" && brokers[0].Node.ID != "c1" {
		t.Fatalf("cleared brokers: %+v %v", brokers, err)
	}
	byRank, brokers, err := g.KeyPlayers(ctx, mosaic.Principal{}, graph.KeyPlayerOptions{Top: 10})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range append(byRank, brokers...) {
		if s.Node.ID == "b" {
			t.Fatal("uncleared caller sees b, reachable only by secret edges")
		}
		if s.Betweenness != 0 { // two separate triangles: no pair needs anyone
			t.Errorf("betweenness %v for %s leaks the hidden bridge", s.Betweenness, s.Node.ID)
		}
	}
	pr, err := g.Project(ctx, mosaic.Principal{}, graph.ProjectOptions{})
	if err != nil || len(pr.IDs) != 6 {
		t.Fatalf("projection for an uncleared caller has %d nodes: %v", len(pr.IDs), err)
	}
}

// TestProjectionWeights: an edge weighs its type's weight times its
// occasions; merged edges add their occasions; and the delta keeps counts.
func TestProjectionWeights(t *testing.T) {
	ctx := context.Background()
	b := graph.NewBuilder(0, 0)
	b.AddEdge(graph.Edge{From: "a", To: "b", Type: "called", Count: 3, Confidence: 1, Evidence: []mosaic.ID{"c1"}})
	b.AddEdge(graph.Edge{From: "a", To: "b", Type: "called", Count: 2, Confidence: 1, Evidence: []mosaic.ID{"c2"}})
	b.AddEdge(graph.Edge{From: "a", To: "b", Type: "named_with", Confidence: 0.5})
	b.AddEdge(graph.Edge{From: "b", To: "c", Type: "called", Confidence: 1})
	g, err := b.Build(ctx)
	if err != nil {
		t.Fatal(err)
	}
	g.AddEdge(graph.Edge{From: "c", To: "d", Type: "called", Count: 4, Confidence: 1})
	sg, err := g.Neighbours(ctx, access.Local(), []mosaic.ID{"a"}, graph.NeighbourOptions{Filter: graph.Filter{EdgeTypes: []string{"called"}}})
	if err != nil || len(sg.Edges) != 1 || sg.Edges[0].Count != 5 || len(sg.Edges[0].Evidence) != 2 {
		t.Fatalf("merged a-b calls: %+v %v", sg.Edges, err)
	}
	weight := func(o graph.ProjectOptions, x, y mosaic.ID) float64 {
		t.Helper()
		pr, err := g.Project(ctx, access.Local(), o)
		if err != nil {
			t.Fatal(err)
		}
		for i, id := range pr.IDs {
			if id != x {
				continue
			}
			for k := pr.G.Off[i]; k < pr.G.Off[i+1]; k++ {
				if pr.IDs[pr.G.Nbr[k]] == y {
					return pr.G.W[k]
				}
			}
		}
		return 0
	}
	tests := []struct {
		name string
		o    graph.ProjectOptions
		x, y mosaic.ID
		want float64
	}{
		{"occasions add up, every type weighs 1", graph.ProjectOptions{}, "a", "b", 6},
		{"type weights", graph.ProjectOptions{TypeWeights: map[string]float64{"named_with": 3, "called": 0.5}}, "a", "b", 5.5},
		{"a type weighted 0 is left out", graph.ProjectOptions{TypeWeights: map[string]float64{"named_with": 0}}, "a", "b", 5},
		{"delta edge keeps its count", graph.ProjectOptions{}, "c", "d", 4},
		{"single link", graph.ProjectOptions{}, "b", "c", 1},
	}
	for _, tt := range tests {
		if got := weight(tt.o, tt.x, tt.y); got != tt.want {
			t.Errorf("%s: weight %s-%s = %v, want %v", tt.name, tt.x, tt.y, got, tt.want)
		}
	}
	// Graph defaults apply unless the options override them.
	g.SetEdgeWeights(map[string]float64{"named_with": 2})
	if got := weight(graph.ProjectOptions{}, "a", "b"); got != 7 {
		t.Errorf("with graph default weights: %v, want 7", got)
	}
	if err := g.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	if got := weight(graph.ProjectOptions{}, "c", "d"); got != 4 {
		t.Errorf("after compaction c-d weighs %v, want 4", got)
	}
	if got := weight(graph.ProjectOptions{}, "a", "b"); got != 7 {
		t.Errorf("after compaction a-b weighs %v, want 7", got)
	}
}

// TestCellsScaleFree: the CPM resolution is relative to the mean edge
// weight, so counting every occasion eight times over finds the same
// cells (a power of two keeps the arithmetic exact).
func TestCellsScaleFree(t *testing.T) {
	ctx := context.Background()
	partition := func(count int) map[mosaic.ID]int {
		r := rand.New(rand.NewPCG(3, 3))
		b := graph.NewBuilder(0, 0)
		const groups, size = 50, 5
		for i := 0; i < groups*size; i++ {
			for j := i + 1; j < groups*size; j++ {
				same := i/size == j/size
				if same && r.Float64() < 0.7 || !same && r.Float64() < 2.0/(groups*size) {
					b.AddEdge(graph.Edge{From: synth.NodeID(i), To: synth.NodeID(j), Type: "called", Confidence: 1, Count: count * (1 + r.IntN(3))})
				}
			}
		}
		g, err := b.Build(ctx)
		if err != nil {
			t.Fatal(err)
		}
		cells, err := g.Cells(ctx, access.Local(), graph.CellOptions{})
		if err != nil {
			t.Fatal(err)
		}
		out := map[mosaic.ID]int{}
		for _, c := range cells {
			for _, m := range c.Members {
				out[m.ID] = c.ID
			}
		}
		return out
	}
	a, b := partition(1), partition(8)
	if len(a) < 200 || len(a) != len(b) {
		t.Fatalf("%d vs %d nodes in cells", len(a), len(b))
	}
	var x, y []int
	for id, c := range a {
		x, y = append(x, c), append(y, b[id])
	}
	if ari := analytics.AdjustedRand(x, y); ari != 1 {
		t.Fatalf("scaling every weight changed the cells: ARI %.3f between the two", ari)
	}
}

// A name met once beside a cell member is too lightly linked for the
// constant Potts model to take it into the cell; it joins the cell it is
// mostly linked to afterwards, while a node mostly linked elsewhere stays
// out.
func TestCellsJoinMostlyLinked(t *testing.T) {
	ctx := context.Background()
	b := graph.NewBuilder(0, 0)
	cell := []mosaic.ID{"a1", "a2", "a3", "a4", "a5", "a6"}
	for i, x := range cell {
		for _, y := range cell[i+1:] {
			b.AddEdge(graph.Edge{From: x, To: y, Type: "called", Confidence: 1, Count: 5})
		}
	}
	b.AddEdge(graph.Edge{From: "x", To: "a1", Type: "called", Confidence: 1, Count: 1}) // all of x's weight
	b.AddEdge(graph.Edge{From: "y", To: "a2", Type: "called", Confidence: 1, Count: 1}) // a third of y's
	b.AddEdge(graph.Edge{From: "y", To: "z", Type: "called", Confidence: 1, Count: 2})
	g, err := b.Build(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// At resolution 0.1 the constant Potts model leaves x (one call) out
	// of the clique; at 0.05 it takes x in itself, so the test pins the
	// resolution to test the join, not the default.
	for _, keep := range []bool{false, true} {
		o := graph.CellOptions{MinSize: 3, KeepSmall: keep}
		o.Resolution = 0.1
		cells, err := g.Cells(ctx, access.Local(), o)
		if err != nil {
			t.Fatal(err)
		}
		in := map[mosaic.ID]int{}
		for _, c := range cells {
			for _, m := range c.Members {
				in[m.ID] = c.ID
			}
		}
		if len(cells) != 1 {
			t.Fatalf("KeepSmall %v: %d cells, want 1: %v", keep, len(cells), in)
		}
		for _, x := range cell {
			if _, ok := in[x]; !ok {
				t.Fatalf("KeepSmall %v: %s in no cell: %v", keep, x, in)
			}
		}
		if _, ok := in["x"]; ok == keep {
			t.Errorf("KeepSmall %v: x in a cell %v, want %v", keep, ok, !keep)
		}
		for _, x := range []mosaic.ID{"y", "z"} {
			if _, ok := in[x]; ok {
				t.Errorf("KeepSmall %v: %s, mostly linked outside the cell, is in it", keep, x)
			}
		}
	}
}
