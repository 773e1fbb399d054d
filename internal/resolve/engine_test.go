package resolve

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func person(id, name, dob string, ids ...string) Record {
	r := Record{ID: id, Names: []string{name}}
	if dob != "" {
		r.BirthDates = []string{dob}
	}
	for _, kv := range ids {
		k, v, _ := strings.Cut(kv, "=")
		if r.Identifiers == nil {
			r.Identifiers = map[string][]string{}
		}
		r.Identifiers[k] = append(r.Identifiers[k], v)
	}
	return r
}

func mustAdd(t *testing.T, e *Engine, r Record) Decision {
	t.Helper()
	d, err := e.Add(r)
	if err != nil {
		t.Fatalf("Add(%s): %v", r.ID, err)
	}
	return d
}

func TestStreamingMergesSpellingsAndScripts(t *testing.T) {
	e := New(Config{})
	d := mustAdd(t, e, person("a", "Mohamad Al-Hassan", "1980-04-12", "passport=X1234567"))
	if d.Action != ActionNew || d.Cluster != "a" {
		t.Fatalf("first record: %+v", d)
	}
	d = mustAdd(t, e, person("b", "Mohammed al Hassan", "12/04/1980"))
	if d.Action != ActionMerge || d.Cluster != "a" {
		t.Fatalf("variant spelling with same DOB not merged: %+v", d)
	}
	d = mustAdd(t, e, person("c", "محمد الحسن", "1980-04-12", "passport=x 123 4567"))
	if d.Action != ActionMerge || d.Cluster != "a" {
		t.Fatalf("Arabic script with same passport not merged: %+v", d)
	}
	d = mustAdd(t, e, person("d", "Johanna Schmidt", "1955-01-30"))
	if d.Action != ActionNew || d.Cluster != "d" {
		t.Fatalf("stranger merged: %+v", d)
	}
	// A smaller ID joining renames the cluster, and the old ID is reported.
	d = mustAdd(t, e, person("0", "Muhammad Hasan", "1980-04-12", "passport=X1234567"))
	if d.Cluster != "0" || !slices.Equal(d.Absorbed, []string{"a"}) {
		t.Fatalf("rename not reported: %+v", d)
	}
	if got, _ := e.Members("b"); !slices.Equal(got, []string{"0", "a", "b", "c"}) {
		t.Fatalf("members = %v", got)
	}
}

func TestPassportConflictBlocksMerge(t *testing.T) {
	e := New(Config{})
	mustAdd(t, e, person("a", "John Smith", "1970-01-01", "passport=P1111111"))
	d := mustAdd(t, e, person("b", "John Smitt", "1970-01-01", "passport=Q9876543"))
	x, err := e.Explain("a", "b")
	if err != nil {
		t.Fatal(err)
	}
	var pass *Contribution
	for i := range x.Contributions {
		if x.Contributions[i].Feature == "id:passport" {
			pass = &x.Contributions[i]
		}
	}
	if pass == nil || pass.Weight >= 0 || pass.Level != "differs" {
		t.Fatalf("passport contribution = %+v in %v", pass, x)
	}
	if d.Action == ActionMerge {
		t.Fatalf("different passports merged: %v", x)
	}
}

func TestExplanationNamesEveryFeature(t *testing.T) {
	e := New(Config{})
	mustAdd(t, e, person("a", "Katherine Oduya", "1991-07-03", "phone=+44 7700 900123"))
	mustAdd(t, e, person("b", "Catherine Oduya", "1991-07-03", "phone=07700900123"))
	x, err := e.Explain("a", "b")
	if err != nil {
		t.Fatal(err)
	}
	s := x.String()
	for _, want := range []string{"name ", "dob ", "id:phone ", "prior", "total"} {
		if !strings.Contains(s, want) {
			t.Errorf("explanation lacks %q: %s", want, s)
		}
	}
	sum := x.Prior
	for _, c := range x.Contributions {
		sum += c.Weight
	}
	if d := sum - x.Weight; d > 1e-9 || d < -1e-9 {
		t.Errorf("contributions sum to %v, total is %v", sum, x.Weight)
	}
	if !x.SameCluster || x.Action != ActionMerge {
		t.Errorf("expected a merge: %s", s)
	}
	links, err := e.Links("b")
	if err != nil || len(links) != 1 || links[0].Record != "a" || !links[0].Merge || math.Abs(links[0].Probability-x.Probability) > 1e-6 {
		t.Errorf("Links(b) = %+v, %v", links, err)
	}
}

var guests = []string{"Anna Berg", "Boris Cole", "Chidi Dube", "Dana Evans", "Emil Fox", "Farah Gul",
	"Gita Hall", "Hugo Ivers", "Ines Jaxon", "Jorge Klein", "Kofi Lund", "Lars Moyo", "Mina Novak",
	"Nils Ortiz", "Olga Park", "Pia Quist", "Ravi Stone", "Suki Tran", "Tomas Uribe", "Uma Vogel"}

func TestHubCannotJoinAlone(t *testing.T) {
	e := New(Config{HubDiversity: 5})
	// Twenty different people give the same hotel phone and address.
	for i := range 20 {
		r := person(fmt.Sprintf("g%02d", i), guests[i], "", "phone=+1 555 0100")
		r.Addresses = []string{"1 Grand Hotel Plaza, Metropolis"}
		mustAdd(t, e, r)
	}
	cl := e.Clusters()
	seen := map[string]bool{}
	for _, c := range cl {
		seen[c] = true
	}
	if len(seen) != 20 {
		t.Fatalf("hub phone and address glued strangers: %d clusters for 20 people", len(seen))
	}
	x, _ := e.Explain("g00", "g19")
	hub := false
	for _, c := range x.Contributions {
		hub = hub || c.Hub
	}
	if !hub {
		t.Errorf("explanation does not flag the hub: %v", x)
	}
}

func TestJudgementsAreRespected(t *testing.T) {
	e := New(Config{})
	mustAdd(t, e, person("a", "Omar Farouk", "1985-02-02"))
	mustAdd(t, e, person("b", "Omar Faruq", "1985-02-02"))
	mustAdd(t, e, person("c", "Omar Farouk", "1985-02-02"))
	if m, _ := e.Members("a"); len(m) != 3 {
		t.Fatalf("setup: members %v", m)
	}
	moves, err := e.Judge(Judgement{A: "a", B: "b", Verdict: NotSame})
	if err != nil {
		t.Fatal(err)
	}
	if len(moves) == 0 {
		t.Fatal("not-same moved nobody")
	}
	ca, _ := e.Cluster("a")
	cb, _ := e.Cluster("b")
	if ca == cb {
		t.Fatal("not-same judgement ignored")
	}
	// A later automatic decision respects it: d matches both a and b.
	mustAdd(t, e, person("d", "Omar Farouk", "1985-02-02"))
	ca, _ = e.Cluster("a")
	cb, _ = e.Cluster("b")
	if ca == cb {
		t.Fatal("later record joined judged-apart records")
	}
	// Transitive: same(b,x) and not-same(a,b) forbids same(a,x).
	mustAdd(t, e, person("x", "Zed Quillon", "1911-11-11"))
	if _, err := e.Judge(Judgement{A: "b", B: "x", Verdict: Same}); err != nil {
		t.Fatal(err)
	}
	if cx, _ := e.Cluster("x"); cx != cb {
		t.Fatalf("same judgement not applied: x in %s, b in %s", cx, cb)
	}
	if _, err := e.Judge(Judgement{A: "a", B: "x", Verdict: Same}); !errors.Is(err, ErrConflict) {
		t.Fatalf("conflicting judgement accepted: %v", err)
	}
	// Undo restores automatic behaviour.
	if _, err := e.Undo("a", "b"); err != nil {
		t.Fatal(err)
	}
	ca, _ = e.Cluster("a")
	cb, _ = e.Cluster("b")
	if ca != cb {
		t.Fatal("undo did not re-merge")
	}
	if _, err := e.Undo("a", "b"); !errors.Is(err, ErrNoJudgement) {
		t.Fatalf("second undo: %v", err)
	}
}

func TestSplit(t *testing.T) {
	e := New(Config{})
	for _, id := range []string{"a", "b", "c"} {
		mustAdd(t, e, person(id, "Lena Volkova", "1979-09-09"))
	}
	made, moves, err := e.Split("b")
	if err != nil {
		t.Fatal(err)
	}
	if len(made) != 1 || made[0].B != "a" || made[0].Verdict != NotSame {
		t.Fatalf("judgements made: %+v", made)
	}
	if cb, _ := e.Cluster("b"); cb != "b" {
		t.Fatalf("b still in %s; moves %+v", cb, moves)
	}
	if m, _ := e.Members("a"); !slices.Equal(m, []string{"a", "c"}) {
		t.Fatalf("rest of cluster = %v", m)
	}
	d := mustAdd(t, e, person("d", "Lena Volkova", "1979-09-09"))
	if cb, _ := e.Cluster("b"); cb != "b" || d.Cluster != "a" {
		t.Fatalf("split record pulled back in: b in %s, d in %s", cb, d.Cluster)
	}
}

func TestAddRejects(t *testing.T) {
	e := New(Config{})
	if _, err := e.Add(Record{}); !errors.Is(err, ErrInvalidRecord) {
		t.Errorf("empty id: %v", err)
	}
	if _, err := e.Add(Record{ID: "x", Type: "Vehicle"}); !errors.Is(err, ErrInvalidRecord) {
		t.Errorf("bad type: %v", err)
	}
	mustAdd(t, e, person("x", "A B", ""))
	if _, err := e.Add(person("x", "A B", "")); !errors.Is(err, ErrDuplicate) {
		t.Errorf("duplicate: %v", err)
	}
	if _, err := e.Explain("x", "nope"); !errors.Is(err, ErrUnknown) {
		t.Errorf("unknown: %v", err)
	}
	err := e.AddBatch(context.Background(), []Record{person("y", "C D", ""), {}})
	var be *BatchError
	if !errors.As(err, &be) || len(be.Rejected) != 1 || e.Len() != 2 {
		t.Errorf("batch with one bad record: %v, len %d", err, e.Len())
	}
}

func TestBatchOrderIndependent(t *testing.T) {
	recs, _ := synthWorld(300, 3, 1)
	run := func(rs []Record, js []Judgement) map[string]string {
		e := New(Config{})
		if err := e.Restore(context.Background(), js, slices.Values(rs)); err != nil {
			t.Fatal(err)
		}
		return e.Clusters()
	}
	js := []Judgement{{A: recs[0].ID, B: recs[1].ID, Verdict: NotSame}, {A: recs[3].ID, B: recs[10].ID, Verdict: Same}}
	want := run(recs, js)
	rng := rand.New(rand.NewPCG(9, 9))
	for range 3 {
		sh := slices.Clone(recs)
		rng.Shuffle(len(sh), func(i, j int) { sh[i], sh[j] = sh[j], sh[i] })
		got := run(sh, js)
		for id, c := range want {
			if got[id] != c {
				t.Fatalf("record %s: cluster %s in one order, %s in another", id, c, got[id])
			}
		}
	}
	if want[recs[0].ID] == want[recs[1].ID] || want[recs[3].ID] != want[recs[10].ID] {
		t.Fatalf("restored judgements not applied")
	}
}

func TestStreamingMatchesBatchWithFixedModel(t *testing.T) {
	recs, _ := synthWorld(200, 3, 2)
	b := New(Config{})
	if err := b.AddBatch(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	model := b.Model()
	s := New(Config{Model: model})
	for _, r := range recs {
		mustAdd(t, s, r)
	}
	// Streaming saw growing statistics; Recluster makes it canonical.
	if err := s.Recluster(context.Background()); err != nil {
		t.Fatal(err)
	}
	bb := New(Config{Model: model})
	if err := bb.AddBatch(context.Background(), recs); err != nil {
		t.Fatal(err)
	}
	want, got := bb.Clusters(), s.Clusters()
	for id := range want {
		if want[id] != got[id] {
			t.Fatalf("record %s: batch %s, streaming+recluster %s", id, want[id], got[id])
		}
	}
}

func TestCompoundNames(t *testing.T) {
	e := New(Config{})
	mustAdd(t, e, person("a", "Paula Perez Castillo", ""))
	mustAdd(t, e, person("b", "PEREZCASTILLO, Paula", ""))
	mustAdd(t, e, person("c", "Paula Castillo Perez", ""))
	x, _ := e.Explain("a", "b")
	if x.Contributions[0].Level != "close variant" {
		t.Errorf("compound surname: %v", x)
	}
	y, _ := e.Explain("b", "c")
	if y.Contributions[0].Level == "close variant" || y.Contributions[0].Level == "exact" {
		t.Errorf("different order of compound parts scored as a variant: %v", y)
	}
}

func FuzzEngine(f *testing.F) {
	f.Add("Mohamad Al-Hassan", "1980-04-12", "X123", "محمد الحسن", "12/04/1980", "X124")
	f.Add("", "", "", "a", "1", "")
	f.Fuzz(func(t *testing.T, n1, d1, p1, n2, d2, p2 string) {
		e := New(Config{})
		a, b := person("a", n1, d1), person("b", n2, d2)
		if p1 != "" {
			a.Identifiers = map[string][]string{"passport": {p1}}
		}
		if p2 != "" {
			b.Identifiers = map[string][]string{"passport": {p2}}
		}
		mustAdd(t, e, a)
		d := mustAdd(t, e, b)
		x, err := e.Explain("a", "b")
		if err != nil {
			t.Fatal(err)
		}
		sum := x.Prior
		for _, c := range x.Contributions {
			sum += c.Weight
		}
		if diff := sum - x.Weight; diff > 1e-6 || diff < -1e-6 {
			t.Fatalf("contributions sum to %v, weight %v", sum, x.Weight)
		}
		if (d.Action == ActionMerge) != (d.Cluster == "a") {
			t.Fatalf("decision %+v inconsistent", d)
		}
	})
}
