package graph

import (
	"context"
	"strings"
	"testing"
)

func TestReadJSONL(t *testing.T) {
	in := `{"node": {"id": "a", "type": "Person", "caption": "Ann"}}

{"edge": {"from": "a", "to": "b", "type": "knows", "evidence": ["st-1"], "confidence": 0.9, "start": "2020-01-02T00:00:00Z"}}
`
	src, err := ReadJSONL(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	g, err := Load(context.Background(), src)
	if err != nil {
		t.Fatal(err)
	}
	ps, err := g.Paths(context.Background(), all, "a", "b", PathOptions{})
	if err != nil || len(ps) != 1 || ps[0].Nodes[0].Caption != "Ann" || ps[0].Edges[0].Evidence[0] != "st-1" || ps[0].Edges[0].Start.Year() != 2020 {
		t.Fatalf("%+v %v", ps, err)
	}
	for _, bad := range []string{`{"node": {}}`, `{"edge": {"from": "a"}}`, `{}`, `{"node": {"id": "a"}, "edge": {"from": "a", "to": "b"}}`, `{`} {
		if _, err := ReadJSONL(strings.NewReader(bad)); err == nil {
			t.Errorf("accepted %s", bad)
		}
	}
}

func FuzzReadJSONL(f *testing.F) {
	f.Add(`{"node": {"id": "a"}}` + "\n" + `{"edge": {"from": "a", "to": "b", "confidence": 2, "start": "1800-01-01T00:00:00Z"}}`)
	f.Fuzz(func(t *testing.T, in string) {
		src, err := ReadJSONL(strings.NewReader(in))
		if err != nil {
			return
		}
		g, err := Load(context.Background(), src)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range src.EdgeList {
			if _, err := g.Paths(context.Background(), all, e.From, e.To, PathOptions{K: 2}); err != nil {
				t.Fatal(err)
			}
		}
	})
}

func FuzzReadCSV(f *testing.F) {
	f.Add("person_a,person_b,kind\np1,p2,family\n", "cell_id,group_id,person_id\nC1,G1,p1\n")
	f.Add("kind,person_b,person_a\n\"x\",a\n", "person_id\n")
	f.Fuzz(func(t *testing.T, links, cells string) {
		if src, err := ReadLinksCSV(strings.NewReader(links)); err == nil {
			g, err := Load(context.Background(), src)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := g.Cells(context.Background(), all, CellOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		if truth, err := ReadCellsCSV(strings.NewReader(cells)); err == nil {
			if a := CellsARI(nil, truth); a < -1 || a > 1 {
				t.Fatalf("ARI %v out of range", a)
			}
		}
	})
}
