package screen

import (
	"testing"

	"github.com/mosaic-intel/mosaic/internal/names"
	"github.com/mosaic-intel/mosaic/internal/watchlist"
)

// An organisation listed by the meaning of its name is found from its
// name in Arabic script, and a person's name is not translated.
func TestTranslatedOrg(t *testing.T) {
	ix := NewIndex()
	ix.ReplaceList("l", []watchlist.Entry{
		{EntryID: "o1", Schema: watchlist.Organization, Names: []watchlist.Name{{Value: "MOROCCAN ISLAMIC COMBATANT GROUP", Primary: true}}},
		{EntryID: "o2", Schema: watchlist.Organization, Names: []watchlist.Name{{Value: "NORTHERN SHIPPING COMPANY", Primary: true}}},
		{EntryID: "p1", Schema: watchlist.Person, Names: []watchlist.Name{{Value: "MOHAMMED AL-MASRI", Primary: true}}},
	})
	q := Query{Name: "الجماعة الإسلامية المغربية المقاتلة", Schema: watchlist.Organization}
	hs := ix.Screen(q)
	if len(hs) == 0 || hs[0].EntryID != "o1" {
		t.Fatalf("Screen(%q) = %+v, want o1", q.Name, hs)
	}
	q.Schema = watchlist.Person
	for _, h := range ix.Screen(q) {
		if h.EntryID == "o1" {
			t.Errorf("a person's query was translated: %+v", h)
		}
	}
}

// Two Arabic-script words typed run together after a letter that does not
// join are also screened written apart; a word the index spells is not.
func TestRunOnSplit(t *testing.T) {
	ix := NewIndex()
	ix.ReplaceList("l", []watchlist.Entry{
		{EntryID: "p1", Schema: watchlist.Person, Names: []watchlist.Name{{Value: "MUHAMMAD TAHER ANWARI", Primary: true}}},
		{EntryID: "p2", Schema: watchlist.Person, Names: []watchlist.Name{{Value: "CLAUDIA SCHNEIDER", Primary: true}}},
	})
	q := Query{Name: "محمدطاهر أنوري", Schema: watchlist.Person}
	if alt, ok := ix.runOnSplit(q); !ok || alt != "محمد طاهر أنوري" {
		t.Errorf("runOnSplit(%q) = %q, %v", q.Name, alt, ok)
	}
	if hs := ix.Screen(q); len(hs) == 0 || hs[0].EntryID != "p1" {
		t.Errorf("Screen(%q) = %+v, want p1", q.Name, hs)
	}
	q.Name = "محمد طاهر أنوري"
	if alt, ok := ix.runOnSplit(q); ok {
		t.Errorf("runOnSplit(%q) = %q, want no split", q.Name, alt)
	}
}

func TestFinalYa(t *testing.T) {
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"محمد حقانى", "محمد حقاني", true},
		{"على ولى", "علي ولي", true},
		{"محمد حقاني", "", false},
		{"Mustafa", "", false},
	} {
		got, ok := finalYa(c.in)
		if ok != c.ok || ok && got != c.want {
			t.Errorf("finalYa(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestWithoutNasab(t *testing.T) {
	for _, c := range []struct {
		in, want string
		schema   watchlist.Schema
		ok       bool
	}{
		{"محرز بن محمود بن ساسي العمدوني", "محرز العمدوني", watchlist.Person, true},
		{"محمد بن عبد الله العوادي", "محمد العوادي", watchlist.Person, true},
		{"حماده ولد محمد الخيري", "حماده الخيري", watchlist.Person, true},
		{"أسامة بن لادن", "", watchlist.Person, false}, // a family name ends it
		{"سامي بن خميس", "", watchlist.Person, false},  // so does a last father's name
		{"محرز بن محمود العمدوني", "", watchlist.Organization, false},
		{"Mehrez ben Mahmoud Amdouni", "", watchlist.Person, false},
	} {
		got, ok := withoutNasab(Query{Name: c.in, Schema: c.schema})
		if ok != c.ok || ok && got != c.want {
			t.Errorf("withoutNasab(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

// A Latin spelling that gives the given and family names alone is found
// from the Arabic-script name with its father's name.
func TestNasabOptional(t *testing.T) {
	ix := NewIndex()
	ix.ReplaceList("l", []watchlist.Entry{
		{EntryID: "p1", Schema: watchlist.Person, Names: []watchlist.Name{{Value: "Nasim al-Sahrawi", Primary: true}}},
		{EntryID: "p2", Schema: watchlist.Person, Names: []watchlist.Name{{Value: "Ramadan Sahraoui", Primary: true}}},
		{EntryID: "p3", Schema: watchlist.Person, Names: []watchlist.Name{{Value: "CLAUDIA SCHNEIDER", Primary: true}}},
	})
	q := Query{Name: "نسيم بن رمضان صحراوي", Schema: watchlist.Person}
	if hs := ix.Screen(q); len(hs) == 0 || hs[0].EntryID != "p1" {
		t.Errorf("Screen(%q) = %+v, want p1 first", q.Name, hs)
	}
}

func TestTrailingAcronym(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"MUHAMMAD JAMAL NETWORK (MJN)", "mjn"},
		{"AL-ITIHAAD AL-ISLAMIYA / AIAI", "aiai"},
		{"TOUS POUR LA PAIX (ngo)", ""},
		{"JOHN SMITH (JUNIOR ALIAS)", ""},
		{"SMITH", ""},
	} {
		if got := trailingAcronym(c.in); got != c.want {
			t.Errorf("trailingAcronym(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// A name's trailing acronym, left out of the query, costs little; it is
// still posted, and its postings go when the entry does.
func TestAcronymOptional(t *testing.T) {
	ix := NewIndex()
	ent := []watchlist.Entry{
		{EntryID: "o1", Schema: watchlist.Organization, Names: []watchlist.Name{{Value: "AL-ITIHAAD AL-ISLAMIYA / AIAI", Primary: true}}},
		{EntryID: "o2", Schema: watchlist.Organization, Names: []watchlist.Name{{Value: "NORTHERN SHIPPING COMPANY", Primary: true}}},
	}
	ix.ReplaceList("l", ent)
	q := Query{Name: "AL-ITIHAAD AL-ISLAMIYA", Schema: watchlist.Organization, MinScore: 0.01}
	hs := ix.Screen(q)
	if len(hs) == 0 || hs[0].EntryID != "o1" {
		t.Fatalf("Screen(%q) = %+v, want o1", q.Name, hs)
	}
	// The acronym weighs as a generic word and is posted.
	nr := ix.recs[0]
	last := nr.toks.off + nr.toks.n - 1
	if dt := ix.toks[ix.recToks[last]]; dt.tok.Text != "aiai" || ix.recRoles[last] != names.RoleGeneric || dt.df != 1 {
		t.Errorf("acronym token %q role %d df %d", dt.tok.Text, ix.recRoles[last], dt.df)
	}
	if hs := ix.Screen(Query{Name: "AIAI", Schema: watchlist.Organization, MinScore: 0.01}); len(hs) == 0 || hs[0].EntryID != "o1" {
		t.Errorf("the acronym alone does not retrieve its entry: %+v", hs)
	}
	ix.ReplaceList("l", ent[1:])
	for _, dt := range ix.toks {
		if dt.tok.Text == "aiai" && dt.df != 0 {
			t.Errorf("df of %q after removal = %d", dt.tok.Text, dt.df)
		}
	}
}
