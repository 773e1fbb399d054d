package linkgraph

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/access"
	"github.com/mosaic-intel/mosaic/internal/graph"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlite"
	"github.com/mosaic-intel/mosaic/internal/store/storetest"
)

// world stores: two passengers on one flight (a co-occurrence), a report
// sentence linking one of them to a group, and a marked record.
func world(t *testing.T) (store.Store, map[string]mosaic.ID) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ids := map[string]mosaic.ID{}
	var items []*store.Item
	var assigns []store.Assignment
	var assignItem []*store.Item // the item of each assignment
	var links [][2]any
	day := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	travel := func(name string, marking mosaic.Marking) {
		it := storetest.NewRecord("passengers", mosaic.KindTravel, map[string]string{"name": name, "flight": "XY1"}, marking, name)
		p := it.Facts.Mentions[0].ID
		f := mosaic.MentionID(it.ID, "flight")
		o := mosaic.Origin{Record: it.ID, Field: "flight"}
		st := mosaic.Statement{ID: mosaic.StatementID(f, "name", "XY1", o), Subject: f, Type: mosaic.TypeEvent, Prop: "name", Value: "XY1", Origin: o, Source: "passengers", Marking: marking}
		it.Facts.Mentions = append(it.Facts.Mentions, mosaic.Mention{ID: f, Type: mosaic.TypeEvent, Origin: it.ID, Role: "flight", Caption: "XY1"})
		it.Facts.Statements = append(it.Facts.Statements, st)
		l := mosaic.Link{ID: mosaic.LinkID(it.ID, p, "travelled_on", f), Subject: p, Predicate: "travelled_on", Object: f,
			Evidence: []mosaic.ID{it.Facts.Statements[0].ID, st.ID}, Start: day, End: day, Confidence: 1, Source: "passengers", Marking: marking}
		it.Facts.Links = append(it.Facts.Links, l)
		items = append(items, it)
		ids[name] = "ent-" + mosaic.ID(strings.ToLower(strings.Fields(name)[0]))
		assigns = append(assigns, store.Assignment{Mention: p, Entity: ids[name], Type: mosaic.TypePerson, Caption: name},
			store.Assignment{Mention: f, Entity: "ent-flight", Type: mosaic.TypeEvent, Caption: "XY1"})
		assignItem = append(assignItem, it, it)
		links = append(links, [2]any{it, l})
	}
	travel("Ana Lima", nil)
	travel("Bo Chen", nil)
	travel("Cy Dube", mosaic.NewMarking("SECRET"))
	// Reports naming people together; both people took part in the
	// meeting each describes. The second report is SECRET.
	report := func(title string, marking mosaic.Marking, names ...string) {
		text := strings.Join(names, " and ") + " met in Leeds."
		it := storetest.NewDocument("reports", title, text, marking)
		it.Facts = &store.Facts{}
		ev := mosaic.MentionID(it.ID, "ev0")
		it.Facts.Mentions = append(it.Facts.Mentions, mosaic.Mention{ID: ev, Type: mosaic.TypeEvent, Origin: it.ID, Role: "ev0", Caption: "meeting", Marking: marking})
		assigns = append(assigns, store.Assignment{Mention: ev, Entity: mosaic.ID("ent-meeting-" + title), Type: mosaic.TypeEvent, Caption: "meeting"})
		assignItem = append(assignItem, it)
		at := 0
		for k, name := range names {
			m := mosaic.MentionID(it.ID, fmt.Sprint("e", k))
			o := mosaic.Origin{Document: it.ID, Start: at, End: at + len(name)}
			at += len(name) + len(" and ")
			st := mosaic.Statement{ID: mosaic.StatementID(m, mosaic.PropName, name, o), Subject: m, Type: mosaic.TypePerson, Prop: mosaic.PropName, Value: name, Origin: o, Source: "reports", Marking: marking}
			it.Facts.Mentions = append(it.Facts.Mentions, mosaic.Mention{ID: m, Type: mosaic.TypePerson, Origin: it.ID, Role: fmt.Sprint("e", k), Caption: name, Marking: marking})
			it.Facts.Statements = append(it.Facts.Statements, st)
			it.Facts.Links = append(it.Facts.Links, mosaic.Link{ID: mosaic.LinkID(it.ID, m, "took_part_in", ev), Subject: m, Predicate: "took_part_in", Object: ev,
				Evidence: []mosaic.ID{st.ID}, Start: day, End: day, Confidence: 0.8, Source: "reports", Marking: marking})
			assigns = append(assigns, store.Assignment{Mention: m, Entity: ids[name], Type: mosaic.TypePerson, Caption: name})
			assignItem = append(assignItem, it)
		}
		items = append(items, it)
		links = append(links, [2]any{it, nil})
	}
	report("first", nil, "Ana Lima", "Bo Chen")
	report("second", nil, "Bo Chen", "Ana Lima")
	report("third", mosaic.NewMarking("SECRET"), "Ana Lima", "Bo Chen")
	err = st.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.PutItems(ctx, items); err != nil {
			return err
		}
		for i := range assigns {
			assigns[i].Item = assignItem[i].Seq
		}
		if err := tx.Assign(ctx, assigns); err != nil {
			return err
		}
		for _, l := range links {
			it := l[0].(*store.Item)
			if err := tx.PutLinks(ctx, it.Seq, it.Facts.Links); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return st, ids
}

func TestSourceFromStore(t *testing.T) {
	ctx := context.Background()
	st, ids := world(t)
	g, err := graph.Load(ctx, Source{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	open := mosaic.Principal{Name: "open"}
	// Ana and Bo share a flight: a path through the flight and a derived
	// same_flight edge between them.
	flights := graph.Filter{EdgeTypes: []string{"same_flight", "travelled_on"}}
	paths, err := g.Paths(ctx, open, ids["Ana Lima"], ids["Bo Chen"], graph.PathOptions{K: 2, Filter: flights})
	if err != nil || len(paths) == 0 {
		t.Fatalf("paths = %v, %v", paths, err)
	}
	types := map[string]bool{}
	for _, p := range paths {
		for _, e := range p.Edges {
			types[e.Type] = true
			if len(e.Evidence) == 0 {
				t.Errorf("edge without evidence: %+v", e)
			}
		}
	}
	if !types["same_flight"] || !types["travelled_on"] {
		t.Errorf("edge types on the paths: %v, want same_flight and travelled_on", types)
	}
	// Evidence explains to the record fields, for a caller who may see it.
	ev, err := Explain(ctx, st, open, paths[0].Edges[0].Evidence, 0)
	if err != nil || len(ev) == 0 || ev[0].Fields["flight"] != "XY1" {
		t.Errorf("evidence = %+v, %v", ev, err)
	}
	// Cy's record is SECRET: an open caller can neither reach nor see Cy.
	if _, err := g.Paths(ctx, open, ids["Ana Lima"], ids["Cy Dube"], graph.PathOptions{}); err == nil {
		t.Error("an open caller found a path to a SECRET-only entity")
	}
	if ps, err := g.Paths(ctx, mosaic.Principal{All: true}, ids["Ana Lima"], ids["Cy Dube"], graph.PathOptions{}); err != nil || len(ps) == 0 {
		t.Errorf("a cleared caller finds no path to Cy: %v", err)
	}
	// Nodes carry their captions and the most open member's marking.
	sg, err := g.Neighbours(ctx, open, []mosaic.ID{"ent-flight"}, graph.NeighbourOptions{Hops: 1})
	if err != nil {
		t.Fatal(err)
	}
	caps := map[string]bool{}
	for _, n := range sg.Nodes {
		caps[n.Caption] = true
	}
	if !caps["Ana Lima"] || !caps["Bo Chen"] || caps["Cy Dube"] || !caps["XY1"] {
		t.Errorf("open neighbourhood of the flight: %v", caps)
	}
}

func TestManagerFollowsMoves(t *testing.T) {
	ctx := context.Background()
	st, ids := world(t)
	m := NewManager(st, nil)
	m.every = 20 * time.Millisecond
	g1, err := m.Graph(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Merge Bo into Ana in the store, as resolution would.
	var bo []mosaic.ID
	rows, _ := st.Members(ctx, ids["Bo Chen"])
	for _, r := range rows {
		bo = append(bo, r.Mention)
	}
	mv := map[mosaic.ID]mosaic.ID{}
	for _, b := range bo {
		mv[b] = ids["Ana Lima"]
	}
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.MoveMentions(ctx, mv) }); err != nil {
		t.Fatal(err)
	}
	m.Moved()
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	go m.Run(rctx)
	for {
		g, _ := m.Graph(ctx)
		if g != g1 {
			if _, err := g.Neighbours(ctx, mosaic.Principal{All: true}, []mosaic.ID{ids["Bo Chen"]}, graph.NeighbourOptions{}); err == nil {
				t.Error("the merged-away entity is still in the rebuilt graph")
			}
			return
		}
		if rctx.Err() != nil {
			t.Fatal("the graph was not rebuilt after a move")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestCoMentionAndEvents: people named in the same reports get a
// co_mentioned edge counting the reports, and a same_event edge through
// the meetings they took part in; a report the caller may not see adds
// nothing the caller can see, not even to the count.
func TestCoMentionAndEvents(t *testing.T) {
	ctx := context.Background()
	st, ids := world(t)
	g, err := graph.Load(ctx, Source{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	ana, bo := ids["Ana Lima"], ids["Bo Chen"]
	tests := []struct {
		name  string
		p     mosaic.Principal
		typ   string
		count int // summed over the edges the caller sees
		evid  int
	}{
		{"open caller: two open reports", mosaic.Principal{Name: "open"}, "co_mentioned", 2, 2},
		{"cleared caller: the secret report too", mosaic.Principal{All: true}, "co_mentioned", 3, 3},
		{"open caller: two open meetings", mosaic.Principal{Name: "open"}, "same_event", 2, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sg, err := g.Neighbours(ctx, tt.p, []mosaic.ID{ana}, graph.NeighbourOptions{Filter: graph.Filter{EdgeTypes: []string{tt.typ}}})
			if err != nil {
				t.Fatal(err)
			}
			count, evid := 0, 0
			for _, e := range sg.Edges {
				if e.To != bo && e.From != bo {
					t.Fatalf("%s edge to %s", tt.typ, e.To)
				}
				if !access.Can(tt.p, e.Marking) {
					t.Fatalf("caller sees an edge marked %v", e.Marking)
				}
				count += e.Count
				evid += len(e.Evidence)
			}
			if count != tt.count || evid != tt.evid {
				t.Errorf("%s edges: count %d, evidence %d; want %d, %d (%+v)", tt.typ, count, evid, tt.count, tt.evid, sg.Edges)
			}
		})
	}
	// For an open caller the reports and the flight make Ana and Bo a
	// cell; Cy is not shown.
	cells, err := g.Cells(ctx, mosaic.Principal{Name: "open"}, graph.CellOptions{MinSize: 2, ProjectOptions: graph.ProjectOptions{Filter: graph.Filter{NodeTypes: []mosaic.EntityType{mosaic.TypePerson}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(cells) != 1 || len(cells[0].Members) != 2 || cells[0].Members[0].ID != ana || cells[0].Members[1].ID != bo {
		t.Fatalf("cells = %+v", cells)
	}
}
