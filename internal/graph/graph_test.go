package graph

import (
	heapPkg "container/heap"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"testing"
	"time"
	"unsafe"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
)

var all = access.Local()

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// smallWorld: a–b–c–d is a chain of documented links; a–x–d is a shortcut
// through x, marked SECRET; a and d also share an airport hub h.
func smallWorld(t testing.TB) *Graph {
	t.Helper()
	b := NewBuilder(0, 0)
	for _, id := range []mosaic.ID{"a", "b", "c", "d"} {
		b.Node(Node{ID: id, Type: mosaic.TypePerson, Caption: "person " + string(id)})
	}
	b.Node(Node{ID: "x", Type: mosaic.TypePerson, Marking: mosaic.NewMarking("SECRET")})
	b.Node(Node{ID: "h", Type: mosaic.TypeLocation, Caption: "airport"})
	link := func(from, to mosaic.ID, typ string, ev string, start string, m ...string) {
		e := Edge{From: from, To: to, Type: typ, Directed: true, Evidence: []mosaic.ID{mosaic.ID(ev)}, Confidence: 0.9,
			Marking: mosaic.NewMarking(m...), Recorded: day("2024-01-01")}
		if start != "" {
			e.Start = day(start)
			e.End = day(start).Add(48 * time.Hour)
		}
		b.AddEdge(e)
	}
	link("a", "b", "knows", "st-ab", "2020-01-01")
	link("b", "c", "knows", "st-bc", "2021-06-01")
	link("c", "d", "knows", "st-cd", "2022-03-01")
	link("a", "x", "knows", "st-ax", "2023-01-01", "SECRET")
	link("x", "d", "knows", "st-xd", "2023-02-01", "SECRET")
	// The airport: a, d and 2000 other travellers.
	for i := 0; i < 2000; i++ {
		link(mosaic.ID(fmt.Sprintf("p%d", i)), "h", "visited", fmt.Sprintf("rec-%d", i), "")
	}
	link("a", "h", "visited", "rec-a", "")
	link("d", "h", "visited", "rec-d", "")
	g, err := b.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func nodeIDs(p Path) []mosaic.ID {
	var out []mosaic.ID
	for _, n := range p.Nodes {
		out = append(out, n.ID)
	}
	return out
}

func TestPathsMarkingsAndHubs(t *testing.T) {
	g := smallWorld(t)
	ctx := context.Background()
	secret := mosaic.Principal{Name: "s", Clearances: mosaic.NewMarking("SECRET")}
	public := mosaic.Principal{Name: "p"}
	tests := []struct {
		name string
		p    mosaic.Principal
		o    PathOptions
		want []mosaic.ID
	}{
		{"cleared caller takes the secret shortcut", secret, PathOptions{}, []mosaic.ID{"a", "x", "d"}},
		{"uncleared caller never crosses x; hub avoided", public, PathOptions{}, []mosaic.ID{"a", "b", "c", "d"}},
		{"without hub penalty the airport is shortest", public, PathOptions{HubWeight: -1}, []mosaic.ID{"a", "h", "d"}},
		{"edge type filter", public, PathOptions{HubWeight: -1, Filter: Filter{EdgeTypes: []string{"knows"}}}, []mosaic.ID{"a", "b", "c", "d"}},
		{"time window excludes b–c", public, PathOptions{Filter: Filter{From: day("2022-01-01"), To: day("2024-01-01")}}, nil},
		{"max hops", public, PathOptions{MaxHops: 2, Filter: Filter{EdgeTypes: []string{"knows"}}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps, err := g.Paths(ctx, tt.p, "a", "d", tt.o)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == nil {
				if len(ps) != 0 {
					t.Fatalf("got path %v, want none", nodeIDs(ps[0]))
				}
				return
			}
			if len(ps) != 1 || !slices.Equal(nodeIDs(ps[0]), tt.want) {
				t.Fatalf("got %v, want %v", ps, tt.want)
			}
			for _, e := range ps[0].Edges {
				if len(e.Evidence) != 1 {
					t.Errorf("edge %s-%s has evidence %v", e.From, e.To, e.Evidence)
				}
				if !access.Can(tt.p, e.Marking) {
					t.Errorf("path reveals edge marked %v", e.Marking)
				}
			}
		})
	}
	// Evidence and direction of a hop.
	ps, _ := g.Paths(ctx, public, "b", "a", PathOptions{})
	if len(ps) != 1 || ps[0].Edges[0].Evidence[0] != "st-ab" || ps[0].Edges[0].Direction != "in" {
		t.Fatalf("b->a: %+v", ps)
	}
	// A node the caller may not see does not exist for it.
	if _, err := g.Paths(ctx, public, "a", "x", PathOptions{}); err == nil {
		t.Fatal("path to a hidden node succeeded")
	}
}

func TestKShortest(t *testing.T) {
	g := smallWorld(t)
	secret := mosaic.Principal{Clearances: mosaic.NewMarking("SECRET")}
	ps, err := g.Paths(context.Background(), secret, "a", "d", PathOptions{K: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := [][]mosaic.ID{{"a", "x", "d"}, {"a", "b", "c", "d"}, {"a", "h", "d"}}
	if len(ps) != 3 {
		t.Fatalf("got %d paths", len(ps))
	}
	for i, p := range ps {
		if !slices.Equal(nodeIDs(p), want[i]) {
			t.Errorf("path %d = %v, want %v", i, nodeIDs(p), want[i])
		}
		if i > 0 && p.Cost < ps[i-1].Cost {
			t.Errorf("paths out of order: %v", ps)
		}
	}
}

func TestNeighboursTimelineChanges(t *testing.T) {
	g := smallWorld(t)
	ctx := context.Background()
	public := mosaic.Principal{}
	sg, err := g.Neighbours(ctx, public, []mosaic.ID{"a"}, NeighbourOptions{Hops: 2})
	if err != nil {
		t.Fatal(err)
	}
	var got []mosaic.ID
	for _, n := range sg.Nodes {
		got = append(got, n.ID)
	}
	slices.Sort(got)
	// h is reached but, being a hub, not expanded; x is invisible.
	if want := []mosaic.ID{"a", "b", "c", "h"}; !slices.Equal(got, want) {
		t.Fatalf("neighbours = %v, want %v", got, want)
	}
	if !slices.Equal(sg.Hubs, []mosaic.ID{"h"}) {
		t.Errorf("hubs = %v", sg.Hubs)
	}
	sg, _ = g.Neighbours(ctx, public, []mosaic.ID{"a"}, NeighbourOptions{Hops: 2, HubDegree: -1, Limit: 100})
	if !sg.Truncated || len(sg.Nodes) != 100 {
		t.Errorf("limit: %d nodes, truncated %v", len(sg.Nodes), sg.Truncated)
	}
	ev, err := g.Timeline(ctx, public, []mosaic.ID{"b", "c"}, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var evid []mosaic.ID
	for _, e := range ev {
		evid = append(evid, e.Edge.Evidence[0])
	}
	if want := []mosaic.ID{"st-ab", "st-bc", "st-cd"}; !slices.Equal(evid, want) {
		t.Fatalf("timeline evidence = %v, want %v", evid, want)
	}
	g.AddEdge(Edge{From: "b", To: "d", Type: "called", Evidence: []mosaic.ID{"rec-call"}, Recorded: day("2025-05-05"), Confidence: 1})
	g.AddEdge(Edge{From: "b", To: "x", Type: "called", Evidence: []mosaic.ID{"rec-secret"}, Recorded: day("2025-05-05"), Marking: mosaic.NewMarking("SECRET")})
	cs, err := g.Changes(ctx, public, day("2025-01-01"), Filter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs.Edges) != 1 || cs.Edges[0].Evidence[0] != "rec-call" || cs.EdgesByType["called"] != 1 {
		t.Fatalf("changes = %+v", cs)
	}
}

func TestDeltaAndCompact(t *testing.T) {
	ctx := context.Background()
	g := smallWorld(t)
	public := mosaic.Principal{}
	g.AddNode(Node{ID: "e", Type: mosaic.TypePerson})
	g.AddEdge(Edge{From: "d", To: "e", Type: "knows", Evidence: []mosaic.ID{"st-de"}, Confidence: 1})
	g.AddEdge(Edge{From: "c", To: "d", Type: "knows", Directed: true, Evidence: []mosaic.ID{"st-cd2"}, Confidence: 0.9})
	check := func(stage string, wantEv int) {
		t.Helper()
		ps, err := g.Paths(ctx, public, "a", "e", PathOptions{Filter: Filter{EdgeTypes: []string{"knows"}}})
		if err != nil || len(ps) != 1 {
			t.Fatalf("%s: %v %v", stage, ps, err)
		}
		if want := []mosaic.ID{"a", "b", "c", "d", "e"}; !slices.Equal(nodeIDs(ps[0]), want) {
			t.Fatalf("%s: path %v", stage, nodeIDs(ps[0]))
		}
		if n := len(ps[0].Edges[2].Evidence); n != wantEv {
			t.Fatalf("%s: c-d evidence %v", stage, ps[0].Edges[2].Evidence)
		}
	}
	check("delta", 1) // the repeated c–d edge sits beside the base one
	before := g.Stats().Edges
	if err := g.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	if s := g.Stats(); s.DeltaEdges != 0 || s.Edges != before-1 {
		t.Fatalf("after compact: %+v (before %d)", s, before)
	}
	check("compacted", 2) // merged: both pieces of evidence
	if !g.RemoveNode("c") {
		t.Fatal("remove c")
	}
	if ps, _ := g.Paths(ctx, public, "a", "e", PathOptions{Filter: Filter{EdgeTypes: []string{"knows"}}}); len(ps) != 0 {
		t.Fatalf("path through removed node: %v", nodeIDs(ps[0]))
	}
	if n := g.RemoveEdge(Edge{From: "a", To: "b", Type: "knows", Directed: true}); n != 1 {
		t.Fatalf("RemoveEdge removed %d", n)
	}
	if err := g.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	if sg, _ := g.Neighbours(ctx, all, []mosaic.ID{"b"}, NeighbourOptions{}); len(sg.Nodes) != 1 {
		t.Fatalf("b after removals: %+v", sg.Nodes)
	}
}

// randomGraph builds a power-law-ish graph with a few hubs, random markings
// and a delta part, and returns it with its edge list for a reference
// search.
type refEdge struct {
	a, b     int
	typ      string
	mark     mosaic.Marking
	conf     float64
	nev      int
	directed bool // a -> b
}

func randomGraph(t testing.TB, seed uint64, n, m int) (*Graph, []refEdge) {
	g, edges, _ := randomGraphMarked(t, seed, n, m, 0)
	return g, edges
}

// randomGraphMarked is randomGraph with a share of the nodes marked "B"
// (nodeMarks[i] is node i's marking).
func randomGraphMarked(t testing.TB, seed uint64, n, m int, markedShare float64) (*Graph, []refEdge, []mosaic.Marking) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, 1))
	b := NewBuilder(n, m)
	b.hubDegree = 40
	marks := []mosaic.Marking{nil, nil, nil, mosaic.NewMarking("A"), mosaic.NewMarking("B"), mosaic.NewMarking("A", "B")}
	nodeMarks := make([]mosaic.Marking, n)
	for i := 0; i < n; i++ {
		if markedShare > 0 && r.Float64() < markedShare {
			nodeMarks[i] = mosaic.NewMarking("B")
		}
		b.Node(Node{ID: mosaic.ID(fmt.Sprint(i)), Type: mosaic.TypePerson, Marking: nodeMarks[i]})
	}
	var edges []refEdge
	keys := map[string]bool{}
	for i := 0; i < m; i++ {
		x := r.IntN(n)
		y := int(float64(n) * math.Pow(r.Float64(), 3)) // skewed: low ids are hubs
		if r.IntN(2) == 0 {
			x, y = y, x
		}
		e := refEdge{a: x, b: y, typ: []string{"knows", "called"}[r.IntN(2)], mark: marks[r.IntN(len(marks))],
			conf: float64(r.IntN(21)) / 20, nev: 1 + r.IntN(3)}
		if markedShare > 0 {
			e.directed = r.IntN(2) == 0
		}
		k := fmt.Sprint(min(x, y), max(x, y), e.typ, e.mark) // one edge per key: no merging
		if x == y || keys[k] {
			continue
		}
		keys[k] = true
		edges = append(edges, e)
	}
	add := func(e refEdge, i int, f func(Edge)) {
		var ev []mosaic.ID
		for k := 0; k < e.nev; k++ {
			ev = append(ev, mosaic.ID(fmt.Sprintf("ev-%d-%d", i, k)))
		}
		f(Edge{From: mosaic.ID(fmt.Sprint(e.a)), To: mosaic.ID(fmt.Sprint(e.b)), Type: e.typ, Marking: e.mark, Confidence: e.conf, Evidence: ev, Directed: e.directed})
	}
	split := len(edges) * 9 / 10
	for i, e := range edges[:split] {
		add(e, i, b.AddEdge)
	}
	g, err := b.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range edges[split:] {
		add(e, split+i, g.AddEdge)
	}
	return g, edges, nodeMarks
}

// refCost is a plain Dijkstra over the edge list with the same costs.
func refCost(g *Graph, edges []refEdge, p mosaic.Principal, hubW float64, src, dst int, n int) float64 {
	return refCostMarked(edges, nil, p, hubW, src, dst, n)
}

// refEdgeCost is the cost of crossing e, with its ends' hub penalties
// (half each) from the visible degrees deg.
func refEdgeCost(e refEdge, deg []int, hubW float64) float64 {
	return float64(classCost(edgeClass{conf: confQ(e.conf), evb: evBucket(e.nev)})) +
		hubW*0.5*(math.Log1p(float64(deg[e.a]))+math.Log1p(float64(deg[e.b])))
}

// refVisible reports whether p may cross e, given the nodes' markings.
func refVisible(e refEdge, nodeMarks []mosaic.Marking, p mosaic.Principal) bool {
	return access.Can(p, e.mark) && (nodeMarks == nil || access.Can(p, nodeMarks[e.a]) && access.Can(p, nodeMarks[e.b]))
}

// refDegrees counts the edges p may see at each node.
func refDegrees(edges []refEdge, nodeMarks []mosaic.Marking, p mosaic.Principal, n int) []int {
	deg := make([]int, n)
	for _, e := range edges {
		if refVisible(e, nodeMarks, p) {
			deg[e.a]++
			deg[e.b]++
		}
	}
	return deg
}

// refCostMarked is a plain Dijkstra over the edges p may see (hubW <= 0:
// no penalties).
func refCostMarked(edges []refEdge, nodeMarks []mosaic.Marking, p mosaic.Principal, hubW float64, src, dst int, n int) float64 {
	hubW = max(hubW, 0)
	deg := make([]int, n)
	for _, e := range edges {
		if refVisible(e, nodeMarks, p) {
			deg[e.a]++
			deg[e.b]++
		}
	}
	type arc struct {
		to int
		c  float64
	}
	adj := make([][]arc, n)
	for _, e := range edges {
		if !refVisible(e, nodeMarks, p) {
			continue
		}
		c := refEdgeCost(e, deg, hubW)
		adj[e.a] = append(adj[e.a], arc{e.b, c})
		adj[e.b] = append(adj[e.b], arc{e.a, c})
	}
	dist := make([]float64, n)
	for i := range dist {
		dist[i] = math.Inf(1)
	}
	dist[src] = 0
	done := make([]bool, n)
	for {
		u := -1
		for i := range dist {
			if !done[i] && !math.IsInf(dist[i], 1) && (u < 0 || dist[i] < dist[u]) {
				u = i
			}
		}
		if u < 0 || u == dst {
			break
		}
		done[u] = true
		for _, a := range adj[u] {
			dist[a.to] = min(dist[a.to], dist[u]+a.c)
		}
	}
	return dist[dst]
}

// TestPathsMatchReference checks the bidirectional search, hub deferral,
// delta edges and marking filters against a plain Dijkstra.
func TestPathsMatchReference(t *testing.T) {
	ctx := context.Background()
	const n, m = 600, 6000
	g, edges := randomGraph(t, 7, n, m)
	if g.hubs == 0 {
		t.Fatal("test graph has no hubs to defer")
	}
	r := rand.New(rand.NewPCG(3, 3))
	for _, p := range []mosaic.Principal{all, {}, {Clearances: mosaic.NewMarking("A")}} {
		for q := 0; q < 150; q++ {
			src, dst := r.IntN(n), r.IntN(n)
			want := refCost(g, edges, p, 0.5, src, dst, n)
			ps, err := g.Paths(ctx, p, mosaic.ID(fmt.Sprint(src)), mosaic.ID(fmt.Sprint(dst)), PathOptions{MaxHops: 250})
			if err != nil {
				t.Fatal(err)
			}
			if math.IsInf(want, 1) {
				if len(ps) != 0 {
					t.Fatalf("%d->%d: found a path, reference found none", src, dst)
				}
				continue
			}
			if len(ps) == 0 {
				t.Fatalf("%d->%d: no path, reference cost %v", src, dst, want)
			}
			if math.Abs(ps[0].Cost-want) > 1e-3*want+1e-4 {
				t.Fatalf("%v %d->%d: cost %v, reference %v", p.Clearances, src, dst, ps[0].Cost, want)
			}
			for _, e := range ps[0].Edges {
				if !access.Can(p, e.Marking) {
					t.Fatalf("path crosses an edge marked %v", e.Marking)
				}
			}
		}
	}
}

func TestReach(t *testing.T) {
	g := smallWorld(t)
	st, err := g.Reach(context.Background(), mosaic.Principal{}, "a", Filter{}, 0)
	if err != nil {
		t.Fatal(err)
	}
	// a, b, h | c, 2000 travellers, d | (nothing new)
	if st.Nodes != 2005 || !slices.Equal(st.PerHop, []int{1, 2, 2002}) {
		t.Fatalf("reach = %+v", st)
	}
	st, _ = g.Reach(context.Background(), all, "a", Filter{}, 1)
	if st.Nodes != 4 {
		t.Fatalf("reach 1 hop with clearance = %+v", st)
	}
}

// TestConcurrentQueriesAndUpdates runs queries while edges are added and
// the delta compacted (run with -race).
func TestConcurrentQueriesAndUpdates(t *testing.T) {
	g, _ := randomGraph(t, 11, 300, 3000)
	ctx := context.Background()
	done := make(chan struct{})
	errs := make(chan error, 4)
	for w := 0; w < 3; w++ {
		go func(w int) {
			r := rand.New(rand.NewPCG(uint64(w), 9))
			for {
				select {
				case <-done:
					errs <- nil
					return
				default:
				}
				a, b := mosaic.ID(fmt.Sprint(r.IntN(300))), mosaic.ID(fmt.Sprint(r.IntN(300)))
				if _, err := g.Paths(ctx, mosaic.Principal{}, a, b, PathOptions{K: 2}); err != nil {
					errs <- err
					return
				}
				if _, err := g.Neighbours(ctx, all, []mosaic.ID{a}, NeighbourOptions{Hops: 2}); err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	for i := 0; i < 200; i++ {
		g.AddEdge(Edge{From: mosaic.ID(fmt.Sprint(i)), To: mosaic.ID(fmt.Sprint("new", i)), Type: "knows", Confidence: 1})
		if i%50 == 49 {
			if err := g.Compact(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	close(done)
	for w := 0; w < 3; w++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if err := g.Compact(ctx); err != nil {
		t.Fatal(err)
	}
	if ps, err := g.Paths(ctx, all, "199", "new199", PathOptions{}); err != nil || len(ps) != 1 {
		t.Fatalf("edge added during queries: %v %v", ps, err)
	}
}

// TestNodeRecSize: a node's search state must stay one aligned half cache
// line (see nodeRec).
func TestNodeRecSize(t *testing.T) {
	if s := unsafe.Sizeof(nodeRec{}); s != 32 {
		t.Fatalf("nodeRec is %d bytes, want 32", s)
	}
}

// TestPathsMatchReferenceHiddenNodes checks the search against a plain
// Dijkstra on a graph where some nodes are marked, for several hub
// weights, and checks every returned path: its edges are real edges
// (found by their evidence) joining consecutive nodes, the caller may see
// every node and edge, and its cost is the sum of its hops' costs.
func TestPathsMatchReferenceHiddenNodes(t *testing.T) {
	ctx := context.Background()
	const n, m = 500, 5000
	g, edges, nodeMarks := randomGraphMarked(t, 13, n, m, 0.15)
	byEv := map[mosaic.ID]int{}
	for i := range edges {
		byEv[mosaic.ID(fmt.Sprintf("ev-%d-0", i))] = i
	}
	r := rand.New(rand.NewPCG(5, 5))
	checked := 0
	defer func(f int) { reverseFactor, checkReverse = f, nil }(reverseFactor)
	reverseScans := 0
	for _, hubW := range []float64{0.5, 2, -1, 0.5} {
		if hubW == 0.5 && checked > 0 {
			// Every node scanned from the other side when it may be, and
			// each such scan must relax what a full scan would.
			reverseFactor = 0
			checkReverse = func(full, reverse []uint32) {
				reverseScans++
				if !slices.Equal(full, reverse) {
					t.Fatalf("scan from the other side reaches %v, a full scan relaxes %v", reverse, full)
				}
			}
		}
		for _, p := range []mosaic.Principal{all, {}, {Clearances: mosaic.NewMarking("A")}, {Clearances: mosaic.NewMarking("B")}} {
			deg := refDegrees(edges, nodeMarks, p, n)
			for q := 0; q < 60; q++ {
				src, dst := r.IntN(n), r.IntN(n)
				ps, err := g.Paths(ctx, p, mosaic.ID(fmt.Sprint(src)), mosaic.ID(fmt.Sprint(dst)), PathOptions{MaxHops: 250, HubWeight: hubW})
				if !access.Can(p, nodeMarks[src]) || !access.Can(p, nodeMarks[dst]) {
					if err == nil {
						t.Fatalf("%v: path query from a hidden node %d->%d answered", p.Clearances, src, dst)
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				want := refCostMarked(edges, nodeMarks, p, hubW, src, dst, n)
				if math.IsInf(want, 1) {
					if len(ps) != 0 {
						t.Fatalf("%d->%d: found a path, reference found none", src, dst)
					}
					continue
				}
				if len(ps) == 0 {
					t.Fatalf("%d->%d: no path, reference cost %v", src, dst, want)
				}
				pa := ps[0]
				if !pa.Proven {
					t.Fatalf("%d->%d: unbounded search not proven", src, dst)
				}
				// (src == dst: a path of one node, cost 0.)
				if math.Abs(pa.Cost-want) > 1e-3*want+1e-4 {
					t.Fatalf("%v w=%v %d->%d: cost %v, reference %v", p.Clearances, hubW, src, dst, pa.Cost, want)
				}
				sum := 0.0
				for i, e := range pa.Edges {
					if e.From != pa.Nodes[i].ID || e.To != pa.Nodes[i+1].ID {
						t.Fatalf("hop %d is %s->%s between nodes %s and %s", i, e.From, e.To, pa.Nodes[i].ID, pa.Nodes[i+1].ID)
					}
					k, ok := byEv[e.Evidence[0]]
					if !ok {
						t.Fatalf("hop %d: unknown evidence %v", i, e.Evidence)
					}
					re := edges[k]
					a, b := fmt.Sprint(re.a), fmt.Sprint(re.b)
					if !(string(e.From) == a && string(e.To) == b || string(e.From) == b && string(e.To) == a) || e.Type != re.typ {
						t.Fatalf("hop %d %s->%s %s has the evidence of edge %s-%s %s", i, e.From, e.To, e.Type, a, b, re.typ)
					}
					dir := ""
					if re.directed {
						dir = map[bool]string{true: "out", false: "in"}[string(e.From) == a]
					}
					if e.Direction != dir {
						t.Fatalf("hop %d %s->%s: direction %q, want %q", i, e.From, e.To, e.Direction, dir)
					}
					if !refVisible(re, nodeMarks, p) || !access.Can(p, e.Marking) {
						t.Fatalf("path crosses an edge %s-%s the caller may not see", a, b)
					}
					sum += refEdgeCost(re, deg, max(hubW, 0))
				}
				for _, nd := range pa.Nodes {
					if !access.Can(p, nd.Marking) {
						t.Fatalf("path crosses node %s marked %v", nd.ID, nd.Marking)
					}
				}
				if math.Abs(sum-pa.Cost) > 1e-3*sum+1e-4 {
					t.Fatalf("%d->%d: cost %v but its hops add up to %v", src, dst, pa.Cost, sum)
				}
				checked++
			}
		}
	}
	t.Logf("%d paths checked, %d scans from the other side", checked, reverseScans)
	if checked < 300 || reverseScans == 0 {
		t.Fatalf("only %d paths checked", checked)
	}
}

// TestPathsMatchReferenceBigger compares the search with a heap-based plain
// Dijkstra on a bigger skewed graph (5,000 nodes, hubs of thousands of
// edges, marked nodes), where the pruning and the scans from the other
// side act as on the benchmark graphs; MOSAIC_LONG=1 runs more queries.
func TestPathsMatchReferenceBigger(t *testing.T) {
	ctx := context.Background()
	const n, m = 5000, 120000
	g, edges, nodeMarks := randomGraphMarked(t, 17, n, m, 0.1)
	queries := 150
	if os.Getenv("MOSAIC_LONG") == "1" {
		queries = 1000
	}
	r := rand.New(rand.NewPCG(9, 9))
	checked, reverseScans := 0, 0
	// Every scan from the other side must relax exactly the neighbours a
	// full scan would not prune.
	defer func(f int) { reverseFactor, checkReverse = f, nil }(reverseFactor)
	reverseFactor = 0
	checkReverse = func(full, reverse []uint32) {
		reverseScans++
		if !slices.Equal(full, reverse) {
			t.Fatalf("scan from the other side reaches %v, a full scan relaxes %v", reverse, full)
		}
	}
	for _, p := range []mosaic.Principal{all, {Clearances: mosaic.NewMarking("A")}} {
		deg := refDegrees(edges, nodeMarks, p, n)
		type arc struct {
			to int
			c  float64
		}
		adj := make([][]arc, n)
		for _, e := range edges {
			if refVisible(e, nodeMarks, p) {
				c := refEdgeCost(e, deg, 0.5)
				adj[e.a] = append(adj[e.a], arc{e.b, c})
				adj[e.b] = append(adj[e.b], arc{e.a, c})
			}
		}
		for q := 0; q < queries; q++ {
			src, dst := r.IntN(n), r.IntN(n)
			if !access.Can(p, nodeMarks[src]) || !access.Can(p, nodeMarks[dst]) {
				continue
			}
			// Dijkstra with container/heap.
			dist := make([]float64, n)
			for i := range dist {
				dist[i] = math.Inf(1)
			}
			dist[src] = 0
			h := &refHeap{{0, src}}
			for h.Len() > 0 {
				top := heapPkg.Pop(h).(refItem)
				u := top.node
				if top.dist > dist[u] {
					continue
				}
				if u == dst {
					break
				}
				for _, a := range adj[u] {
					if nd := dist[u] + a.c; nd < dist[a.to] {
						dist[a.to] = nd
						heapPkg.Push(h, refItem{nd, a.to})
					}
				}
			}
			want := dist[dst]
			ps, err := g.Paths(ctx, p, mosaic.ID(fmt.Sprint(src)), mosaic.ID(fmt.Sprint(dst)), PathOptions{MaxHops: 250, Budget: -1})
			if err != nil {
				t.Fatal(err)
			}
			if math.IsInf(want, 1) != (len(ps) == 0) {
				t.Fatalf("%d->%d: %d paths, reference cost %v", src, dst, len(ps), want)
			}
			if len(ps) > 0 && math.Abs(ps[0].Cost-want) > 1e-3*want+1e-4 {
				t.Fatalf("%v %d->%d: cost %v, reference %v", p.Clearances, src, dst, ps[0].Cost, want)
			}
			checked++
		}
	}
	t.Logf("%d paths checked, %d scans from the other side", checked, reverseScans)
	if reverseScans == 0 {
		t.Fatal("no scan from the other side was checked")
	}
}

type refItem struct {
	dist float64
	node int
}

// refHeap is a container/heap of refItem, for the reference Dijkstra.
type refHeap []refItem

func (h refHeap) Len() int           { return len(h) }
func (h refHeap) Less(i, j int) bool { return h[i].dist < h[j].dist }
func (h refHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *refHeap) Push(x any)        { *h = append(*h, x.(refItem)) }
func (h *refHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
