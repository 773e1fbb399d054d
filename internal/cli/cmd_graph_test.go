package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const testGraph = `{"node": {"id": "a", "type": "Person", "caption": "Ann"}}
{"node": {"id": "b", "type": "Person", "caption": "Bob"}}
{"node": {"id": "c", "type": "Person", "caption": "Cy"}}
{"node": {"id": "s", "type": "Person", "marking": ["SECRET"]}}
{"edge": {"from": "a", "to": "b", "type": "knows", "directed": true, "evidence": ["st-ab"], "confidence": 0.9, "start": "2020-01-02T00:00:00Z"}}
{"edge": {"from": "b", "to": "c", "type": "called", "evidence": ["rec-bc"], "confidence": 1, "start": "2021-05-06T00:00:00Z"}}
{"edge": {"from": "a", "to": "s", "type": "knows", "evidence": ["st-as"], "confidence": 1, "marking": ["SECRET"]}}
{"edge": {"from": "s", "to": "c", "type": "knows", "evidence": ["st-sc"], "confidence": 1, "marking": ["SECRET"]}}
`

func runCLI(t *testing.T, args ...string) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &Env{Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code := Run(context.Background(), env, args)
	return out.String() + errb.String(), code
}

func TestGraphCommands(t *testing.T) {
	dir := t.TempDir()
	gfile := filepath.Join(dir, "g.jsonl")
	if err := os.WriteFile(gfile, []byte(testGraph), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		code int
		want []string
		not  []string
	}{
		{[]string{"path", "--graph", gfile, "a", "c"}, 0, []string{"a \"Ann\"", "st-as", "marked SECRET"}, nil},
		{[]string{"path", "--graph", gfile, "a", "c", "--edge-types", "knows,called"}, 0, []string{"st-as"}, nil},
		{[]string{"path", "--graph", gfile, "a", "c", "-k", "2"}, 0, []string{"path 2", "st-ab", "rec-bc", "--knows-->"}, nil},
		{[]string{"path", "--graph", gfile, "--as", "PUBLIC", "a", "c", "-k", "3"}, 0, []string{"path 1", "st-ab"}, []string{"st-as", "SECRET", "path 2"}},
		{[]string{"path", "--graph", gfile, "--as", "PUBLIC", "a", "s"}, 1, []string{"no such node"}, nil},
		{[]string{"path", "--graph", gfile, "a"}, 2, []string{"two entities"}, nil},
		{[]string{"path", "--data", t.TempDir(), "a", "b"}, 1, []string{"no Mosaic data"}, nil},
		{[]string{"neighbours", "--graph", gfile, "--as", "PUBLIC", "b", "--format", "gexf"}, 0, []string{"<gexf", "st-ab"}, []string{"st-as"}},
		{[]string{"timeline", "--graph", gfile, "b"}, 0, []string{"2020-01-02  b <--knows--", "2021-05-06  b --called--"}, nil},
		{[]string{"timeline", "--graph", gfile, "b", "--since", "2021-01-01"}, 0, []string{"rec-bc"}, []string{"st-ab"}},
		{[]string{"cells", "--graph", gfile, "--min-size", "2"}, 0, []string{"cell 0"}, nil},
	}
	for _, tt := range tests {
		out, code := runCLI(t, tt.args...)
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d\n%s", tt.args, code, tt.code, out)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: output lacks %q:\n%s", tt.args, w, out)
			}
		}
		for _, w := range tt.not {
			if strings.Contains(out, w) {
				t.Errorf("%v: output shows %q:\n%s", tt.args, w, out)
			}
		}
	}
	out, code := runCLI(t, "path", "--json", "--graph", gfile, "a", "c")
	var ps []struct {
		Nodes []struct{ ID string }
	}
	if code != 0 || json.Unmarshal([]byte(out), &ps) != nil || len(ps) != 1 || len(ps[0].Nodes) != 3 {
		t.Fatalf("path --json: %d %s", code, out)
	}
}

func TestCellsTruth(t *testing.T) {
	dir := t.TempDir()
	links := "person_a,person_b,kind\np1,p2,cell\np2,p3,cell\np1,p3,cell\nq1,q2,cell\nq2,q3,cell\nq1,q3,cell\np1,q1,family\n"
	cells := "cell_id,group_id,person_id\nC1,G1,p1\nC1,G1,p2\nC1,G1,p3\nC2,G1,q1\nC2,G1,q2\nC2,G1,q3\n"
	lf, cf := filepath.Join(dir, "links.csv"), filepath.Join(dir, "cells.csv")
	os.WriteFile(lf, []byte(links), 0o600)
	os.WriteFile(cf, []byte(cells), 0o600)
	// A resolution above the default (0.1, tuned on generated worlds,
	// where it joins two triangles bridged by one link): this test is
	// about scoring against --truth, on two clearly separate cells.
	out, code := runCLI(t, "cells", "--links", lf, "--truth", cf, "--resolution", "0.2")
	if code != 0 || !strings.Contains(out, "adjusted Rand index vs "+cf+": 1.000") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
}
