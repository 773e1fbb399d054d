package httpapi

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlite"
	"github.com/mosaic-intel/mosaic/internal/store/storetest"
)

func newServer(t *testing.T) (*httptest.Server, store.Store, map[string]*store.Item) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	rec := storetest.NewRecord("passengers", mosaic.KindTravel, map[string]string{"passenger_name": "Ana Lima"}, nil, "Ana Lima")
	secret := storetest.NewRecord("sigint", mosaic.KindCommunication, map[string]string{"name": "Ana Lima", "x": "1"}, mosaic.NewMarking("SIGINT"), "Ana Lima")
	doc := storetest.NewDocument("reports", "Meeting", "Ana Lima met Bo Chen in Leeds.", nil)
	m := mosaic.MentionID(doc.ID, "e0")
	o := mosaic.Origin{Document: doc.ID, Start: 0, End: 8}
	doc.Facts = &store.Facts{Mentions: []mosaic.Mention{{ID: m, Type: mosaic.TypePerson, Origin: doc.ID, Caption: "Ana Lima"}},
		Statements: []mosaic.Statement{{ID: mosaic.StatementID(m, "name", "Ana Lima", o), Subject: m, Type: mosaic.TypePerson, Prop: "name", Value: "Ana Lima", Origin: o, Source: "reports"}}}
	err = st.Update(ctx, func(tx store.Tx) error {
		if _, err := tx.PutItems(ctx, []*store.Item{rec, secret, doc}); err != nil {
			return err
		}
		e := mosaic.EntityIDFor(m)
		return tx.Assign(ctx, []store.Assignment{
			{Mention: rec.Facts.Mentions[0].ID, Entity: e, Type: mosaic.TypePerson, Item: rec.Seq},
			{Mention: secret.Facts.Mentions[0].ID, Entity: e, Type: mosaic.TypePerson, Item: secret.Seq},
			{Mention: m, Entity: e, Type: mosaic.TypePerson, Item: doc.Seq},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(New(Config{Store: st}))
	t.Cleanup(srv.Close)
	return srv, st, map[string]*store.Item{"rec": rec, "secret": secret, "doc": doc}
}

func get(t *testing.T, url string, hdr map[string]string, out any) int {
	t.Helper()
	return call(t, "GET", url, nil, hdr, out)
}

// call sends a request and decodes the JSON answer into out (if not nil).
func call(t *testing.T, method, url string, body io.Reader, hdr map[string]string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(method, url, body)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, url, err, b)
		}
	}
	return resp.StatusCode
}

func TestEntityWithProvenance(t *testing.T) {
	srv, _, items := newServer(t)
	var e EntityResponse
	m := items["doc"].Facts.Mentions[0].ID
	if code := get(t, srv.URL+"/api/v1/entities/"+string(m), nil, &e); code != 200 {
		t.Fatalf("status %d", code)
	}
	if e.Caption != "Ana Lima" || len(e.Statements) != 3 {
		t.Fatalf("entity = %+v", e.Entity)
	}
	for _, s := range e.Statements {
		if s.Origin.IsZero() || s.Source == "" {
			t.Errorf("statement without provenance: %+v", s)
		}
	}
	// Narrowed clearances hide the SIGINT statement.
	var e2 EntityResponse
	get(t, srv.URL+"/api/v1/entities/"+string(e.ID), map[string]string{"X-Mosaic-Clearances": "OTHER"}, &e2)
	if len(e2.Statements) != 2 {
		t.Errorf("with clearances OTHER: %d statements, want 2", len(e2.Statements))
	}
	for _, s := range e2.Statements {
		if s.Source == "sigint" {
			t.Error("a SIGINT statement leaked")
		}
	}
}

func TestErrorsHaveStableCodes(t *testing.T) {
	srv, _, items := newServer(t)
	for _, tc := range []struct {
		url  string
		hdr  map[string]string
		code int
		want string
	}{
		{"/api/v1/entities/ent-nope", nil, 404, "not_found"},
		{"/api/v1/search", nil, 400, "invalid"},
		{"/api/v1/search?q=ana&limit=-3", nil, 400, "invalid"},
		{"/api/v1/records/" + string(items["secret"].ID), map[string]string{"X-Mosaic-Clearances": ""}, 404, "not_found"},
		{"/api/v1/documents/" + string(items["rec"].ID), nil, 404, "not_found"},
		{"/no/such/route", nil, 404, "not_found"},
	} {
		var body ErrorBody
		if code := get(t, srv.URL+tc.url, tc.hdr, &body); code != tc.code || body.Error.Code != tc.want || body.Error.Message == "" {
			t.Errorf("%s: %d %+v, want %d %s", tc.url, code, body, tc.code, tc.want)
		}
	}
}

func TestDocumentMarksMentions(t *testing.T) {
	srv, _, items := newServer(t)
	var d DocumentResponse
	if code := get(t, srv.URL+"/api/v1/documents/"+string(items["doc"].ID), nil, &d); code != 200 {
		t.Fatalf("status %d", code)
	}
	if len(d.Mentions) != 1 || d.Mentions[0].Text != "Ana Lima" || d.Mentions[0].Entity == "" || d.Text[d.Mentions[0].Start:d.Mentions[0].End] != "Ana Lima" {
		t.Errorf("marked mentions = %+v", d.Mentions)
	}
}

func TestSearchStatusStatsRecord(t *testing.T) {
	srv, _, items := newServer(t)
	var sr struct {
		Hits []store.Hit `json:"hits"`
	}
	get(t, srv.URL+"/api/v1/search?q=ana+lima", nil, &sr)
	if len(sr.Hits) == 0 || sr.Hits[0].Kind != "entity" {
		t.Errorf("search hits = %+v", sr.Hits)
	}
	var narrowed struct {
		Hits []store.Hit `json:"hits"`
	}
	get(t, srv.URL+"/api/v1/search?q=ana", map[string]string{"X-Mosaic-Clearances": "NONE"}, &narrowed)
	for _, h := range narrowed.Hits {
		if h.ID == items["secret"].ID {
			t.Error("search revealed a SIGINT record to a narrowed caller")
		}
	}
	var stats map[string]any
	if code := get(t, srv.URL+"/api/v1/stats", nil, &stats); code != 200 || stats["stats"] == nil {
		t.Errorf("stats: %d %v", code, stats)
	}
	var status map[string]any
	if code := get(t, srv.URL+"/api/v1/status", nil, &status); code != 200 || status["items"].(float64) != 3 {
		t.Errorf("status: %d %v", code, status)
	}
	var rec map[string]any
	if code := get(t, srv.URL+"/api/v1/records/"+string(items["rec"].ID), nil, &rec); code != 200 || rec["facts"] == nil {
		t.Errorf("record: %d %v", code, rec)
	}
}

func TestOpenAPIMetricsHealth(t *testing.T) {
	srv, _, _ := newServer(t)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	get(t, srv.URL+"/openapi.json", nil, &doc)
	if doc.OpenAPI != "3.1.0" || doc.Paths["/api/v1/entities/{id}"]["get"] == nil || doc.Paths["/api/v1/search"]["get"] == nil {
		t.Errorf("openapi = %+v", doc)
	}
	get(t, srv.URL+"/api/v1/stats", nil, nil)
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `mosaic_http_requests_total{code="200",route="GET /api/v1/stats"}`) {
		t.Errorf("metrics lack the request counter:\n%s", b)
	}
	for _, p := range []string{"/healthz", "/readyz"} {
		if code := get(t, srv.URL+p, nil, nil); code != 200 {
			t.Errorf("%s: %d", p, code)
		}
	}
}
