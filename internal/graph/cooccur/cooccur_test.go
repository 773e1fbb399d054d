package cooccur

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/graph"
)

func at(d int) time.Time { return time.Date(2024, 3, d, 10, 0, 0, 0, time.UTC) }

func TestDerive(t *testing.T) {
	d := New(Options{MaxGroup: 5})
	// a and b flew together twice; c joined once.
	d.Add(Observation{Record: "r1", Kind: "flight", Time: at(1), Participants: []mosaic.ID{"a"}, Shared: "BA123/2024-03-01"})
	d.Add(Observation{Record: "r2", Kind: "flight", Time: at(1), Participants: []mosaic.ID{"b"}, Shared: "BA123/2024-03-01"})
	d.Add(Observation{Record: "r3", Kind: "flight", Time: at(1), Participants: []mosaic.ID{"c"}, Shared: "BA123/2024-03-01"})
	d.Add(Observation{Record: "r4", Kind: "flight", Time: at(9), Participants: []mosaic.ID{"a"}, Shared: "BA456/2024-03-09"})
	d.Add(Observation{Record: "r5", Kind: "flight", Time: at(9), Participants: []mosaic.ID{"b"}, Shared: "BA456/2024-03-09", Marking: mosaic.NewMarking("ALPHA")})
	// The same car hired by a then d three weeks apart: outside the window.
	d.Add(Observation{Record: "v1", Kind: "vehicle", Time: at(1), Participants: []mosaic.ID{"a"}, Shared: "AB12CDE"})
	d.Add(Observation{Record: "v2", Kind: "vehicle", Time: at(22), Participants: []mosaic.ID{"d"}, Shared: "AB12CDE"})
	d.Add(Observation{Record: "v3", Kind: "vehicle", Time: at(24), Participants: []mosaic.ID{"e"}, Shared: "AB12CDE"})
	// Two calls.
	d.Add(Observation{Record: "c1", Kind: "communication", Time: at(2), Participants: []mosaic.ID{"a", "e"}})
	d.Add(Observation{Record: "c2", Kind: "communication", Time: at(5), Participants: []mosaic.ID{"e", "a"}})
	// A switchboard shared by seven people: a hub, not 21 edges.
	for i := 0; i < 7; i++ {
		d.Add(Observation{Record: mosaic.ID(fmt.Sprint("p", i)), Kind: "phone", Time: at(3), Participants: []mosaic.ID{mosaic.ID(fmt.Sprint("s", i))}, Shared: "+44 20 7946 0000"})
	}
	hubs, edges := d.Derive()
	find := func(a, b mosaic.ID, typ string, m string) *graph.Edge {
		for i := range edges {
			e := &edges[i]
			if (e.From == a && e.To == b || e.From == b && e.To == a) && e.Type == typ && e.Marking.String() == m {
				return e
			}
		}
		return nil
	}
	ab := find("a", "b", "same_flight", "")
	if ab == nil || !slices.Equal(ab.Evidence, []mosaic.ID{"r1", "r2"}) || !ab.Start.Equal(at(1)) {
		t.Fatalf("a-b unmarked flight edge: %+v", ab)
	}
	if math.Abs(ab.Confidence-0.3) > 1e-9 || ab.Count != 1 {
		t.Errorf("one flight gives confidence %v, count %d; want 0.3, 1", ab.Confidence, ab.Count)
	}
	abm := find("a", "b", "same_flight", "ALPHA")
	if abm == nil || abm.Marking.String() != "ALPHA" || !slices.Equal(abm.Evidence, []mosaic.ID{"r4", "r5"}) {
		t.Fatalf("a-b marked flight edge: %+v", abm)
	}
	if find("a", "c", "same_flight", "") == nil || find("b", "c", "same_flight", "") == nil {
		t.Error("c's flight edges missing")
	}
	if find("a", "d", "same_vehicle", "") != nil {
		t.Error("vehicle hires three weeks apart paired despite the 7-day window")
	}
	if e := find("d", "e", "same_vehicle", ""); e == nil || !e.End.Equal(at(24)) {
		t.Errorf("d-e vehicle edge: %+v", e)
	}
	if e := find("a", "e", "communicated", ""); e == nil || math.Abs(e.Confidence-0.91) > 1e-9 || e.Count != 2 || !slices.Equal(e.Evidence, []mosaic.ID{"c1", "c2"}) {
		t.Errorf("call edge: %+v", e)
	}
	if len(hubs) != 1 || hubs[0].Caption != "+44 20 7946 0000" {
		t.Fatalf("hubs = %+v", hubs)
	}
	phone := 0
	for _, e := range edges {
		if e.Type == "same_phone" {
			phone++
			if e.To != hubs[0].ID {
				t.Errorf("phone edge not through the hub: %+v", e)
			}
		}
	}
	if phone != 7 {
		t.Errorf("%d phone edges, want 7 (one per member)", phone)
	}

	// The derived edges load into a graph and respect markings there.
	b := graph.NewBuilder(0, 0)
	for _, h := range hubs {
		b.Node(h)
	}
	for _, e := range edges {
		b.AddEdge(e)
	}
	g, err := b.Build(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	ps, err := g.Paths(context.Background(), mosaic.Principal{}, "a", "b", graph.PathOptions{K: 5})
	if err != nil || len(ps) == 0 {
		t.Fatal(ps, err)
	}
	for _, p := range ps {
		for _, e := range p.Edges {
			if !access.Can(mosaic.Principal{}, e.Marking) || slices.Contains(e.Evidence, "r5") {
				t.Errorf("uncleared path shows %+v", e)
			}
		}
	}
}

func FuzzDerive(f *testing.F) {
	f.Add("flight", "X1", "a", "b", int64(0), int64(3600))
	f.Fuzz(func(t *testing.T, kind, shared, p1, p2 string, t1, t2 int64) {
		d := New(Options{})
		d.Add(Observation{Record: "r1", Kind: kind, Shared: shared, Time: time.Unix(t1, 0), Participants: []mosaic.ID{mosaic.ID(p1)}})
		d.Add(Observation{Record: "r2", Kind: kind, Shared: shared, Time: time.Unix(t2, 0), Participants: []mosaic.ID{mosaic.ID(p2), mosaic.ID(p1)}})
		_, edges := d.Derive()
		for _, e := range edges {
			if e.From == e.To || e.Confidence <= 0 || e.Confidence > 1 || len(e.Evidence) == 0 {
				t.Fatalf("bad edge %+v", e)
			}
		}
	})
}
