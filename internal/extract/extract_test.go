package extract

import (
	"strings"
	"sync"
	"testing"
	"time"
)

func newX(t testing.TB) *Extractor {
	t.Helper()
	x, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return x
}

var docDate = time.Date(2017, 11, 23, 0, 0, 0, 0, time.UTC)

const sample = `Police arrest man in Manchester

Thursday 23 November 2017

Salman Abedi, 22, killed 22 people and injured 59 in the attack at Manchester Arena on 22 May 2017. Abedi's brother Hashem Abedi was arrested in Libya. Abedi had travelled to Libya eight months before the attack.

James Clapper, the Director of National Intelligence, said the Islamic State in Iraq and the Levant (Isil) had links to the cell. The group, also known as Daesh, pledged revenge.

Ben Wallace, the security minister, said nine plots have been foiled since March. Contact: j.smith@example.co.uk or +44 20 7946 0958.
Subscribe
`

func find(r *Result, typ, text string) int {
	for i, e := range r.Entities {
		if e.Type == typ && e.Text == text {
			return i
		}
	}
	return -1
}

func TestExtract(t *testing.T) {
	x := newX(t)
	r := x.Extract(sample, docDate)
	for i, e := range r.Entities {
		if sample[e.Start:e.End] != e.Text {
			t.Errorf("entity %d %q has span text %q", i, e.Text, sample[e.Start:e.End])
		}
		s := r.Sentences[e.Sentence]
		if e.Start < s.Start || e.End > s.End {
			t.Errorf("entity %q outside its sentence", e.Text)
		}
	}
	want := []struct{ typ, text, norm string }{
		{PER, "Salman Abedi", ""},
		{PER, "Hashem Abedi", ""},
		{LOC, "Libya", ""},
		{PER, "James Clapper", ""},
		{DATE, "22 May 2017", "2017-05-22"},
		{DATE, "eight months before", "2016-09"},
		{EMAIL, "j.smith@example.co.uk", ""},
		{PHONE, "+44 20 7946 0958", "+442079460958"},
	}
	for _, w := range want {
		i := find(r, w.typ, w.text)
		if i < 0 {
			t.Errorf("missing %s %q", w.typ, w.text)
			continue
		}
		if r.Entities[i].Normalized != w.norm {
			t.Errorf("%s %q normalised %q, want %q", w.typ, w.text, r.Entities[i].Normalized, w.norm)
		}
	}
	// "Abedi" alone is the Salman Abedi named before.
	full := find(r, PER, "Salman Abedi")
	for _, e := range r.Entities {
		if e.Text == "Abedi" && full >= 0 && e.Cluster != r.Entities[full].Cluster {
			t.Errorf("Abedi at %d not chained to Salman Abedi", e.Start)
		}
	}
	for _, s := range r.Sentences {
		if strings.Contains(sample[s.Start:s.End], "Subscribe") {
			t.Error("page furniture kept in a sentence")
		}
	}
}

func TestAliasesRelationsEvents(t *testing.T) {
	x := newX(t)
	r := x.Extract(sample, docDate)
	hasAlias := func(a, b string) bool {
		for _, al := range r.Aliases {
			if r.Entities[al.Entity].Text == a && r.Entities[al.Alias].Text == b {
				return true
			}
		}
		return false
	}
	if !hasAlias("Islamic State in Iraq and the Levant", "Isil") {
		t.Errorf("no alias Isil; aliases %+v entities %+v", r.Aliases, r.Entities)
	}
	hasRel := func(s, pred, o, detail string) bool {
		for _, rel := range r.Relations {
			obj := ""
			if rel.Object >= 0 {
				obj = r.Entities[rel.Object].Text
			}
			if r.Entities[rel.Subject].Text == s && rel.Predicate == pred && obj == o && (detail == "" || rel.Detail == detail) {
				if rel.Confidence <= 0 || rel.Confidence > 1 || rel.Evidence.End <= rel.Evidence.Start {
					t.Errorf("relation %+v: bad confidence or evidence", rel)
				}
				return true
			}
		}
		return false
	}
	for _, c := range []struct{ s, p, o, d string }{
		{"Abedi", FamilyOf, "Hashem Abedi", "brother"},
		{"Hashem Abedi", Arrested, "Libya", ""},
		{"James Clapper", Title, "", "Director of National Intelligence"},
		{"Ben Wallace", Title, "", "security minister"},
		{"Abedi", TravelledTo, "Libya", ""},
	} {
		if !hasRel(c.s, c.p, c.o, c.d) {
			var got []string
			for _, rel := range r.Relations {
				o := "-"
				if rel.Object >= 0 {
					o = r.Entities[rel.Object].Text
				}
				got = append(got, r.Entities[rel.Subject].Text+" "+rel.Predicate+" "+o+" ["+rel.Detail+"]")
			}
			t.Errorf("missing relation %s %s %q [%s]; have %q", c.s, c.p, c.o, c.d, got)
		}
	}
	var attack, foiled *Event
	for i := range r.Events {
		switch r.Events[i].Type {
		case EventAttack:
			if attack == nil {
				attack = &r.Events[i]
			}
		case EventPlotFoiled:
			foiled = &r.Events[i]
		}
	}
	if attack == nil || attack.Figures["killed"] != 22 || attack.Figures["injured"] != 59 || attack.Date != "2017-05-22" {
		t.Errorf("attack event %+v", attack)
	}
	if foiled == nil || foiled.Figures["plots"] != 9 {
		t.Errorf("plot_foiled event %+v", foiled)
	}
}

func TestConcurrent(t *testing.T) {
	x := newX(t)
	want := x.Extract(sample, docDate)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got := x.Extract(sample, docDate)
			if len(got.Entities) != len(want.Entities) || len(got.Relations) != len(want.Relations) {
				t.Errorf("concurrent run differs")
			}
		}()
	}
	wg.Wait()
}

func TestDocumentDate(t *testing.T) {
	if d := DocumentDate(sample); !d.Equal(docDate) {
		t.Errorf("DocumentDate = %v", d)
	}
	if d := DocumentDate("no date here"); !d.IsZero() {
		t.Errorf("DocumentDate = %v", d)
	}
}

func FuzzExtract(f *testing.F) {
	x := newX(f)
	f.Add(sample)
	f.Add("(((( Mr. A's “b” IS-K or IS (Isil), also known as Daesh\n\n")
	f.Add("\xff\xfe so-called X (Y) killed 5")
	f.Add("Ms\nHMP X Y Z (AB) or AB-C Ltd. MI5 agent, 34, was seen. Farhiya Xasan Barre")
	f.Add("(ISIL) Islamic State in Iraq and the Levant (ISIL) a friend of Ana Lee")
	f.Fuzz(func(t *testing.T, s string) {
		r := x.Extract(s, docDate)
		for _, e := range r.Entities {
			if e.Start < 0 || e.End > len(s) || e.Start >= e.End || e.Sentence < 0 || e.Sentence >= len(r.Sentences) {
				t.Fatalf("bad entity %+v", e)
			}
		}
		for _, a := range r.Aliases {
			if a.Entity < 0 || a.Entity >= len(r.Entities) || a.Alias < 0 || a.Alias >= len(r.Entities) {
				t.Fatalf("bad alias %+v", a)
			}
		}
		for _, rel := range r.Relations {
			if rel.Subject < 0 || rel.Subject >= len(r.Entities) || rel.Object < -1 || rel.Object >= len(r.Entities) {
				t.Fatalf("bad relation %+v", rel)
			}
		}
	})
}

func TestPronounRelations(t *testing.T) {
	x := newX(t)
	text := "Khuram Butt was known to police. He was already known for his links to the preacher and officers said he was supportive of Isis fighters."
	r := x.Extract(text, docDate)
	found := false
	for _, rel := range r.Relations {
		if rel.Predicate == SupporterOf && r.Entities[rel.Subject].Text == "Khuram Butt" {
			found = true
			if rel.Confidence >= 0.75 {
				t.Errorf("pronoun relation confidence %.2f not lowered", rel.Confidence)
			}
		}
		if rel.Predicate == SupporterOf && r.Entities[rel.Subject].Text != "Khuram Butt" {
			t.Errorf("wrong subject %q", r.Entities[rel.Subject].Text)
		}
	}
	if !found {
		t.Errorf("no supporter_of through the pronoun: %+v / %+v", r.Entities, r.Relations)
	}
}

func TestDeploymentEvent(t *testing.T) {
	x := newX(t)
	r := x.Extract("He confirmed that 440 British troops were sent to Afghanistan last month. The letter was sent to London.", docDate)
	var n int
	for _, ev := range r.Events {
		if ev.Type == EventDeployment {
			n++
			if ev.Place < 0 || r.Entities[ev.Place].Text != "Afghanistan" || ev.Date != "2017-10" {
				t.Errorf("deployment %+v", ev)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d deployment events, want 1: %+v", n, r.Events)
	}
}
