package analytics

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

// planted returns a planted-partition graph: groups of size nodes, pairs
// inside a group linked with probability pin, plus out random links
// between groups per node on average.
func planted(groups, size int, pin, out float64, seed uint64) (*Weighted, []int) {
	r := rand.New(rand.NewPCG(seed, 1))
	n := groups * size
	truth := make([]int, n)
	for i := range truth {
		truth[i] = i / size
	}
	var edges [][2]int
	for g := 0; g < groups; g++ {
		for i := g * size; i < (g+1)*size; i++ {
			for j := i + 1; j < (g+1)*size; j++ {
				if r.Float64() < pin {
					edges = append(edges, [2]int{i, j})
				}
			}
		}
	}
	for range int(out * float64(n) / 2) {
		i, j := r.IntN(n), r.IntN(n)
		if truth[i] != truth[j] {
			edges = append(edges, [2]int{i, j})
		}
	}
	return FromEdges(n, edges, nil), truth
}

func TestCommunitiesPlanted(t *testing.T) {
	tests := []struct {
		name             string
		groups, size     int
		pin, out, minARI float64
	}{
		{"small cells, sparse cross links", 200, 6, 0.8, 0.5, 0.9},
		{"mid groups", 50, 20, 0.5, 2, 0.9},
		{"cells in noise", 300, 5, 0.9, 1, 0.9},
		{"many cells: no resolution limit", 2000, 6, 0.8, 1, 0.9},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, truth := planted(tt.groups, tt.size, tt.pin, tt.out, 42)
			if err := g.Validate(); err != nil {
				t.Fatal(err)
			}
			got, err := Communities(context.Background(), g, CommunityOptions{Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			ari := AdjustedRand(truth, got)
			t.Logf("ARI %.3f, modularity %.3f (truth %.3f)", ari, Modularity(g, got), Modularity(g, truth))
			if ari < tt.minARI {
				t.Errorf("ARI %.3f < %.2f", ari, tt.minARI)
			}
			// Modularity proper merges small cells in a large graph (its
			// resolution limit): check it finds a good partition, not
			// the cells.
			mod, err := Communities(context.Background(), g, CommunityOptions{Quality: NewmanModularity, Seed: 1})
			if err != nil {
				t.Fatal(err)
			}
			if Modularity(g, mod) < Modularity(g, truth)-0.02 {
				t.Errorf("modularity %.3f well below the truth's %.3f", Modularity(g, mod), Modularity(g, truth))
			}
		})
	}
}

func TestCommunitiesConnected(t *testing.T) {
	// Two triangles with no edge between them must never share a label.
	g := FromEdges(6, [][2]int{{0, 1}, {1, 2}, {0, 2}, {3, 4}, {4, 5}, {3, 5}}, nil)
	c, err := Communities(context.Background(), g, CommunityOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if c[0] != c[1] || c[1] != c[2] || c[3] != c[4] || c[4] != c[5] || c[0] == c[3] {
		t.Fatalf("communities %v", c)
	}
}

func TestAdjustedRand(t *testing.T) {
	tests := []struct {
		a, b []int
		want float64
	}{
		{[]int{0, 0, 1, 1}, []int{5, 5, 7, 7}, 1},
		{[]int{0, 0, 1, 1}, []int{0, 1, 0, 1}, -0.5},
		// sklearn's documented example: adjusted_rand_score([0,0,1,2],[0,0,1,1]) = 0.5714...
		{[]int{0, 0, 1, 2}, []int{0, 0, 1, 1}, 0.5714285714},
		{[]int{0, 0, 0, 1, 1, 1}, []int{0, 0, 1, 1, 2, 2}, 0.2424242424},
	}
	for i, tt := range tests {
		if got := AdjustedRand(tt.a, tt.b); math.Abs(got-tt.want) > 1e-6 {
			t.Errorf("%d: ARI = %v, want %v", i, got, tt.want)
		}
	}
}

func TestPageRankAndBetweenness(t *testing.T) {
	// A star 0-{1,2,3,4} with a tail 4-5: 0 ranks first; betweenness of 0
	// is C(4,2)-... computed by hand: pairs through 0 among {1,2,3,4,5}:
	// {1,2},{1,3},{2,3} and each of 1,2,3 with 4 and with 5: 3 + 6 = 9.
	g := FromEdges(6, [][2]int{{0, 1}, {0, 2}, {0, 3}, {0, 4}, {4, 5}}, nil)
	pr, err := PageRank(context.Background(), g, 0)
	if err != nil {
		t.Fatal(err)
	}
	var sum float64
	for i, p := range pr {
		sum += p
		if i != 0 && p >= pr[0] {
			t.Errorf("node %d ranks %v >= hub %v", i, p, pr[0])
		}
	}
	if math.Abs(sum-1) > 1e-6 {
		t.Errorf("PageRank sums to %v", sum)
	}
	bc, err := Betweenness(context.Background(), g, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []float64{9, 0, 0, 0, 4, 0} // 4 brokers 5 to everyone else
	for i := range want {
		if math.Abs(bc[i]-want[i]) > 1e-9 {
			t.Errorf("betweenness %v, want %v", bc, want)
			break
		}
	}
}
