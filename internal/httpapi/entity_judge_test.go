package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/pipeline"
	"github.com/mosaic-intel/mosaic/internal/resolve"
	"github.com/mosaic-intel/mosaic/internal/stages"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/store/sqlite"
)

// personItem is a record item with one person mention carrying a name and
// a phone.
func personItem(id, name, phone string) *store.Item {
	fields := map[string]string{"record_id": id, "full_name": name, "phone": phone}
	rid := mosaic.RecordID("people", mosaic.KindPerson, fields)
	m := mosaic.MentionID(rid, "person")
	f := &store.Facts{Mentions: []mosaic.Mention{{ID: m, Type: mosaic.TypePerson, Origin: rid, Role: "person", Caption: name}}}
	for prop, v := range map[string]string{mosaic.PropName: name, mosaic.PropPhone: phone} {
		o := mosaic.Origin{Record: rid, Field: prop}
		f.Statements = append(f.Statements, mosaic.Statement{ID: mosaic.StatementID(m, prop, v, o), Subject: m, Type: mosaic.TypePerson, Prop: prop, Value: v, Origin: o, Source: "people"})
	}
	return &store.Item{ID: rid, Source: "people", Record: &mosaic.Record{ID: rid, Source: "people", Kind: mosaic.KindPerson, Fields: fields}, Facts: f}
}

// resolveItems stores items and runs the resolve stage over them, as the
// pipeline would.
func resolveItems(ctx context.Context, t *testing.T, st store.Store, r *stages.Resolve, items ...*store.Item) {
	t.Helper()
	if err := st.Update(ctx, func(tx store.Tx) error { _, err := tx.PutItems(ctx, items); return err }); err != nil {
		t.Fatal(err)
	}
	out, err := r.Process(ctx, items)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(ctx, func(tx store.Tx) error {
		if err := out.Apply(ctx, tx); err != nil {
			return err
		}
		return tx.MarkDone(ctx, pipeline.Resolve, store.Range{Lo: items[0].Seq, Hi: items[len(items)-1].Seq})
	}); err != nil {
		t.Fatal(err)
	}
}

func post(t *testing.T, u string, body any, out any) int {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(u, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("POST %s: %v in %s", u, err, raw)
		}
	}
	return resp.StatusCode
}

func TestJudgementRoutes(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "m.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stage := stages.NewResolve(resolve.New(resolve.Config{}))
	a, b := personItem("1", "Olivia Owen", "07700 900123"), personItem("2", "Olivia Owen", "+447700900123")
	resolveItems(ctx, t, st, stage, a, b)
	ma, mb := a.Facts.Mentions[0].ID, b.Facts.Mentions[0].ID
	ents := func() map[mosaic.ID]mosaic.ID {
		e, err := st.EntityOf(ctx, []mosaic.ID{ma, mb})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	ent := ents()[ma]
	if ents()[mb] != ent {
		t.Fatalf("setup: not merged: %v", ents())
	}
	api := New(Config{Store: st})
	api.HandleJudgements(JudgeConfig{Resolve: stage})
	srv := httptest.NewServer(api)
	defer srv.Close()
	base := srv.URL + "/api/v1/entities/"

	// Split b out of the entity.
	var res JudgeResult
	if code := post(t, base+string(ent)+"/split", map[string]string{"mention": string(mb), "note": "two women"}, &res); code != 200 {
		t.Fatalf("split: status %d %+v", code, res)
	}
	if res.Judgement.State != store.JudgementApplied || len(res.Moves) == 0 || len(res.Derived) != 1 || res.Judgement.By != "local" {
		t.Errorf("split result: %+v", res)
	}
	if e := ents(); e[ma] == e[mb] {
		t.Fatalf("split not written to the store: %v", e)
	}
	// Explain, with a mention ID escaped in the path.
	var x ExplainResult
	if code := get(t, base+url.PathEscape(string(mb))+"/explain?other="+url.QueryEscape(string(ma)), nil, &x); code != 200 {
		t.Fatalf("explain: status %d", code)
	}
	if x.Explanation.Judgement != "not-same" || len(x.Explanation.Contributions) == 0 || !strings.Contains(x.Text, "id:phone") {
		t.Errorf("explain: %+v", x)
	}
	// A contradiction is refused.
	var eb ErrorBody
	if code := post(t, base+url.PathEscape(string(ma))+"/judge", map[string]string{"other": string(mb), "verdict": "same"}, &eb); code != 409 || eb.Error.Code != "conflict" {
		t.Errorf("contradiction: status %d %+v", code, eb)
	}
	if code := post(t, base+url.PathEscape(string(ma))+"/judge", map[string]string{"other": string(mb), "verdict": "maybe"}, &eb); code != 400 {
		t.Errorf("bad verdict: status %d %+v", code, eb)
	}
	// Undo the derived judgement: automatic decisions apply again.
	d := res.Derived[0]
	if code := post(t, base+url.PathEscape(string(d.A))+"/undo", map[string]string{"other": string(d.B)}, &res); code != 200 {
		t.Fatalf("undo: status %d %+v", code, res)
	}
	if e := ents(); e[ma] != e[mb] {
		t.Errorf("undo did not merge again: %v", e)
	}
	// Merge by entity IDs is a same judgement between representatives.
	c := personItem("3", "Dmitri Volkov", "07700 900999")
	resolveItems(ctx, t, st, stage, c)
	mc := c.Facts.Mentions[0].ID
	ec, _ := st.EntityOf(ctx, []mosaic.ID{mc})
	if code := post(t, base+string(ents()[ma])+"/merge", map[string]string{"with": string(ec[mc])}, &res); code != 200 || res.Judgement.Verdict != store.VerdictSame {
		t.Fatalf("merge: status %d %+v", code, res)
	}
	if e, _ := st.EntityOf(ctx, []mosaic.ID{ma, mc}); e[ma] != e[mc] {
		t.Errorf("merge not applied: %v", e)
	}
	// The log.
	var log struct{ Judgements []store.Judgement }
	if code := get(t, srv.URL+"/api/v1/judgements?mention="+url.QueryEscape(string(mb)), nil, &log); code != 200 || len(log.Judgements) < 3 {
		t.Errorf("log: status %d %+v", code, log)
	}
	var doc map[string]any
	get(t, srv.URL+"/openapi.json", nil, &doc)
	paths, _ := doc["paths"].(map[string]any)
	for _, p := range []string{"/api/v1/entities/{id}/merge", "/api/v1/entities/{id}/explain", "/api/v1/judgements"} {
		if _, ok := paths[p]; !ok {
			t.Errorf("OpenAPI lacks %s", p)
		}
	}
}
