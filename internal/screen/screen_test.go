package screen

import (
	"fmt"
	"sync"
	"testing"

	"github.com/mosaic-intel/mosaic/internal/watchlist"
)

func person(id string, dob, country string, nm ...string) watchlist.Entry {
	e := watchlist.Entry{List: "t", EntryID: id, Schema: watchlist.Person}
	for i, n := range nm {
		e.Names = append(e.Names, watchlist.Name{Value: n, Primary: i == 0})
	}
	if dob != "" {
		e.BirthDates = []string{dob}
	}
	if country != "" {
		e.Countries = []string{country}
	}
	return e
}

func org(id string, nm ...string) watchlist.Entry {
	e := person(id, "", "", nm...)
	e.Schema = watchlist.Organization
	return e
}

func testIndex() *Index {
	ix := NewIndex()
	ix.ReplaceList("t", []watchlist.Entry{
		person("p1", "1937-04-28", "IQ", "SADDAM HUSSEIN AL-TIKRITI", "صدام حسين التكريتي"),
		person("p2", "1964-07-17", "KP", "RI WON HO"),
		person("p3", "1971", "", "ABD AL-RAHMAN MUHAMMAD AL-MAGHRIBI"),
		person("p4", "", "", "William Henry Gates"),
		person("p5", "", "RU", "Владимир Сергеевич Иванов"),
		org("o1", "ACME SHIPPING TRADING LLC", "ACME MARINE"),
		org("o2", "AL-QAIDA IN IRAQ", "Islamic State of Iraq and the Levant"),
		org("o3", "GLOBAL TRADING CORP"),
	})
	// Filler so that rarity weights mean something.
	var filler []watchlist.Entry
	for i := range 200 {
		filler = append(filler, person(fmt.Sprintf("f%d", i), "", "", fmt.Sprintf("Muhammad Name%c%c Family%c%c", 'a'+i%26, 'a'+i/26, 'a'+i%13, 'a'+i/13)))
	}
	ix.ReplaceList("filler", filler)
	return ix
}

func top(ix *Index, q Query) (Hit, bool) {
	h := ix.Screen(q)
	if len(h) == 0 {
		return Hit{}, false
	}
	return h[0], true
}

func TestScreenFinds(t *testing.T) {
	ix := testIndex()
	for _, tc := range []struct {
		q    Query
		want string
	}{
		{Query{Name: "Saddam Hussein al-Tikriti"}, "p1"},
		{Query{Name: "Sadam Husein Tikriti"}, "p1"},
		{Query{Name: "Tikriti, Saddam Hussein"}, "p1"},
		{Query{Name: "صدام حسين"}, "p1"},
		{Query{Name: "Ho Won Ri", Schema: watchlist.Person}, "p2"},
		{Query{Name: "Abdul Rahman Mohammed al-Maghribi"}, "p3"},
		{Query{Name: "Abdurrahman Maghribi", BirthDate: "1971"}, "p3"},
		{Query{Name: "Bill Gates"}, "p4"},
		{Query{Name: "W. H. Gates", BirthDate: "1955", MinScore: 0.3}, "p4"}, // initials alone are weak evidence
		{Query{Name: "Vladimir Ivanov"}, "p5"},
		{Query{Name: "Владимир Иванов"}, "p5"},
		{Query{Name: "Acme Shipping Trading"}, "o1"},
		{Query{Name: "Daesh", Schema: watchlist.Organization}, "o2"},
		{Query{Name: "ISIL"}, "o2"},
	} {
		h, ok := top(ix, tc.q)
		if !ok || h.EntryID != tc.want {
			t.Errorf("Screen(%+v) top = %+v, want %s", tc.q, h, tc.want)
			continue
		}
		if h.Score > 1 || len(h.Explanation) == 0 {
			t.Errorf("Screen(%q): score %v, explanation %v", tc.q.Name, h.Score, h.Explanation)
		}
	}
}

func TestScreenRejects(t *testing.T) {
	ix := testIndex()
	for _, q := range []Query{
		{Name: "Trading LLC"},
		{Name: "CORP"},
		{Name: "Global Trading"},
		{Name: "John Smith"},
		{Name: "Muhammad"},
		{Name: ""},
		{Name: "Saddam Hussein", Schema: watchlist.Organization},
		{Name: "Acme Shipping", Schema: watchlist.Person},
	} {
		if h := ix.Screen(q); len(h) > 0 {
			t.Errorf("Screen(%+v) = %+v, want no hit", q, h[0])
		}
	}
}

func TestEvidence(t *testing.T) {
	ix := testIndex()
	base, _ := top(ix, Query{Name: "Sadam Husein", MinScore: 0.01})
	same, _ := top(ix, Query{Name: "Sadam Husein", BirthDate: "1937-04-28", Country: "Iraq", MinScore: 0.01})
	year, _ := top(ix, Query{Name: "Sadam Husein", BirthDate: "1937", MinScore: 0.01})
	conflict, ok := top(ix, Query{Name: "Sadam Husein", BirthDate: "1990-01-01", Country: "FR", MinScore: 0.01})
	if !ok {
		t.Fatal("no hit with conflicting evidence at MinScore 0.01")
	}
	if !(same.Score > year.Score && year.Score > base.Score && base.Score > conflict.Score) {
		t.Errorf("scores: exact %v, year %v, none %v, conflict %v", same.Score, year.Score, base.Score, conflict.Score)
	}
	e := person("id1", "", "", "Completely Different")
	e.Identifiers = []watchlist.Identifier{{Type: "Passport", Number: "AB 123456"}}
	ix.Upsert(e)
	h, ok := top(ix, Query{Name: "Complete Diferent", Identifiers: []string{"ab123456"}})
	if !ok || h.EntryID != "id1" || h.Score < 0.99 {
		t.Errorf("identifier match: %+v", h)
	}
}

func TestListDiffs(t *testing.T) {
	ix := NewIndex()
	d := ix.ReplaceList("l", []watchlist.Entry{person("a", "", "", "Alpha Person"), person("b", "", "", "Bravo Person")})
	if d != (Diff{Added: 2}) {
		t.Errorf("first diff %+v", d)
	}
	d = ix.ReplaceList("l", []watchlist.Entry{person("a", "", "", "Alpha Person"), person("b", "", "", "Bravissimo Someone"), person("c", "", "", "Charlie Third")})
	if d != (Diff{Added: 1, Updated: 1, Unchanged: 1}) {
		t.Errorf("second diff %+v", d)
	}
	if h, ok := top(ix, Query{Name: "Bravo Person"}); ok && h.EntryID == "b" {
		t.Errorf("old name of b still found: %+v", h)
	}
	if h, ok := top(ix, Query{Name: "Bravissimo Someone"}); !ok || h.EntryID != "b" {
		t.Errorf("new name of b not found: %+v", h)
	}
	d = ix.ReplaceList("l", []watchlist.Entry{person("c", "", "", "Charlie Third")})
	if d != (Diff{Removed: 2, Unchanged: 1}) {
		t.Errorf("third diff %+v", d)
	}
	if !ix.Remove("l", "c") || ix.Remove("l", "c") {
		t.Error("Remove reported wrongly")
	}
	if e, n := ix.Len(); e != 0 || n != 0 {
		t.Errorf("Len after removing all = %d, %d", e, n)
	}
	// Many updates force compaction; results must stay right.
	for i := range 3000 {
		ix.Upsert(person("x", "", "", fmt.Sprintf("Version%d Person", i)))
	}
	if h, ok := top(ix, Query{Name: "Version2999 Person"}); !ok || h.EntryID != "x" {
		t.Errorf("after compaction: %+v", h)
	}
	if e, n := ix.Len(); e != 1 || n != 1 {
		t.Errorf("Len after compaction = %d, %d", e, n)
	}
}

func TestConcurrentReadersAndWriter(t *testing.T) {
	ix := testIndex()
	var wg sync.WaitGroup
	for r := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 300 {
				h, ok := top(ix, Query{Name: "Saddam Hussein"})
				if !ok || h.EntryID != "p1" {
					t.Errorf("reader %d iteration %d: %+v", r, i, h)
					return
				}
			}
		}()
	}
	for i := range 300 {
		ix.Upsert(person(fmt.Sprintf("w%d", i%50), "", "", fmt.Sprintf("Writer Name%d", i)))
		if i%7 == 0 {
			ix.Remove("t", fmt.Sprintf("w%d", i%50))
		}
	}
	wg.Wait()
}

func FuzzScreen(f *testing.F) {
	ix := testIndex()
	for _, s := range []string{"Saddam", "صدام", "abd al", "LLC", "x", "\xff", "W. H."} {
		f.Add(s, "1970-01-01")
	}
	f.Fuzz(func(t *testing.T, name, dob string) {
		for _, h := range ix.Screen(Query{Name: name, BirthDate: dob, Country: dob, Identifiers: []string{dob}, MinScore: 0.001}) {
			if h.Score < 0 || h.Score > 1 || h.EntryID == "" || len(h.Explanation) == 0 {
				t.Fatalf("Screen(%q): bad hit %+v", name, h)
			}
		}
	})
}

func TestLongQuery(t *testing.T) {
	ix := testIndex()
	first := "Saddam Hussein al-Tikriti Word0"
	long := first
	for i := 1; i < 200; i++ {
		long += fmt.Sprintf(" Word%d", i)
	}
	for i := 1; i < maxQueryParts-3; i++ {
		first += fmt.Sprintf(" Word%d", i)
	}
	// Parts past maxQueryParts are ignored: the long query screens as its
	// first sixteen parts do.
	a := ix.Screen(Query{Name: long, MinScore: 0.0001})
	b := ix.Screen(Query{Name: first, MinScore: 0.0001})
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("long query %v, its first parts %v", a, b)
	}
	if h, ok := top(ix, Query{Name: "Saddam Hussein al-Tikriti Word1"}); !ok || h.EntryID != "p1" {
		t.Errorf("one extra word: %+v", h)
	}
}

// TestRepeatedPart checks that a query repeating a name ("Mohamed
// Mohamed") reaches the listed name holding it twice among many holding
// it once, past the names fully scored.
func TestRepeatedPart(t *testing.T) {
	var es []watchlist.Entry
	for i := range 3 * maxCandidates {
		es = append(es, person(fmt.Sprintf("m%d", i), "", "", fmt.Sprintf("Mohamed %c%c%cson", 'a'+i%26, 'a'+i/26%26, 'k'+i%7)))
	}
	es = append(es, person("twice", "", "", "Mohamed Zakariyya Mohamed"))
	ix := NewIndex()
	ix.ReplaceList("t", es)
	for _, c := range ix.Candidates(Query{Name: "Mohamed Mohamed"}) {
		if c.EntryID == "twice" {
			return
		}
	}
	t.Errorf("Mohamed Zakariyya Mohamed not among the names scored for Mohamed Mohamed")
}
