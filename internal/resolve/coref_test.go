package resolve

import (
	"context"
	"strings"
	"testing"
)

// corefWorld: two people named Makarov known apart by their dates of
// birth, and a report mention "Makarov" that no score can place.
func corefWorld() []Record {
	return []Record{
		person("r1", "Bogdan Makarov", "1980-04-12", "passport=P1234567"),
		person("r2", "Bogdan Makarov", "1980-04-12", "phone=07700900123"),
		person("r3", "Irina Makarova", "1985-02-01"),
		{ID: "d1", Names: []string{"Bogdan Makarov"}},
		{ID: "d2", Names: []string{"Makarov"}, Coref: []Coref{{Record: "d1", Evidence: "in RPT-1, \"Makarov\" stands for \"Bogdan Makarov\""}}},
	}
}

func TestCorefJoinsWhatScoresCannot(t *testing.T) {
	// Without the context link, "Makarov" alone joins nobody.
	plain := New(Config{})
	for _, r := range corefWorld() {
		r.Coref = nil
		mustAdd(t, plain, r)
	}
	if c, _ := plain.Cluster("d2"); c != "d2" {
		t.Fatalf("a bare surname joined %s by score alone", c)
	}
	e := New(Config{})
	for _, r := range corefWorld() {
		mustAdd(t, e, r)
	}
	a, _ := e.Cluster("d1")
	b, _ := e.Cluster("d2")
	if a != b {
		t.Fatalf("context link not obeyed: d1 in %s, d2 in %s", a, b)
	}
	x, err := e.Explain("d2", "d1")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(x.Coref, "RPT-1") || !strings.Contains(x.String(), "same by context") {
		t.Fatalf("explanation lacks the evidence: %+v", x)
	}
	links, err := e.Links("d2")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range links {
		if l.Record == "d1" && l.Coref != "" {
			found = true
		}
	}
	if !found {
		t.Fatalf("Links(d2) = %+v, want the context link to d1", links)
	}
	// Irina is not pulled in through the surname.
	if c, _ := e.Cluster("r3"); c == a {
		t.Fatalf("Irina Makarova glued to %s", a)
	}
}

func TestCorefBeforePartnerArrives(t *testing.T) {
	e := New(Config{})
	mustAdd(t, e, Record{ID: "d2", Names: []string{"Makarov"}, Coref: []Coref{{Record: "d1", Evidence: "x"}}})
	mustAdd(t, e, Record{ID: "d1", Names: []string{"Bogdan Makarov"}})
	if c, _ := e.Cluster("d2"); c != "d1" {
		t.Fatalf("d2 in %s, want d1", c)
	}
}

func TestCorefYieldsToNotSameAndSplit(t *testing.T) {
	e := New(Config{})
	for _, r := range corefWorld() {
		mustAdd(t, e, r)
	}
	if _, err := e.Judge(Judgement{A: "d1", B: "d2", Verdict: NotSame}); err != nil {
		t.Fatal(err)
	}
	a, _ := e.Cluster("d1")
	b, _ := e.Cluster("d2")
	if a == b {
		t.Fatal("a not-same judgement did not override the context link")
	}
	e2 := New(Config{})
	for _, r := range corefWorld() {
		mustAdd(t, e2, r)
	}
	if _, _, err := e2.Split("d2"); err != nil {
		t.Fatal(err)
	}
	if c, _ := e2.Cluster("d2"); c != "d2" {
		t.Fatalf("split d2 is still in %s", c)
	}
}

func TestCorefSurvivesRefitAndBatch(t *testing.T) {
	ctx := context.Background()
	e := New(Config{})
	for _, r := range corefWorld() {
		mustAdd(t, e, r)
	}
	if _, err := e.Refit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := e.Recluster(ctx); err != nil {
		t.Fatal(err)
	}
	a, _ := e.Cluster("d1")
	b, _ := e.Cluster("d2")
	if a != b {
		t.Fatalf("context link lost by refit: %s %s", a, b)
	}
	bt := New(Config{})
	if err := bt.AddBatch(ctx, corefWorld()); err != nil {
		t.Fatal(err)
	}
	a, _ = bt.Cluster("d1")
	b, _ = bt.Cluster("d2")
	if a != b {
		t.Fatalf("context link lost in a batch: %s %s", a, b)
	}
}

func TestAddCoref(t *testing.T) {
	e := New(Config{})
	for _, r := range corefWorld() {
		r.Coref = nil
		mustAdd(t, e, r)
	}
	target, _ := e.Cluster("r1")
	moves, err := e.AddCoref("d2", Coref{Record: "r1", Evidence: "named with the same people"})
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := e.Cluster("d2"); c != target {
		t.Fatalf("d2 in %s, want %s", c, target)
	}
	if len(moves) == 0 {
		t.Fatal("no move reported")
	}
	if _, err := e.AddCoref("nope", Coref{Record: "r1"}); err == nil {
		t.Fatal("unknown record accepted")
	}
	// WeakLinks lists links whatever their probability.
	wl, err := e.WeakLinks("d1")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range wl {
		if l.Record == "r3" {
			t.Fatalf("Irina listed as a link of Bogdan: %+v", wl)
		}
	}
}
