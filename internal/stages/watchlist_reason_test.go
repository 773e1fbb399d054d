package stages

import (
	"context"
	"slices"
	"strings"
	"testing"

	mosaic "github.com/mosaic-intel/mosaic"
	"github.com/mosaic-intel/mosaic/internal/resolve"
	"github.com/mosaic-intel/mosaic/internal/store"
	"github.com/mosaic-intel/mosaic/internal/watchlist"
)

func TestReasonMemberships(t *testing.T) {
	for _, c := range []struct {
		reason string
		orgs   []string
		preds  []string
	}{
		{"suspected member of Red Harbour Collective", []string{"Red Harbour Collective"}, []string{"member_of"}},
		{"convicted of preparing acts of terrorism; suspected member of SCA", []string{"SCA"}, []string{"member_of"}},
		{"suspected member of the Seventh Column. Travelled 2024", []string{"Seventh Column"}, []string{"member_of"}},
		{"known supporter of Iron Dawn; affiliated with NVF", []string{"Iron Dawn", "NVF"}, []string{"supporter_of", "affiliated_with"}},
		{"travelled to join a violent group abroad", nil, nil},
		{"assessed as involved in planning violence", nil, nil},
		{"member of a violent group", nil, nil},
	} {
		orgs, preds := ReasonMemberships(c.reason)
		if !slices.Equal(orgs, c.orgs) || !slices.Equal(preds, c.preds) {
			t.Errorf("%q: got %q %q, want %q %q", c.reason, orgs, preds, c.orgs, c.preds)
		}
	}
}

func TestAcronymOf(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"RHC", "Red Harbour Collective", true},
		{"Sons of the Fallen Gate", "SFG", true},
		{"SCA", "Seventh Column Army", true},
		{"R.H.C.", "Red Harbour Collective", true},
		{"SCA", "Seventh Column", false},
		{"Seventh Column Army", "Southern Cross Alliance", false}, // two full names
		{"RHC", "RHC", false},                                     // equal names are the engine's business
		{"Red", "Red Harbour Collective", false},
	} {
		if got := acronymOf(c.a, c.b); got != c.want {
			t.Errorf("acronymOf(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

// checkReasonLink checks that f holds a member_of link from subject to an
// Organization mention named org, citing the record rec and the reason
// text.
func checkReasonLink(t *testing.T, f *store.Facts, rec mosaic.ID, subject mosaic.ID, org, reason string) {
	t.Helper()
	var link *mosaic.Link
	for i, l := range f.Links {
		if l.Predicate == "member_of" && l.Subject == subject {
			link = &f.Links[i]
		}
	}
	if link == nil {
		t.Fatalf("no member_of link from %s: %+v", subject, f.Links)
	}
	var m *mosaic.Mention
	for i := range f.Mentions {
		if f.Mentions[i].ID == link.Object {
			m = &f.Mentions[i]
		}
	}
	if m == nil || m.Type != mosaic.TypeOrganization || m.Caption != org || m.Origin != rec {
		t.Fatalf("link object %s: %+v", link.Object, m)
	}
	var name, text bool
	for _, ev := range link.Evidence {
		for _, st := range f.Statements {
			if st.ID != ev {
				continue
			}
			if st.Origin.Record != rec {
				t.Errorf("evidence %s cites %+v, not the entry", ev, st.Origin)
			}
			name = name || st.Prop == mosaic.PropName && st.Value == org
			text = text || st.Value == reason
		}
	}
	if !name || !text {
		t.Errorf("evidence %v does not state the organisation (%v) and the reason (%v)", link.Evidence, name, text)
	}
}

func TestEntryItemReasonLink(t *testing.T) {
	reason := "convicted of preparing acts of terrorism; suspected member of RHC"
	e := watchlist.Entry{List: "domestic", EntryID: "WL-1", Schema: watchlist.Person,
		Names: []watchlist.Name{{Value: "Sana Sheikh", Primary: true}}, Remarks: reason}
	it, err := EntryItem(e, nil, "wl.csv#WL-1")
	if err != nil {
		t.Fatal(err)
	}
	checkReasonLink(t, it.Facts, it.Record.ID, it.Facts.Mentions[0].ID, "RHC", reason)
	// No reason naming an organisation: no link, and the same record ID.
	e2 := e
	e2.Remarks = "travelled to join a violent group abroad"
	it2, err := EntryItem(e2, nil, "wl.csv#WL-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(it2.Facts.Links) != 0 || len(it2.Facts.Mentions) != 1 {
		t.Errorf("links from a reason naming no organisation: %+v", it2.Facts)
	}
}

// watchItem builds a watch-list record (as the mapping of a list with a
// reason column stores it) and gives it the facts the extract stage adds.
func watchItem(t *testing.T, seq int64, key, name, reason string, facts ...string) *store.Item {
	t.Helper()
	it := recordItem(seq, key, name, facts...)
	it.Record.Kind = mosaic.KindWatchlistEntry
	it.Record.Fields = map[string]string{"name": name, "entry_id": key, FieldReason: reason}
	out, err := NewExtract(nil).Process(context.Background(), []*store.Item{it})
	if err != nil {
		t.Fatal(err)
	}
	if out.Write == nil {
		return it // nothing added
	}
	tx := &factsTx{}
	if err := out.Write(context.Background(), tx); err != nil {
		t.Fatal(err)
	}
	if tx.seq != seq || tx.f == nil {
		t.Fatalf("extract wrote %d %+v", tx.seq, tx.f)
	}
	it.Facts = tx.f
	return it
}

// factsTx records the facts a stage sets.
type factsTx struct {
	store.Tx
	seq int64
	f   *store.Facts
}

func (x *factsTx) SetFacts(_ context.Context, seq int64, f *store.Facts) error {
	x.seq, x.f = seq, f
	return nil
}

func TestExtractWatchlistReason(t *testing.T) {
	reason := "suspected member of Red Harbour Collective"
	it := watchItem(t, 1, "WL-7", "Sana Sheikh", reason)
	checkReasonLink(t, it.Facts, it.ID, it.Facts.Mentions[0].ID, "Red Harbour Collective", reason)
	// Extracting again adds nothing.
	if f := reasonItemFacts(it); f != nil {
		t.Errorf("facts added twice: %+v", f.Links)
	}
	// A person record with the same field is not a watch-list entry.
	p := recordItem(2, "p", "Sana Sheikh")
	p.Record.Fields[FieldReason] = reason
	if f := reasonItemFacts(p); f != nil {
		t.Errorf("facts added to a person record: %+v", f.Links)
	}
}

// TestResolveStageOrgRecord: two records "Samira Jafari" of different
// people (other birth dates and phones). A watch-list entry "Samira
// Jafari", a name only, fits both; its reason says "suspected member of
// RHC". A second entry, with the first Samira's birth date and phone, says
// she is a member of Red Harbour Collective. The name-only entry joins
// that Samira, whether it comes before or after the second entry, with
// evidence naming the entry and the organisation; an entry said to belong
// to another organisation joins nobody, and with the rule off neither
// does the first.
func TestResolveStageOrgRecord(t *testing.T) {
	s1 := recordItem(1, "s1", "Samira Jafari", mosaic.PropBirthDate+"=1988-03-03", mosaic.PropPhone+"=07700900111")
	s2 := recordItem(2, "s2", "Samira Jafari", mosaic.PropBirthDate+"=1950-12-12", mosaic.PropPhone+"=07700900333")
	ambiguous := watchItem(t, 0, "WL-1", "Samira Jafari", "convicted of preparing acts of terrorism; suspected member of RHC")
	other := watchItem(t, 0, "WL-2", "Samira Jafari", "suspected member of Northern Vanguard Front")
	full := watchItem(t, 0, "WL-3", "Samira Jafari", "suspected member of Red Harbour Collective",
		mosaic.PropBirthDate+"=1988-03-03", mosaic.PropPhone+"=07700900111")
	for _, order := range [][]*store.Item{
		{s1, s2, ambiguous, other, full},
		{s1, s2, full, ambiguous, other},
	} {
		items := make([]*store.Item, len(order))
		for i, it := range order {
			c := *it
			c.Seq = int64(i + 1)
			items[i] = &c
		}
		for _, batch := range []int{1, 5} {
			s := NewResolve(resolve.New(resolve.Config{}))
			runStage(t, s, items, batch)
			cl := clustersOf(t, s, items)
			c1, c2 := cl[mention(s1, 0)], cl[mention(s2, 0)]
			if c1 == c2 {
				t.Fatal("the two Samiras were merged")
			}
			if cl[mention(full, 0)] != c1 {
				t.Fatal("the full entry is not with its record")
			}
			if c := cl[mention(ambiguous, 0)]; c != c1 {
				x, _ := s.eng.Explain(mention(ambiguous, 0), mention(s1, 0))
				t.Errorf("batch %d, entry at %d: the RHC entry in %s, not with the Samira said to belong to Red Harbour Collective: %v",
					batch, slices.Index(order, ambiguous), c, x)
			} else {
				links, _ := s.eng.Links(mention(ambiguous, 0))
				ok := false
				for _, l := range links {
					ok = ok || strings.Contains(l.Coref, "watch-list entry WL-1") && strings.Contains(l.Coref, `"RHC"`)
				}
				if !ok {
					t.Errorf("no evidence naming the entry and the organisation among %+v", links)
				}
			}
			if c := cl[mention(other, 0)]; c == c1 || c == c2 {
				t.Errorf("batch %d: the entry of another organisation placed in %s", batch, c)
			}
			sameAfterReplay(t, batch, items, cl)
		}
		off := NewResolve(resolve.New(resolve.Config{}))
		off.noOrgRecords = true
		runStage(t, off, items, 1)
		cl := clustersOf(t, off, items)
		if c := cl[mention(ambiguous, 0)]; c == cl[mention(s1, 0)] || c == cl[mention(s2, 0)] {
			t.Errorf("with the rule off, the name-only entry was placed in %s anyway", c)
		}
	}
}

// TestReasonOrgsDoNotMoveRefit: the organisations read from watch-list
// reasons are engine records, but the stage does not count them towards
// its refit point.
func TestReasonOrgsDoNotMoveRefit(t *testing.T) {
	s := NewResolve(resolve.New(resolve.Config{}))
	s.RefitAt = 3
	items := []*store.Item{
		watchItem(t, 1, "WL-1", "Sana Sheikh", "suspected member of RHC; supporter of Iron Dawn"),
		recordItem(2, "r1", "Tom Stranger"),
	}
	runStage(t, s, items, 1)
	if s.eng.Len() != 4 || s.reasonOrgs != 2 {
		t.Fatalf("engine holds %d records, %d from reasons; want 4 and 2", s.eng.Len(), s.reasonOrgs)
	}
	if s.fitLen != 0 {
		t.Fatalf("refitted at %d records, counting the reasons' organisations", s.fitLen)
	}
	runStage(t, s, []*store.Item{recordItem(3, "r2", "Ann Other")}, 1)
	if s.fitLen != 3 {
		t.Fatalf("fitted at %d, want 3 (the person records)", s.fitLen)
	}
}

// TestResolveStageOrgRecordWithItsRecord: a watch-list entry that has
// already joined a record of its own (the same name and date of birth) is
// still placed by its organisation: the entry and its record together
// join the one Samira said elsewhere to belong to Red Harbour Collective
// (an entity of three records), not the other Samira known apart from
// her by another phone. (TestResolveStageOrgRecord has the converse: an
// entity of two records does not join a smaller one.)
func TestResolveStageOrgRecordWithItsRecord(t *testing.T) {
	s1 := recordItem(1, "s1", "Samira Jafari", mosaic.PropPhone+"=07700900111")
	s1b := recordItem(1, "s1b", "Samira Jafari", mosaic.PropPhone+"=07700900111")
	s3 := recordItem(2, "s3", "Samira Jafari", mosaic.PropPhone+"=07700900555")
	full := watchItem(t, 0, "WL-3", "Samira Jafari", "suspected member of Red Harbour Collective", mosaic.PropPhone+"=07700900111")
	own := recordItem(0, "p", "Samira Jafari", mosaic.PropBirthDate+"=1988-03-03")
	entry := watchItem(t, 0, "WL-1", "Samira Jafari", "suspected member of RHC", mosaic.PropBirthDate+"=1988-03-03")
	order := []*store.Item{s1, s1b, s3, full, own, entry}
	items := make([]*store.Item, len(order))
	for i, it := range order {
		c := *it
		c.Seq = int64(i + 1)
		items[i] = &c
	}
	run := func(limit, batch int) map[string]string {
		defer func(l int) { maxOrgFragment = l }(maxOrgFragment)
		maxOrgFragment = limit
		s := NewResolve(resolve.New(resolve.Config{}))
		runStage(t, s, items, batch)
		cl := clustersOf(t, s, items)
		if cl[mention(s1, 0)] == cl[mention(s3, 0)] {
			t.Fatal("the two Samiras were merged")
		}
		if cl[mention(own, 0)] != cl[mention(entry, 0)] {
			t.Fatal("the entry is not with its own record")
		}
		if limit > 1 {
			sameAfterReplay(t, batch, items, cl)
		}
		return cl
	}
	for _, batch := range []int{1, 5} {
		cl := run(maxOrgFragment, batch)
		if c := cl[mention(entry, 0)]; c != cl[mention(s1, 0)] {
			t.Errorf("batch %d: the RHC entry and its record in %s, not with the Samira said to belong to Red Harbour Collective (%s)", batch, c, cl[mention(s1, 0)])
		}
	}
	// The same with fragments of one record, as the company rule has
	// them: the entry with its record stays apart.
	if cl := run(1, 1); cl[mention(entry, 0)] == cl[mention(s1, 0)] {
		t.Error("with fragments of one record, the entry and its record were placed anyway")
	}
}
