package httpapi

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/linkgraph"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/storetest"
)

// graphServer serves a store in which Ana and Bo (open) and Cy (SECRET)
// each travelled on flight XY1.
func graphServer(t *testing.T) *httptest.Server {
	t.Helper()
	_, st, _ := newServer(t)
	ctx := context.Background()
	day := time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)
	var items []*store.Item
	var as []store.Assignment
	for _, p := range []struct {
		name, ent string
		marking   mosaic.Marking
	}{{"Ana Lima", "ent-ana", nil}, {"Bo Chen", "ent-bo", nil}, {"Cy Dube", "ent-cy", mosaic.NewMarking("SECRET")}} {
		it := storetest.NewRecord("passengers", mosaic.KindTravel, map[string]string{"name": p.name, "flight": "XY1"}, p.marking, p.name)
		pm := it.Facts.Mentions[0].ID
		fm := mosaic.MentionID(it.ID, "flight")
		o := mosaic.Origin{Record: it.ID, Field: "flight"}
		fs := mosaic.Statement{ID: mosaic.StatementID(fm, "name", "XY1", o), Subject: fm, Type: mosaic.TypeEvent, Prop: "name", Value: "XY1", Origin: o, Source: "passengers", Marking: p.marking}
		it.Facts.Mentions = append(it.Facts.Mentions, mosaic.Mention{ID: fm, Type: mosaic.TypeEvent, Origin: it.ID, Role: "flight", Caption: "XY1"})
		it.Facts.Statements = append(it.Facts.Statements, fs)
		it.Facts.Links = append(it.Facts.Links, mosaic.Link{ID: mosaic.LinkID(it.ID, pm, "travelled_on", fm), Subject: pm, Predicate: "travelled_on", Object: fm,
			Evidence: []mosaic.ID{it.Facts.Statements[0].ID, fs.ID}, Start: day, End: day, Confidence: 1, Source: "passengers", Marking: p.marking})
		items = append(items, it)
		as = append(as, store.Assignment{Mention: pm, Entity: mosaic.ID(p.ent), Type: mosaic.TypePerson, Caption: p.name},
			store.Assignment{Mention: fm, Entity: "ent-flight", Type: mosaic.TypeEvent, Caption: "XY1"})
	}
	err := st.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.PutItems(ctx, items); err != nil {
			return err
		}
		for i := range as {
			as[i].Item = items[i/2].Seq
		}
		if err := tx.Assign(ctx, as); err != nil {
			return err
		}
		for _, it := range items {
			if err := tx.PutLinks(ctx, it.Seq, it.Facts.Links); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	m := linkgraph.NewManager(st, nil)
	srv := httptest.NewServer(New(Config{Store: st, Graph: m.Graph}))
	t.Cleanup(srv.Close)
	return srv
}

func TestGraphRoutes(t *testing.T) {
	srv := graphServer(t)
	var pr struct {
		Paths []PathResponse `json:"paths"`
	}
	if code := get(t, srv.URL+"/api/v1/graph/path?from=ent-ana&to=ent-bo&k=2", nil, &pr); code != 200 || len(pr.Paths) == 0 {
		t.Fatalf("path: %d %+v", code, pr)
	}
	explained := false
	for _, h := range pr.Paths[0].Hops {
		for _, ev := range h.Explained {
			if ev.Fields["flight"] == "XY1" {
				explained = true
			}
		}
	}
	if !explained {
		t.Errorf("no hop of the path is explained by its record: %+v", pr.Paths[0].Hops)
	}
	// Cy is SECRET: a narrowed caller gets 404, as for an unknown entity.
	var eb ErrorBody
	if code := get(t, srv.URL+"/api/v1/graph/path?from=ent-ana&to=ent-cy", map[string]string{"X-Mosaic-Clearances": "OPEN"}, &eb); code != 404 || eb.Error.Code != "not_found" {
		t.Errorf("path to a hidden entity: %d %+v", code, eb)
	}
	if code := get(t, srv.URL+"/api/v1/graph/path?from=ent-ana&to=ent-cy", nil, &pr); code != 200 || len(pr.Paths) == 0 {
		t.Errorf("a cleared caller finds no path to Cy: %d", code)
	}
	for _, u := range []string{"/api/v1/graph/path?from=ent-ana", "/api/v1/graph/neighbours", "/api/v1/graph/neighbours?id=ent-ana&hops=99", "/api/v1/graph/changes?since=soon", "/api/v1/graph/cells?resolution=-1"} {
		if code := get(t, srv.URL+u, nil, &eb); code != 400 || eb.Error.Code != "invalid" {
			t.Errorf("%s: %d %+v, want 400 invalid", u, code, eb)
		}
	}
	resp, err := http.Get(srv.URL + "/api/v1/graph/neighbours?id=ent-flight&format=gexf")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), "<gexf") || !strings.Contains(string(b), "Bo Chen") {
		t.Errorf("gexf export: %s", b)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/api/v1/graph/neighbours?id=ent-flight&format=cytoscape", nil)
	req.Header.Set("X-Mosaic-Clearances", "OPEN")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(b), "Cy Dube") || strings.Contains(string(b), "ent-cy") {
		t.Errorf("a narrowed export reveals the SECRET passenger: %s", b)
	}
	var tl map[string][]any
	if code := get(t, srv.URL+"/api/v1/graph/timeline?id=ent-ana", nil, &tl); code != 200 || len(tl["events"]) == 0 {
		t.Errorf("timeline: %d %v", code, tl)
	}
}
